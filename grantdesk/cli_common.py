"""What every command-line module shares: exit codes, the ``--db`` location, JSON and table output."""

from __future__ import annotations

import argparse
import json
import sys

from grantdesk.config import DatabaseLocation, database_location
from grantdesk.domain.errors import GrantDeskError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 70
EXIT_LEFT_OUT = 3  # --valid-only: imported, with some rows or grants left out (each listed)


class UsageRefused(GrantDeskError):
    """The command cannot be done as written (a ``--db`` in a folder that does not exist): exit 2."""


def _location(args: argparse.Namespace) -> DatabaseLocation:
    """``--db`` (else the environment, else the app's own database). A path in a folder that does not
    exist is refused before anything is opened or made: a typing mistake never leaves folders behind."""
    location = database_location(getattr(args, "db", None))
    folder = location.missing_folder()
    if folder is not None and not location.in_app_folder:
        raise UsageRefused(f"The folder {folder} does not exist, so there is no database at {location.path}; "
                           "nothing was created. Check the path, or make the folder first.")
    return location


def _open(args: argparse.Namespace):
    from grantdesk.store.database import open_database

    location = _location(args)
    db = open_database(location)
    from grantdesk.services.backups import network_share_warning

    warning = network_share_warning(location)  # a SQLite file on a network share: say so, on stderr
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    user = getattr(args, "user", None)
    if user:  # --user NAME: sign in for this command (grantdesk.cli_users)
        try:
            sign_in_from_cli(db, user)
        except BaseException:
            db.close()
            raise
    return db


ENV_PASSWORD = "GRANTDESK_PASSWORD"


def sign_in_from_cli(db, username: str) -> None:
    """``--user NAME``: sign them in on ``db`` for this command, with the password (or PIN) from
    ``GRANTDESK_PASSWORD``, else asked for at the terminal."""
    import getpass
    import os

    from grantdesk.services.users import sign_in

    secret = os.environ.get(ENV_PASSWORD)
    if secret is None:
        if not sys.stdin.isatty():
            raise UsageRefused(f"--user {username}: set {ENV_PASSWORD}, or run at a terminal to be asked for "
                               "the password.")
        secret = getpass.getpass(f"Password (or PIN) for {username}: ")
    sign_in(db, username, secret)


def _print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])
