"""``python -m grantdesk …``: the same use cases as the app, without a window.

Every command takes ``--db PATH`` (a SQLite file or a SQLAlchemy URL; default: the
``GRANTDESK_DATABASE_URL`` variable, then the app's own database). Success exits 0; a refusal prints
one plain-English line to stderr and exits 1; a usage mistake exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Sequence

from grantdesk import __version__
from grantdesk.domain.errors import GrantDeskError
from grantdesk.i18n import set_language

from grantdesk.cli_common import (  # noqa: F401 (the exit codes are this module's public names too)
    EXIT_BUG,
    EXIT_LEFT_OUT,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    UsageRefused,
    _location,
    _open,
    _print_json,
    _table,
)


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
    state = {"newer": " (from a newer GrantDesk)", "unknown": " (unknown to this GrantDesk)",
             "older": " (older: upgrade it)"}.get(result.state, "")
    print(f"Schema: {result.revision or 'none'}{state}")
    if result.funds is not None:  # not counted in a database this version cannot read as its own
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
    """Into the sample database (its own file, marked SAMPLE DATA in the app) unless ``--db`` says where."""
    from grantdesk.config import sample_database_location
    from grantdesk.services.samples import load_samples
    from grantdesk.store.database import open_database

    if getattr(args, "db", None):
        location = _location(args)
        print(f"Note: putting the sample funds — invented people and applications — into {location.describe()}; "
              "the app will mark it SAMPLE DATA. Keep real applicants out of it.")
    else:
        location = sample_database_location()
        print(f"Loading into the sample database, {location.describe()} (open it with “grantdesk --db "
              f"{location.describe()}”, or Explore the sample funds on the welcome screen).")
    with open_database(location, create=True) as db:
        for result in load_samples(db, args.names):
            print(result.message)
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


def cmd_export_360giving(args) -> int:
    from pathlib import Path

    from grantdesk.io.g360_files import format_of
    from grantdesk.services.open_data import prepare_360giving, publish_360giving

    format_of(Path(args.out))  # a wrong file name is refused before any work
    with _open(args) as db:
        publication = prepare_360giving(db, args.fund, since=args.since, until=args.until)
        for issue in publication.quality:
            print(f"{'critical' if issue.critical else 'quality'}: {issue.message}", file=sys.stderr)
        if publication.schema_problems:
            for problem in publication.schema_problems:
                print(f"schema: {problem}", file=sys.stderr)
            print(f"Nothing was written: the file would break the 360Giving schema in "
                  f"{len(publication.schema_problems)} place(s).", file=sys.stderr)
            return EXIT_REFUSED
        result = publish_360giving(db, publication, Path(args.out))
    print(f"{publication.summary()} Written to {result.path}.")
    return EXIT_OK


def cmd_export_transparency(args) -> int:
    from pathlib import Path

    from grantdesk.services.open_data import publish_transparency

    with _open(args) as db:
        result = publish_transparency(db, args.fund, Path(args.out), since=args.since, until=args.until)
    print(result.message)
    return EXIT_OK


# `import 360giving --valid-only` imported the readable grants and left others out (listed on stderr).


def cmd_import_360giving(args) -> int:
    from pathlib import Path

    from grantdesk.services.open_data import GrantsImportRefused, check_grants_import, import_grants

    with _open(args) as db:
        plan = check_grants_import(db, args.fund, Path(args.file))
        for note in plan.notes:
            print(f"note: {note}", file=sys.stderr)
        if plan.funders:
            print(f"funders in the file: {'; '.join(plan.funders)}", file=sys.stderr)
        try:
            result = import_grants(db, plan, valid_only=args.valid_only)
        except GrantsImportRefused as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            grants = len({p.where for p in exc.problems})
            noun = f"{len(exc.problems)} problem{'s' * (len(exc.problems) != 1)}"
            if args.valid_only:
                print(f"Nothing was imported: none of the {grants} grant{'s' * (grants != 1)} in {plan.file.source} "
                      f"can be read ({noun}). Fix them and import again.", file=sys.stderr)
            else:
                print(f"Nothing was imported: {grants} grant{'s' * (grants != 1)} in {plan.file.source} cannot be "
                      f"read ({noun}). Fix them and import again, or use --valid-only to import the others.",
                      file=sys.stderr)
            return EXIT_REFUSED
    for problem in result.left_out:
        print(problem, file=sys.stderr)
    print(result.message)
    return EXIT_LEFT_OUT if result.left_out else EXIT_OK


def cmd_tally(args) -> int:
    from pathlib import Path

    from grantdesk.voting.wording import amount_text, count_text, currency_of
    from grantdesk.voting.pabulib import read_pb
    from grantdesk.voting.rules import DESCRIPTIONS, counting_from_meta, run_rule
    from grantdesk.voting.satisfaction import NotApplicable

    path = Path(args.file)
    try:
        election = read_pb(path, keep_extra=False)  # counting needs only the votes
    except FileNotFoundError:
        print(f"error: There is no file at {path}.", file=sys.stderr)
        return EXIT_REFUSED
    except IsADirectoryError:
        print(f"error: {path} is a folder, not a PaBuLib file.", file=sys.stderr)
        return EXIT_REFUSED
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {path} cannot be read ({exc}).", file=sys.stderr)
        return EXIT_REFUSED
    except GrantDeskError as exc:
        print(f"error: {path.name} cannot be read: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    # As pabutools does (this command is how results are compared with it), unless the file is a
    # GrantDesk event's export, whose META says how the event counted.
    try:
        tie_break, options = counting_from_meta(election, args.rule)
        result = run_rule(election, args.rule, tie_break, **options)
    except (NotApplicable, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED

    if args.json:
        _print_json(result.as_json())
        return EXIT_OK
    currency = currency_of(election)
    funded = len(result.selected)
    print(f"{path.name}: {election.vote_type} ballots, {count_text(len(election.ballots), ('voter', 'voters'))}, "
          f"{count_text(len(election.projects), ('project', 'projects'))}, "
          f"budget {amount_text(election.budget, currency)}.")
    print(f"Rule {result.rule}: {DESCRIPTIONS[args.rule]}.")
    print(f"Funded {count_text(funded, ('project', 'projects'))} for {amount_text(result.total_cost, currency)}; "
          f"{amount_text(election.budget - result.total_cost, currency)} left.")
    print(result.tie_break)
    if result.selected:
        print(f"Funded, in the order chosen: {', '.join(result.selected)}.")
    print()
    print("Step by step:")
    for n, step in enumerate(result.explanation, 1):
        print(f"{n:>4}. {step.text}")
    return EXIT_OK


def cmd_members_report(args) -> int:
    from pathlib import Path

    from grantdesk.domain.money import format_money
    from grantdesk.services.allocations import members_report, write_awards_csv, write_members_csv

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".csv", ".pdf"):
        print(f"error: {out.name}: the report is written as .csv or .pdf.", file=sys.stderr)
        return EXIT_USAGE
    with _open(args) as db:
        report = members_report(db, args.fund, args.year)
    if args.awards:
        if kind == ".csv":
            write_awards_csv(report, out)
        else:
            from grantdesk.reports.member_records import members_report_pdf

            members_report_pdf(report, out)  # the PDF always ends with the awards by member
        print(f"Wrote {out}: {len(report.awards)} approved awards by member, {report.label}.")
        return EXIT_OK
    if kind == ".csv":
        write_members_csv(report, out)
    else:
        from grantdesk.reports.member_records import members_report_pdf

        members_report_pdf(report, out)
    totals = report.totals()
    print(f"Wrote {out}: {len(report.rows)} members, {report.label}; allotted {format_money(totals.allotted_pence)}, "
          f"approved {format_money(totals.approved_pence)}, paid {format_money(totals.paid_pence)}, "
          f"remaining {format_money(totals.remaining_pence)}.")
    return EXIT_OK


def cmd_letters(args) -> int:
    from pathlib import Path

    from grantdesk.reports.letters import PDF_LETTERS
    from grantdesk.services.common import fund_by_code
    from grantdesk.services.letters import produce_letters

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        print(f"error: {out.name}: letters are written as a .pdf file.", file=sys.stderr)
        return EXIT_USAGE
    if args.round and args.all_rounds:
        print("error: give --round or --all-rounds, not both.", file=sys.stderr)
        return EXIT_USAGE
    with _open(args) as db:
        round_id, round_name = None, args.round
        with db.session() as s:
            fund = fund_by_code(s, args.fund)
            if args.round:
                from grantdesk.services.funds import round_named

                round_id = round_named(s, fund, args.round).id
            elif not args.all_rounds:  # the current round, said so: last year's letters are not wanted
                from grantdesk.services.letters import current_round

                rnd = current_round(s, fund)
                if rnd is not None:
                    round_id, round_name = rnd.id, rnd.name
                    print(f"Round: {rnd.name} (the current round; --round or --all-rounds for others).",
                          file=sys.stderr)
        # made, saved and recorded in one transaction: if a PDF cannot be drawn or written, nothing is kept
        made = produce_letters(db, args.fund, args.kind, round_id=round_id, renderer=PDF_LETTERS, out=out,
                               split_dir=Path(args.split) if args.split else None, reissue=args.reissue)
    for problem in made.batch.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    if made.batch.already_sent:
        print(f"left out, already sent ({len(made.batch.already_sent)}; --reissue to send again): "
              + "; ".join(str(x) for x in made.batch.already_sent), file=sys.stderr)
    if not made.recorded:
        print(f"error: fund {args.fund.upper()} has no applications needing {args.kind} letters"
              + (f" in round “{round_name}”" if round_name else "")
              + (" that were not already sent" if made.batch.already_sent else "") + ".", file=sys.stderr)
        return EXIT_REFUSED
    welsh = sum(1 for x in made.recorded if "cy" in x.languages)
    reissued = sum(1 for x in made.recorded if x.extra.get("reissued"))
    print(f"Wrote {out}: {len(made.recorded)} {args.kind} letters, {made.pages} pages"
          + (f" ({welsh} in Welsh or bilingual)" if welsh else "")
          + (f" ({reissued} reissued)" if reissued else "")
          + (f"; and {len(made.files)} files in {args.split}" if made.files else "") + ".")
    return EXIT_OK


def cmd_learning_report(args) -> int:
    from pathlib import Path

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".md"):
        print(f"error: {out.name}: the learning report is written as .pdf or .md.", file=sys.stderr)
        return EXIT_USAGE
    from grantdesk.services.learning import learning_report_data

    with _open(args) as db:
        report = learning_report_data(db, args.fund, args.theme)
    if kind == ".md":
        from grantdesk.reports.learning_report import learning_report_markdown

        out.write_text(learning_report_markdown(report), encoding="utf-8")
    else:
        from grantdesk.reports.learning_report import learning_report_pdf

        learning_report_pdf(report, out)
    print(f"Wrote {out}: the learning report for {args.fund.upper()}" + (f", theme “{args.theme}”" if args.theme else "")
          + ".")
    return EXIT_OK


def cmd_events_list(args) -> int:
    from grantdesk.services.events import list_events

    with _open(args) as db:
        events = list_events(db, args.fund)
    if args.json:
        _print_json([e.as_json() for e in events])
        return EXIT_OK
    if not events:
        print(f"Fund {args.fund.upper()} has no voting events yet.")
        return EXIT_OK
    rows = [[str(e.id), e.name, e.ballot_kind, e.rule, e.state, str(e.ballots_counted), str(e.spoilt),
             ", ".join(e.funded) or "—"] for e in events]
    print(_table(rows, ["id", "event", "ballot", "rule", "state", "ballots", "spoilt", "funded"]))
    return EXIT_OK


def cmd_events_export(args) -> int:
    from grantdesk.services.events import export_pabulib, get_event

    with _open(args) as db:
        event = get_event(db, args.event_id)
        path = export_pabulib(db, args.event_id, args.out)
    print(f"Wrote {path}: the accepted ballots of “{event.name}”. Count it again with "
          f"python -m grantdesk tally {path} --rule {event.rule}")
    return EXIT_OK


def cmd_events_receipts(args) -> int:
    from grantdesk.reports.receipts_list import draw_receipts
    from grantdesk.services.events import get_event, write_receipts

    with _open(args) as db:
        event = get_event(db, args.event_id)
        path, count = write_receipts(db, args.event_id, args.out, draw=draw_receipts)
    print(f"Wrote {path}: the {count} receipt{'s' if count != 1 else ''} counted in “{event.name}”, sorted, "
          "with no choices — to publish, so each voter can find theirs.")
    return EXIT_OK


def cmd_events_check_receipt(args) -> int:
    from grantdesk.services.events import check_receipt, get_event

    with _open(args) as db:
        event = get_event(db, args.event_id)
        counted = check_receipt(db, args.event_id, args.receipt)
    if counted:
        print(f"Counted: a ballot with receipt {args.receipt.strip().upper()} was counted in “{event.name}”.")
        return EXIT_OK
    print(f"Not found: no ballot counted in “{event.name}” has receipt {args.receipt.strip().upper()}. "
          "Check the number, or tell the officer running the vote.")
    return EXIT_REFUSED


def cmd_events_paper_ballots(args) -> int:
    from pathlib import Path

    from grantdesk.reports.paper_ballots import paper_ballots_pdf
    from grantdesk.services.events.paper import blank_ballots

    with _open(args) as db:
        blank = blank_ballots(db, args.event_id)
    out = Path(args.out)
    drawn = paper_ballots_pdf(blank.event, out, count=args.count, welsh=blank.welsh, first=args.first)
    print(f"Wrote {out}: {drawn.sheets} blank paper ballot{'s' if drawn.sheets != 1 else ''} for “{blank.event.name}”, "
          f"sheets {drawn.first} to {drawn.last}" + (", Welsh first" if blank.welsh else "") + ".")
    return EXIT_OK


def cmd_events_import(args) -> int:
    from grantdesk.services.events import import_pabulib

    with _open(args) as db:
        done = import_pabulib(db, args.fund, args.file, round_name=args.round, rule=args.rule)
    print(f"Imported {done.ballots} ballots on {done.projects} projects as event {done.event_id}: "
          f"“{done.name}” ({done.ballot_kind} ballot, rule {done.rule}), closed.")
    for note in done.notes:
        print(f"Note: {note}")
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    db_opt = argparse.ArgumentParser(add_help=False)
    db_opt.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="database file or SQLAlchemy URL (default: $GRANTDESK_DATABASE_URL, then the app's own database)",
    )
    db_opt.add_argument(
        "--user", metavar="NAME", default=argparse.SUPPRESS,
        help="sign in as this user (password from $GRANTDESK_PASSWORD, else asked); see “users”",
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
    from grantdesk import cli_db, cli_users

    cli_db.add_commands(db_commands, db_opt)  # verify (the audit trail's chain)
    from grantdesk import cli_backups

    cli_backups.add_commands(db_commands, db_opt)  # backup, restore
    cli_users.add_commands(commands, db_opt)  # users add|list|disable

    sample = commands.add_parser("sample", help="the sample funds")
    sample_commands = sample.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    sample_commands.add_parser("list", parents=[db_opt], help="list the sample funds").set_defaults(func=cmd_sample_list)
    load = sample_commands.add_parser(
        "load", parents=[db_opt], help="load sample funds (all when none named) into the sample database, "
        "grantdesk-samples.db next to the app's own (or into --db)")
    load.add_argument("names", nargs="*", metavar="NAME")
    load.set_defaults(func=cmd_sample_load)

    from grantdesk import cli_setup

    cli_setup.add_commands(commands, db_opt)  # funds, areas, rounds: setting a fund up

    applications = commands.add_parser("applications", help="applications")
    app_commands = applications.add_subparsers(dest="applications_command", metavar="ACTION", required=True)
    app_list = app_commands.add_parser("list", parents=[db_opt], help="list a fund's applications")
    app_list.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    app_list.add_argument("--json", action="store_true", help="print a JSON list, one object per application")
    app_list.set_defaults(func=cmd_applications_list)
    from grantdesk import cli_imports

    cli_imports.add_commands(app_commands, db_opt)  # import (with --set, --decide, --dry-run…) and fields

    letters = commands.add_parser(
        "letters", parents=[db_opt], help="print a fund's award, decline or deferral letters as one PDF",
        description="Each applicant's letter in their language (Welsh first for a bilingual fund), each starting "
                    "on a new page; every letter is recorded against its application.")
    letters.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    letters.add_argument("--kind", required=True, choices=["award", "decline", "deferral", "payment"],
                         help="payment: one confirmation per payment made")
    letters.add_argument("--round", metavar="ROUND",
                         help="only this round (its name, or part of it); by default the current round")
    letters.add_argument("--all-rounds", action="store_true", help="every round of the fund, not only the current one")
    letters.add_argument("--reissue", action="store_true",
                         help="also make again the letters already sent (by default they are left out)")
    letters.add_argument("--out", required=True, metavar="FILE.pdf")
    letters.add_argument("--split", metavar="DIR", help="also write one PDF per applicant, named by reference")
    letters.set_defaults(func=cmd_letters)

    learning = commands.add_parser("learning", help="what funded projects changed and what was learned")
    learning_commands = learning.add_subparsers(dest="learning_command", metavar="ACTION", required=True)
    lreport = learning_commands.add_parser(
        "report", parents=[db_opt], help="a learning report for a fund (or one theme) as PDF or Markdown",
        description="Counts and amounts, the themes with the notes' own words, what did not go to plan as well "
                    "as what did.")
    lreport.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. BBL")
    lreport.add_argument("--theme", metavar="THEME", help="only notes tagged with this theme")
    lreport.add_argument("--out", required=True, metavar="FILE.pdf|FILE.md")
    lreport.set_defaults(func=cmd_learning_report)

    members = commands.add_parser("members", help="elected members' pots")
    member_commands = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    report = member_commands.add_parser(
        "report", parents=[db_opt], help="spend per member for a financial year, for the scrutiny committee",
        description="One row per member: allotted, approved, paid and remaining, with totals.")
    report.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    report.add_argument("--year", required=True, type=int, metavar="YYYY",
                        help="the financial year starting in April of YYYY (2026 = 2026–27)")
    report.add_argument("--out", required=True, metavar="FILE.csv|FILE.pdf")
    report.add_argument("--awards", action="store_true",
                        help="write the published list of awards per member instead (the PDF report always "
                             "ends with it)")
    report.set_defaults(func=cmd_members_report)
    cli_setup.add_member_commands(member_commands, db_opt)

    from grantdesk.voting.rules import DESCRIPTIONS

    events = commands.add_parser("events", help="community voting events")
    event_commands = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    ev_list = event_commands.add_parser("list", parents=[db_opt], help="list a fund's voting events and their results")
    ev_list.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. BBL")
    ev_list.add_argument("--json", action="store_true",
                         help="print a JSON list: id, ballot type, rule, ballots counted, funded references")
    ev_list.set_defaults(func=cmd_events_list)
    ev_export = event_commands.add_parser("export", parents=[db_opt], help="write an event's ballots as a PaBuLib file")
    ev_export.add_argument("event_id", type=int, metavar="EVENT_ID")
    ev_export.add_argument("--out", required=True, metavar="FILE.pb")
    ev_export.set_defaults(func=cmd_events_export)
    ev_receipts = event_commands.add_parser(
        "receipts", parents=[db_opt], help="publish the receipts of an event's counted ballots (sorted, no choices)",
        description="Every receipt shown at the kiosk whose ballot is counted, sorted, with nothing else: a list "
                    "to put up at the venue or on the council's website so each voter can find theirs.")
    ev_receipts.add_argument("event_id", type=int, metavar="EVENT_ID")
    ev_receipts.add_argument("--out", required=True, metavar="FILE.csv|FILE.pdf")
    ev_receipts.set_defaults(func=cmd_events_receipts)
    ev_check = event_commands.add_parser(
        "check-receipt", parents=[db_opt], help="say whether a receipt's ballot was counted (exit 1 if not)")
    ev_check.add_argument("event_id", type=int, metavar="EVENT_ID")
    ev_check.add_argument("receipt", metavar="RECEIPT", help="the receipt number shown at the kiosk")
    ev_check.set_defaults(func=cmd_events_check_receipt)
    ev_paper = event_commands.add_parser(
        "paper-ballots", parents=[db_opt], help="print blank paper ballots, numbered, as the paper keying expects them",
        description="One A4 page for each sheet: its number, the event, the instruction for its ballot, and each "
                    "project with its number as the keying screen numbers them and a box to mark. Welsh first "
                    "for a fund under the Welsh Language Standards.")
    ev_paper.add_argument("event_id", type=int, metavar="EVENT_ID")
    ev_paper.add_argument("--out", required=True, metavar="FILE.pdf")
    ev_paper.add_argument("--count", type=int, default=100, metavar="N", help="how many sheets (default 100)")
    ev_paper.add_argument("--first", type=int, default=1, metavar="N",
                          help="the first sheet's number (default 1; for a second batch, the number after the last)")
    ev_paper.set_defaults(func=cmd_events_paper_ballots)
    ev_import = event_commands.add_parser(
        "import", parents=[db_opt], help="bring in a vote held elsewhere from a PaBuLib file, as a closed event",
        description="A new round with one shortlisted application per project, and a closed event holding every "
                    "ballot, counted as the file's META says (or by --rule). All or nothing.")
    ev_import.add_argument("file", metavar="FILE.pb", help="a PaBuLib file (https://pabulib.org/format)")
    ev_import.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. BBL")
    ev_import.add_argument("--round", metavar="NAME", help="the new round's name (default: from the file's META)")
    ev_import.add_argument("--rule", choices=list(DESCRIPTIONS), metavar="RULE",
                           help="count by this rule instead of the file's: " + ", ".join(DESCRIPTIONS))
    ev_import.set_defaults(func=cmd_events_import)

    def day(text: str):
        from datetime import date

        try:
            return date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” is not a date written YYYY-MM-DD") from None

    period = argparse.ArgumentParser(add_help=False)
    period.add_argument("--from", dest="since", type=day, metavar="YYYY-MM-DD", help="awards made on or after this day")
    period.add_argument("--to", dest="until", type=day, metavar="YYYY-MM-DD", help="awards made on or before this day")
    export = commands.add_parser("export", help="publish a fund's awards as open data")
    export_commands = export.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    ex360 = export_commands.add_parser(
        "360giving", parents=[db_opt, period], help="a 360Giving file (.json, .csv or .xlsx), checked against the "
        "official schema before it is written",
        description="The fund's own awards (not past grants brought in from other files). The quality report is "
                    "printed first; a file that would break the schema is not written.")
    ex360.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    ex360.add_argument("--out", required=True, metavar="FILE.json|FILE.csv|FILE.xlsx")
    ex360.set_defaults(func=cmd_export_360giving)
    extc = export_commands.add_parser(
        "transparency", parents=[db_opt, period],
        help="the Local Government Transparency Code CSV of grants to voluntary organisations")
    extc.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    extc.add_argument("--out", required=True, metavar="FILE.csv")
    extc.set_defaults(func=cmd_export_transparency)

    imports = commands.add_parser("import", help="bring past grants in from open data")
    import_commands = imports.add_subparsers(dest="import_command", metavar="FORMAT", required=True)
    im360 = import_commands.add_parser(
        "360giving", parents=[db_opt], help="past grants from a 360Giving file (.json, .csv or .xlsx)",
        description="Every grant is read first; if any cannot be read, each problem is printed (row and column) "
                    "and nothing is imported, unless --valid-only. Grants already in GrantDesk (same id) are skipped, "
                    "so a file can be imported again once its problems are fixed. Exit status: 0 imported, 1 nothing "
                    "imported, 3 imported with some grants left out (--valid-only; each listed).")
    im360.add_argument("file", metavar="FILE")
    im360.add_argument("--fund", required=True, metavar="CODE", help="the fund the grants belong to, e.g. PHP")
    im360.add_argument("--valid-only", action="store_true",
                       help="import the grants that can be read and leave out the others, listing each one's "
                            "problems by row and column (exit status 3)")
    im360.set_defaults(func=cmd_import_360giving)

    from grantdesk import cli_people

    cli_people.add_commands(commands, db_opt)  # retention plan|run, people find|export|erase

    tally = commands.add_parser(
        "tally", parents=[db_opt], help="count a PaBuLib .pb election and allocate its budget by a rule",
        description="Read a PaBuLib .pb file, run an allocation rule and explain the result step by step. "
                    "Ties are broken by project reference in alphabetical order, as pabutools does "
                    "(a file exported from a GrantDesk event is counted as the event counted). "
                    "(No database is used; --db is accepted and ignored.)",
        epilog="rules: " + "; ".join(f"{name}: {text}" for name, text in DESCRIPTIONS.items()))
    tally.add_argument("file", metavar="FILE.pb", help="a PaBuLib file (https://pabulib.org/format)")
    tally.add_argument("--rule", required=True, choices=list(DESCRIPTIONS), metavar="RULE",
                       help="one of: " + ", ".join(DESCRIPTIONS))
    tally.add_argument("--json", action="store_true",
                       help="print one JSON object: rule, selected, total_cost, tie_break, explanation")
    tally.set_defaults(func=cmd_tally)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_language(os.environ.get("GRANTDESK_LANG"))  # the core's messages: English unless GRANTDESK_LANG=cy
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except GrantDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageRefused) else EXIT_REFUSED
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
