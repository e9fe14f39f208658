"""``retention`` and ``people``: personal data from the command line.

``retention plan --fund CODE [--as-of DATE] [--json]`` lists what the fund's retention periods make due
(by kind, each reference with the day it fell due; no names). ``retention run --fund CODE [--as-of DATE]
[--yes]`` removes it, after asking unless ``--yes``.

``people find TEXT [--json]`` finds a person by name, e-mail or phone across contacts, individual
applicants, panellists and elected members; ``people export ID --out FILE.json|FILE.pdf`` writes
everything held about them; ``people erase ID [--yes]`` erases their details on request (refused, with
the reason, while a legal basis holds them).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from grantdesk.cli_common import EXIT_OK, EXIT_REFUSED, _open, _print_json, _table

__all__ = ["add_commands"]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date written YYYY-MM-DD") from None


def add_commands(commands, db_opt: argparse.ArgumentParser) -> None:
    retention = commands.add_parser("retention", help="remove personal details past the fund's retention periods")
    actions = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    plan = actions.add_parser(
        "plan", parents=[db_opt], help="list what is due for removal (by kind, references and dates only)",
        description="Unsuccessful applications are kept for the fund's retention_unsuccessful_years after the "
                    "decision (default 2), awards for retention_award_years after the end of their financial year "
                    "(default 6), drafts never submitted for retention_draft_years after their last change "
                    "(default 1).")
    plan.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    plan.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help="the day to plan for (default today)")
    plan.add_argument("--json", action="store_true", help="print one JSON object: counts by kind and each record due")
    plan.set_defaults(func=cmd_retention_plan)
    run = actions.add_parser(
        "run", parents=[db_opt], help="remove the personal details that are due, in one go (asks first)",
        description="Names, e-mails, phones, addresses, documents and answers go; amounts, dates, areas, outcomes "
                    "and organisations' public identifiers stay, so reports and open data still add up. Audited "
                    "with counts only.")
    run.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    run.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help="the day to run for (default today)")
    run.add_argument("--yes", action="store_true", help="do not ask first")
    run.set_defaults(func=cmd_retention_run)

    people = commands.add_parser("people", help="find a person, export what is held about them, erase it")
    people_actions = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    find = people_actions.add_parser(
        "find", parents=[db_opt], help="find a person by name, e-mail or phone (any case)",
        description="Across contacts, individual applicants, panellists and elected members. Each is shown with "
                    "its id (contact:12, individual:5, panellist:3, member:7) for export and erase.")
    find.add_argument("text", metavar="TEXT")
    find.add_argument("--json", action="store_true", help="print a JSON list: id, kind, name, email, phone, where")
    find.set_defaults(func=cmd_people_find)
    export = people_actions.add_parser(
        "export", parents=[db_opt], help="write everything held about a person (subject access)",
        description="Their details, the applications about them and the decisions made, letters sent, notes that "
                    "name them and the audit entries about their records.")
    export.add_argument("person", metavar="ID", help="as people find shows it, e.g. contact:12")
    export.add_argument("--out", required=True, metavar="FILE.json|FILE.pdf")
    export.set_defaults(func=cmd_people_export)
    erase = people_actions.add_parser(
        "erase", parents=[db_opt], help="erase a person's details on their request (asks first)",
        description="Refused, with the reason, while a legal basis holds the record: an award still inside its "
                    "retention period (until when is said), or an application still being decided.")
    erase.add_argument("person", metavar="ID", help="as people find shows it, e.g. contact:12")
    erase.add_argument("--yes", action="store_true", help="do not ask first")
    erase.set_defaults(func=cmd_people_erase)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} Not done: run again with --yes to confirm.", file=sys.stderr)
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _plan_lines(plan) -> str:
    from grantdesk.domain.retention import KIND_LABELS

    p = plan.periods
    head = (f"{plan.fund_name} ({plan.fund_code}) as of {plan.as_of:%d/%m/%Y}: unsuccessful kept {p.unsuccessful_years} "
            f"year(s) after the decision, awards {p.award_years} after their financial year, drafts {p.draft_years} "
            "after their last change.")
    counts = ", ".join(f"{n} {KIND_LABELS[k].lower()}{'s' if n != 1 else ''}" for k, n in plan.counts.items())
    lines = [head, f"Due: {counts}. Still held: {plan.held}. Removed before: {plan.erased_before}."]
    if plan.due:
        lines.append(_table([[KIND_LABELS[r.kind], r.reference, f"{r.held_until:%d/%m/%Y}", f"{r.due_on:%d/%m/%Y}"]
                             for r in plan.due], ["KIND", "REFERENCE", "KEPT UNTIL", "DUE FROM"]))
    return "\n".join(lines)


def cmd_retention_plan(args) -> int:
    from grantdesk.services.retention import retention_plan

    with _open(args) as db:
        plan = retention_plan(db, args.fund, args.as_of)
    if args.json:
        _print_json(plan.as_json())
    else:
        print(_plan_lines(plan))
    return EXIT_OK


def cmd_retention_run(args) -> int:
    from grantdesk.services.retention import retention_plan, run_retention

    with _open(args) as db:
        plan = retention_plan(db, args.fund, args.as_of)
        if not plan.due:
            print(f"Nothing is due for removal in {plan.fund_code} as of {plan.as_of:%d/%m/%Y}.")
            return EXIT_OK
        if not args.yes:
            print(_plan_lines(plan))
            if not _confirm(f"Remove the personal details of these {len(plan.due)} application(s)? This cannot "
                            "be undone."):
                return EXIT_REFUSED
        result = run_retention(db, args.fund, as_of=plan.as_of)
    print(f"Removed personal details of {result.applications} application(s) in {result.fund_code}: "
          f"{result.erased.summary()}.")
    return EXIT_OK


def cmd_people_find(args) -> int:
    from grantdesk.services.people import find_people

    with _open(args) as db:
        hits = find_people(db, args.text)
    if args.json:
        _print_json([h.as_json() for h in hits])
        return EXIT_OK
    if not hits:
        print(f"Nobody found for “{args.text}”.")
        return EXIT_OK
    print(_table([[h.person_id, h.kind_label, h.name, h.email, h.phone, h.where] for h in hits],
                 ["ID", "KIND", "NAME", "E-MAIL", "PHONE", "WHERE"]))
    return EXIT_OK


def cmd_people_export(args) -> int:
    from grantdesk.reports.subject_access import save_subject_access
    from grantdesk.services.people import subject_access

    with _open(args) as db:
        record = subject_access(db, args.person)
    path = save_subject_access(record, args.out)
    print(f"Wrote everything held about {record.person_id} to {path} ({len(record.applications)} application(s), "
          f"{len(record.letters)} letter(s), {len(record.notes)} note(s), {len(record.audit)} audit entr"
          f"{'y' if len(record.audit) == 1 else 'ies'}).")
    return EXIT_OK


def cmd_people_erase(args) -> int:
    from grantdesk.domain.errors import ValidationError
    from grantdesk.services.people import erase_person, erasure_check

    with _open(args) as db:
        check = erasure_check(db, args.person)
        if not check.allowed:
            raise ValidationError(f"{check.person_id}'s details cannot be erased now, because a legal basis holds "
                                  "them: " + "; ".join(check.reasons) + ". Nothing was removed.")
        if not args.yes and not _confirm(f"Erase {check.name} ({check.person_id}) and their details on "
                                         f"{check.applications} application(s)? This cannot be undone."):
            return EXIT_REFUSED
        result = erase_person(db, args.person)
    print(f"Erased {result.person_id}: {result.erased.summary()}.")
    return EXIT_OK
