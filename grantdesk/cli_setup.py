"""``python -m grantdesk funds|areas|rounds …`` and ``members add``: setting a fund up without a window.

``funds create --from FILE.toml`` makes a whole fund from a definition file (the shape of
``sample_funds/*.toml`` without the sample's applicants), ``funds export`` writes one, ``funds show
--json`` prints everything that defines a fund. ``areas add``, ``members add`` and ``rounds add`` add
one thing each. Every command is one transaction: a mistake writes nothing.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from grantdesk.cli_common import EXIT_OK, EXIT_REFUSED, _location
from grantdesk.cli_common import _open as open_db
from grantdesk.cli_common import _print_json as print_json
from grantdesk.cli_common import _table as table


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date written YYYY-MM-DD") from None


def cmd_funds_list(args) -> int:
    from grantdesk.services.funds import list_funds

    with open_db(args) as db:
        funds = list_funds(db)
    if getattr(args, "json", False):
        print_json([f.as_json() for f in funds])
        return EXIT_OK
    if not funds:
        print("No funds yet. Set one up in the app (File ▸ New Fund…), or from a definition file with "
              "“python -m grantdesk funds create --from FILE.toml”. The sample funds live in their own "
              "database: “python -m grantdesk sample load”.")
        return EXIT_OK
    print(table([[f.code, f.name, f.council, f.decision_label, str(f.application_count)] for f in funds],
                ["CODE", "NAME", "COUNCIL", "DECIDED BY", "APPLICATIONS"]))
    return EXIT_OK


def cmd_funds_create(args) -> int:
    from grantdesk.services.fund_setup import create_fund_from_file, read_definition_file

    path = Path(args.source)
    if args.dry_run:
        definition = read_definition_file(path)
        print(f"{path.name} is a valid definition of {definition.fund.name} ({definition.fund.code}): "
              f"{len(definition.areas)} areas, {len(definition.rounds)} rounds, {len(definition.members)} members, "
              f"{len(definition.panels)} panels, {len(definition.questions)} questions. Nothing was written (--dry-run).")
        return EXIT_OK
    from grantdesk.store.database import open_database

    with open_database(_location(args), create=True) as db:
        made = create_fund_from_file(db, path)
    print(made.summary)
    return EXIT_OK


def cmd_funds_export(args) -> int:
    from grantdesk.services.fund_setup import definition_toml, fund_definition

    with open_db(args) as db:
        text = definition_toml(fund_definition(db, args.code))
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: the folder {out.parent} does not exist; nothing was written.")
        return EXIT_REFUSED
    out.write_text(text, encoding="utf-8")
    print(f"Wrote {out}.")
    return EXIT_OK


def cmd_funds_show(args) -> int:
    from grantdesk.services.fund_setup import definition_json, definition_toml, fund_definition

    with open_db(args) as db:
        definition = fund_definition(db, args.code)
    if args.json:
        print_json(definition_json(definition))
    else:
        print(definition_toml(definition), end="")
    return EXIT_OK


def cmd_areas(args) -> int:
    from grantdesk.services.funds import fund_areas, set_area_code

    if not args.fund:
        raise argparse.ArgumentTypeError("--fund is required")
    with open_db(args) as db:
        if args.set_code:
            name, code = args.set_code
            row = set_area_code(db, args.fund, name, code)
            print(f"{row.name}: ONS code {row.ons_code or 'cleared'}.")
            return EXIT_OK
        rows = fund_areas(db, args.fund)
    print(table([[r.name, r.kind, r.ons_code or "—"] for r in rows], ["AREA", "KIND", "ONS CODE"]))
    return EXIT_OK


def cmd_areas_add(args) -> int:
    from grantdesk.domain.fund_definition import AreaSpec
    from grantdesk.services.fund_setup import add_areas

    specs = [AreaSpec(name, args.kind, args.ons_code or "") for name in args.names]
    if args.ons_code and len(specs) > 1:
        print("error: --ons-code belongs to one area; add areas with codes one at a time.")
        return EXIT_REFUSED
    with open_db(args) as db:
        count = add_areas(db, args.fund, specs)
    print(f"Added {count} area{'s' if count != 1 else ''} to {args.fund}.")
    return EXIT_OK


def cmd_members_add(args) -> int:
    from grantdesk.domain.errors import ValidationError
    from grantdesk.domain.fund_definition import AllotmentSpec, MemberSpec
    from grantdesk.domain.money import parse_money
    from grantdesk.services.fund_setup import add_member

    allotments = []
    for text in args.allotment or []:
        year, sep, amount = text.partition("=")
        if not sep or not year.strip().isdigit():
            raise ValidationError(f"--allotment “{text}” should be YEAR=AMOUNT, such as 2026=2500.", "allotment")
        allotments.append(AllotmentSpec(int(year), parse_money(amount, field="allotment")))
    spec = MemberSpec(args.name, args.area, args.party or "", args.email or "", tuple(allotments))
    with open_db(args) as db:
        add_member(db, args.fund, spec)
    print(f"Added {args.name} to {args.fund}" + (f" for {args.area}" if args.area else "") + ".")
    return EXIT_OK


def cmd_rounds_add(args) -> int:
    from grantdesk.domain.fund_definition import RoundSpec
    from grantdesk.domain.money import parse_money
    from grantdesk.services.fund_setup import add_round

    spec = RoundSpec("new", args.name, args.year, args.opens, args.closes, args.decision, args.spend_by,
                     parse_money(args.budget, field="budget") if args.budget else None)
    with open_db(args) as db:
        add_round(db, args.fund, spec)
    print(f"Added the round {spec.title} to {args.fund}.")
    return EXIT_OK


def cmd_rounds_list(args) -> int:
    from grantdesk.domain.money import format_money
    from grantdesk.services.fund_setup import fund_setup

    with open_db(args) as db:
        setup = fund_setup(db, args.fund)
    print(table([[r.spec.title, f"{r.spec.opens_on:%d/%m/%Y}", f"{r.spec.closes_on:%d/%m/%Y}", r.state,
                  format_money(r.spec.budget_pence) if r.spec.budget_pence is not None else "—", str(r.submitted)]
                 for r in setup.rounds], ["ROUND", "OPENS", "CLOSES", "STATE", "BUDGET", "SUBMITTED"]))
    return EXIT_OK


def add_commands(commands, db_opt: argparse.ArgumentParser) -> None:
    """The ``funds``, ``areas`` and ``rounds`` commands."""
    funds = commands.add_parser("funds", parents=[db_opt], help="list, create, export or show funds",
                                description="With no action: list the funds.")
    funds.add_argument("--json", action="store_true", help="print JSON")
    funds.set_defaults(func=cmd_funds_list)
    actions = funds.add_subparsers(dest="funds_command", metavar="ACTION")
    listing = actions.add_parser("list", parents=[db_opt], help="list the funds")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_funds_list)
    create = actions.add_parser("create", parents=[db_opt], help="make a fund from a definition file",
                                description="The file has the shape of sample_funds/*.toml without [sample], "
                                            "[[organisations]] and [[applications]]; see sample_funds/README.md.")
    create.add_argument("--from", dest="source", required=True, metavar="FILE.toml")
    create.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
    create.set_defaults(func=cmd_funds_create)
    export = actions.add_parser("export", parents=[db_opt], help="write a fund's definition file")
    export.add_argument("code", metavar="CODE")
    export.add_argument("--out", required=True, metavar="FILE.toml")
    export.set_defaults(func=cmd_funds_export)
    show = actions.add_parser("show", parents=[db_opt], help="print everything that defines a fund")
    show.add_argument("code", metavar="CODE")
    show.add_argument("--json", action="store_true", help="print JSON instead of the definition file")
    show.set_defaults(func=cmd_funds_show)

    areas = commands.add_parser("areas", parents=[db_opt], help="a fund's wards or divisions and their ONS codes",
                                description="360Giving publishes each grant's ward or division with its ONS code.")
    areas.add_argument("--fund", metavar="CODE", help="fund code, e.g. PHP")
    areas.add_argument("--set-code", nargs=2, metavar=("AREA", "ONS_CODE"),
                       help='record an area\'s ONS code, e.g. --set-code "Stone Urban" E58001234 ("" clears it)')
    areas.set_defaults(func=cmd_areas)
    area_actions = areas.add_subparsers(dest="areas_command", metavar="ACTION")
    add = area_actions.add_parser("add", parents=[db_opt], help="add wards or divisions to a fund")
    add.add_argument("--fund", required=True, metavar="CODE")
    add.add_argument("names", nargs="+", metavar="NAME")
    add.add_argument("--kind", default="ward", help="ward, division, parish … (default: ward)")
    add.add_argument("--ons-code", metavar="CODE", help="the area's ONS code, e.g. E05013035")
    add.set_defaults(func=cmd_areas_add)

    rounds = commands.add_parser("rounds", help="a fund's funding rounds")
    round_actions = rounds.add_subparsers(dest="rounds_command", metavar="ACTION", required=True)
    rlist = round_actions.add_parser("list", parents=[db_opt], help="list a fund's rounds")
    rlist.add_argument("--fund", required=True, metavar="CODE")
    rlist.set_defaults(func=cmd_rounds_list)
    radd = round_actions.add_parser("add", parents=[db_opt], help="add a round")
    radd.add_argument("--fund", required=True, metavar="CODE")
    radd.add_argument("--name", required=True, help='e.g. "People Helping People {fy}" ({fy} becomes 2026–27)')
    radd.add_argument("--year", required=True, type=int, metavar="YYYY", help="financial year (2026 = 2026–27)")
    radd.add_argument("--opens", required=True, type=_day, metavar="YYYY-MM-DD")
    radd.add_argument("--closes", required=True, type=_day, metavar="YYYY-MM-DD", help="apply by")
    radd.add_argument("--decision", type=_day, metavar="YYYY-MM-DD")
    radd.add_argument("--spend-by", type=_day, metavar="YYYY-MM-DD")
    radd.add_argument("--budget", metavar="AMOUNT", help="e.g. 50000 or £50,000.00")
    radd.set_defaults(func=cmd_rounds_add)


def add_member_commands(member_commands, db_opt: argparse.ArgumentParser) -> None:
    add = member_commands.add_parser("add", parents=[db_opt], help="add an elected member with their pots")
    add.add_argument("--fund", required=True, metavar="CODE")
    add.add_argument("--name", required=True)
    add.add_argument("--area", help="their ward or division (one of the fund's areas)")
    add.add_argument("--party")
    add.add_argument("--email")
    add.add_argument("--allotment", action="append", metavar="YEAR=AMOUNT",
                     help="a yearly pot, e.g. 2026=2500 (repeat for more years)")
    add.set_defaults(func=cmd_members_add)
