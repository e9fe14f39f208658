"""``python -m grantdesk db backup|restore``: backups of a SQLite file or a PostgreSQL database
(grantdesk.services.backups). ``db verify`` lives beside them in grantdesk.cli_db."""

from __future__ import annotations

import argparse
import sys

from grantdesk.cli_common import EXIT_OK, _location


def print_share_warning(location) -> None:
    """A SQLite file on a network share: say so (on stderr, so --json output stays clean)."""
    from grantdesk.services.backups import network_share_warning

    warning = network_share_warning(location)
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)


def cmd_db_backup(args) -> int:
    from grantdesk.services.backups import make_backup

    location = _location(args)
    print_share_warning(location)
    result = make_backup(location, args.out, logical=args.export, force=args.force)
    print(result.message)
    return EXIT_OK


def cmd_db_restore(args) -> int:
    from grantdesk.services.backups import restore_backup

    location = _location(args)
    result = restore_backup(location, args.file, force=args.force)
    print(result.message)
    print_share_warning(location)
    return EXIT_OK


def add_commands(db_commands, db_opt: argparse.ArgumentParser) -> None:
    """``db backup`` and ``db restore``, added to ``python -m grantdesk db``."""
    backup = db_commands.add_parser(
        "backup", parents=[db_opt],
        help="back up the database to a file (SQLite: an online copy; PostgreSQL: pg_dump, else a GrantDesk export)")
    backup.add_argument("--out", metavar="FILE", required=True, help="the backup file to write")
    backup.add_argument("--export", action="store_true",
                        help="write a GrantDesk export (JSON, .gz to compress), restorable into SQLite or PostgreSQL")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(func=cmd_db_backup)
    restore = db_commands.add_parser(
        "restore", parents=[db_opt],
        help="restore a backup into --db (refused if that database holds anything, unless --force)")
    restore.add_argument("file", metavar="FILE", help="a backup made by “db backup” (or a GrantDesk SQLite file)")
    restore.add_argument("--force", action="store_true", help="replace everything in a database that is not empty")
    restore.set_defaults(func=cmd_db_restore)
