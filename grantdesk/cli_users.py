"""``python -m grantdesk users add|list|disable``: the people who sign in, and signing in from the CLI.

``--user NAME`` (before or after the command) signs a person in for one command: their password from
``GRANTDESK_PASSWORD``, else asked for at the terminal. Without it, a SQLite file's commands run as the
operating-system login (a user, or anyone while the database has no users), as in the app.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from grantdesk.cli_common import EXIT_OK, UsageRefused
from grantdesk.cli_common import _open as open_db
from grantdesk.cli_common import _print_json as print_json
from grantdesk.cli_common import _table as table
from grantdesk.domain.roles import ROLES

def _read_secret(args, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise UsageRefused("--password-stdin: no password on the first line of standard input.")
        return text
    if not sys.stdin.isatty():
        raise UsageRefused(f"{prompt.rstrip(': ')}: give it with --password-stdin (no terminal to ask at).")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise UsageRefused("The two did not match; nothing was saved.")
    return first


def cmd_users_add(args) -> int:
    from grantdesk.services.users import add_user

    password = _read_secret(args, "New password: ") if args.password_stdin or args.password else None
    pin = _read_secret(argparse.Namespace(), "New PIN: ") if args.pin else None
    with open_db(args) as db:
        added = add_user(db, args.name, role=args.role, display_name=args.display_name or "", password=password,
                         pin=pin, member_id=args.member_id, panellist_id=args.panellist_id)
    print(f"Added {added.user.username} ({added.user.role_label.lower()}).")
    if added.note:
        print(f"Note: {added.note}")
    return EXIT_OK


def cmd_users_list(args) -> int:
    from grantdesk.services.users import list_users

    with open_db(args) as db:
        people = list_users(db)
    if args.json:
        print_json([u.as_json() for u in people])
        return EXIT_OK
    if not people:
        print("No users yet: whoever is logged in to the computer works as a manager. Add the first (a "
              "manager) with “python -m grantdesk users add NAME --role manager”.")
        return EXIT_OK
    rows = [[u.username, u.display_name, u.role_label, "disabled" if u.disabled else "active",
             ", ".join(x for x, has in (("password", u.has_password), ("PIN", u.has_pin)) if has) or "-"]
            for u in people]
    print(table(rows, ["User", "Name", "Role", "State", "Signs in with"]))
    return EXIT_OK


def cmd_users_disable(args) -> int:
    from grantdesk.services.users import disable_user

    with open_db(args) as db:
        user = disable_user(db, args.name)
    print(f"Disabled {user.username}: they can no longer sign in; their entries in the audit log stay theirs.")
    return EXIT_OK


def add_commands(commands, db_opt: argparse.ArgumentParser) -> None:
    """``users add|list|disable`` under the top-level commands."""
    users = commands.add_parser("users", help="the people who sign in, and their roles")
    user_commands = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", parents=[db_opt], help="add a person who signs in (a manager's; the "
                                   "first user must be a manager)")
    add.add_argument("name", metavar="NAME", help="their username (on a SQLite file: their computer login)")
    add.add_argument("--role", required=True, type=str.lower, choices=ROLES, help="what they may do")
    add.add_argument("--display-name", metavar="TEXT", help="their name as people know it")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true",
                        help="read their password from the first line of standard input")
    secret.add_argument("--password", action="store_true", help="ask for their password at the terminal")
    add.add_argument("--pin", action="store_true", help="ask for a PIN (4 to 8 digits) at the terminal")
    add.add_argument("--member-id", type=int, metavar="ID", help="an elected member's own record")
    add.add_argument("--panellist-id", type=int, metavar="ID", help="a panellist's own record")
    add.set_defaults(func=cmd_users_add)
    lst = user_commands.add_parser("list", parents=[db_opt], help="list the users and their roles")
    lst.add_argument("--json", action="store_true", help="print a JSON list, one object per user")
    lst.set_defaults(func=cmd_users_list)
    dis = user_commands.add_parser("disable", parents=[db_opt], help="stop a person signing in (a manager's)")
    dis.add_argument("name", metavar="NAME")
    dis.set_defaults(func=cmd_users_disable)
