"""``python -m grantdesk …``: the same use cases as the app, without a window.

Every command takes ``--db PATH`` (a SQLite file or a SQLAlchemy URL; default: the
``GRANTDESK_DATABASE_URL`` variable, then the app's own database). Success exits 0; a refusal prints
one plain-English line to stderr and exits 1; a usage mistake exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable, Sequence

from grantdesk import __version__
from grantdesk.config import DatabaseLocation, database_location
from grantdesk.domain.errors import GrantDeskError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 70


def _location(args: argparse.Namespace) -> DatabaseLocation:
    return database_location(getattr(args, "db", None))


def _open(args: argparse.Namespace):
    from grantdesk.store.database import open_database

    return open_database(_location(args))


def _print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# --- commands ------------------------------------------------------------------------------------


def cmd_db_init(args) -> int:
    from grantdesk.services.database import init_database

    print(init_database(_location(args)).message)
    return EXIT_OK


def cmd_db_upgrade(args) -> int:
    from grantdesk.services.database import upgrade_database

    print(upgrade_database(_location(args)).message)
    return EXIT_OK


def cmd_db_check(args) -> int:
    from grantdesk.services.database import check_database

    location = _location(args)
    result = check_database(location)
    print(f"Database: {location.describe()}")
    print(f"Schema: {result.revision or 'none'}")
    print(f"Funds: {result.funds}; applications: {result.applications}")
    if result.ok:
        print("No problems found.")
        return EXIT_OK
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return EXIT_REFUSED


def cmd_sample_list(args) -> int:
    from grantdesk.services.samples import available_samples

    samples = available_samples()
    print(_table([[s.name, s.fund_code, str(s.applications), s.title] for s in samples],
                 ["NAME", "FUND", "APPLICATIONS", "TITLE"]))
    return EXIT_OK


def cmd_sample_load(args) -> int:
    from grantdesk.services.samples import load_samples
    from grantdesk.store.database import open_database

    with open_database(_location(args), create=True) as db:
        for result in load_samples(db, args.names):
            print(result.message)
    return EXIT_OK


def cmd_funds(args) -> int:
    from grantdesk.services.funds import list_funds

    with _open(args) as db:
        funds = list_funds(db)
    if args.json:
        _print_json([f.as_json() for f in funds])
        return EXIT_OK
    if not funds:
        print("No funds yet. Load the samples with “python -m grantdesk sample load”.")
        return EXIT_OK
    print(_table([[f.code, f.name, f.council, f.decision_label, str(f.application_count)] for f in funds],
                 ["CODE", "NAME", "COUNCIL", "DECIDED BY", "APPLICATIONS"]))
    return EXIT_OK


def cmd_applications_list(args) -> int:
    from grantdesk.domain.money import format_money
    from grantdesk.services.applications import list_applications

    with _open(args) as db:
        rows = list_applications(db, args.fund)
    if args.json:
        _print_json([r.as_json() for r in rows])
        return EXIT_OK
    print(_table(
        [[r.reference, r.status, format_money(r.amount_requested_pence), r.organisation, r.title] for r in rows],
        ["REFERENCE", "STATUS", "REQUESTED", "ORGANISATION", "TITLE"],
    ))
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    db_opt = argparse.ArgumentParser(add_help=False)
    db_opt.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="database file or SQLAlchemy URL (default: $GRANTDESK_DATABASE_URL, then the app's own database)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m grantdesk", parents=[db_opt],
        description="GrantDesk without a window: the same services as the app.",
    )
    parser.add_argument("--version", action="version", version=f"GrantDesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser("db", help="create, upgrade or check a database")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("init", parents=[db_opt], help="create a new, empty database").set_defaults(func=cmd_db_init)
    db_commands.add_parser("upgrade", parents=[db_opt], help="upgrade an older database (a backup is kept next to it)"
                           ).set_defaults(func=cmd_db_upgrade)
    db_commands.add_parser("check", parents=[db_opt], help="check schema version and integrity"
                           ).set_defaults(func=cmd_db_check)

    sample = commands.add_parser("sample", help="the sample funds")
    sample_commands = sample.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    sample_commands.add_parser("list", parents=[db_opt], help="list the sample funds").set_defaults(func=cmd_sample_list)
    load = sample_commands.add_parser("load", parents=[db_opt], help="load sample funds (all when none named)")
    load.add_argument("names", nargs="*", metavar="NAME")
    load.set_defaults(func=cmd_sample_load)

    funds = commands.add_parser("funds", parents=[db_opt], help="list the funds")
    funds.add_argument("--json", action="store_true", help="print JSON")
    funds.set_defaults(func=cmd_funds)

    applications = commands.add_parser("applications", help="applications")
    app_commands = applications.add_subparsers(dest="applications_command", metavar="ACTION", required=True)
    app_list = app_commands.add_parser("list", parents=[db_opt], help="list a fund's applications")
    app_list.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    app_list.add_argument("--json", action="store_true", help="print a JSON list, one object per application")
    app_list.set_defaults(func=cmd_applications_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except GrantDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("error: interrupted; nothing was saved from the unfinished step.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, with a way to see the traceback
        if os.environ.get("GRANTDESK_DEBUG"):
            raise
        print(f"error: GrantDesk hit an unexpected problem ({type(exc).__name__}: {exc}); "
              "run again with GRANTDESK_DEBUG=1 to see the details.", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
