"""``applications import`` and ``applications fields``: importing an online-form export from the
command line, with the same checks, matches to confirm and duplicates as the dialog.

``applications import FILE --fund CODE [--mapping FILE.json] [--set FIELD=VALUE]… [--decide KEY=CHOICE]…
[--dry-run] [--valid-only] [--rejected PATH] [--json]``

- the columns are matched by the fund's saved mapping, then by synonyms and question wording; a
  ``--mapping`` file's entries win (``{"File column": "field"}``, or ``{"columns": {…}, "constants":
  {…}}`` as GrantDesk saves it);
- ``--set FIELD=VALUE`` gives one value to every row for a field the file does not have (repeat it
  for several; ``--set FIELD=`` forgets a value saved last time); the values saved with the fund's
  mapping are used for the fields the file leaves out;
- ``--decide ROW:KIND=CHOICE`` settles a match to confirm (``12:organisation=same|different``,
  ``12:contact=same|different``) or a likely duplicate (``14:duplicate=skip|import``); ``KIND=CHOICE``
  settles every one of that kind. Without a decision for each, nothing is imported — unless
  ``--valid-only``: then the names go in as given, flagged for review, and duplicates are skipped;
- the mapping used (and the values given for every row) is saved for the fund in the same
  transaction as the import;
- ``--dry-run`` writes nothing at all — no application, no saved mapping, no rejected-rows file (with
  ``--valid-only`` it says where that file would go) — and exits as the import would (0, 1 or 3);
- ``--rejected PATH`` is where ``--valid-only`` writes the rows it could not import (default:
  ``FILE.rejected.csv`` next to the file);
- ``--json`` prints one object: what was (or would be) imported, every rejected row with its problems
  by column, the duplicates, the rows imported before and the matches to confirm.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from grantdesk.cli_common import EXIT_LEFT_OUT, EXIT_OK, EXIT_REFUSED, _open, _print_json, _table
from grantdesk.domain.errors import ValidationError

__all__ = ["add_commands", "cmd_applications_import", "cmd_applications_fields"]


def add_commands(app_commands, db_opt: argparse.ArgumentParser) -> None:
    """``applications import`` and ``applications fields``."""
    app_import = app_commands.add_parser(
        "import", parents=[db_opt], help="import applications from an online-form export (.csv or .xlsx)",
        description="Check every row first; if any row has a problem nothing is imported (unless --valid-only; "
                    "exit status 3 then says rows were left out, as import 360giving does). "
                    "Columns are matched to fields by the fund's saved mapping, else by field names, synonyms and "
                    "question wording; the mapping used is saved for the fund with the import. A charity number or "
                    "e-mail that another name holds is a match to confirm, and a likely duplicate a decision "
                    "(--decide); rows imported before are skipped, so importing a file again adds nothing.",
        epilog="Decisions: ROW:organisation=same|different, ROW:contact=same|different, ROW:duplicate=skip|import "
               "(the row the check names), or KIND=CHOICE for every one of a kind. Exit 0 when imported (or, with "
               "--dry-run, when it would be), 1 when nothing was (or would be).")
    app_import.add_argument("file", metavar="FILE", help="the .csv or .xlsx file")
    app_import.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    app_import.add_argument("--mapping", metavar="MAPPING.json",
                            help='which column holds which field: {"File column": "field", …} ("" ignores a column)')
    app_import.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="constants",
                            help="one value for every row, for a field the file does not have (repeatable), "
                                 "e.g. --set organisation_type=community_group")
    app_import.add_argument("--decide", action="append", default=[], metavar="KEY=CHOICE", dest="decisions",
                            help="settle a match to confirm or a likely duplicate (repeatable), e.g. "
                                 "--decide 12:organisation=different --decide duplicate=skip")
    app_import.add_argument("--dry-run", action="store_true",
                            help="check and say what would be imported; write nothing at all")
    app_import.add_argument("--valid-only", action="store_true",
                            help="import the valid rows (names as given, flagged, where a match is undecided; "
                                 "undecided duplicates skipped) and write the others to FILE.rejected.csv")
    app_import.add_argument("--rejected", metavar="PATH",
                            help="where --valid-only writes the rows not imported (default FILE.rejected.csv)")
    app_import.add_argument("--json", action="store_true",
                            help="print one JSON object: imported (or would be), rejected rows with their problems "
                                 "by column, duplicates, rows imported before, matches to confirm")
    app_import.set_defaults(func=cmd_applications_import)

    fields = app_commands.add_parser(
        "fields", parents=[db_opt], help="list the field names an import can fill, with their labels",
        description="The names to use in a --mapping file and with --set: the application form's fields, the "
                    "form's response id, then the fund's own questions (answers.<key>).")
    fields.add_argument("--fund", required=True, metavar="CODE", help="fund code, e.g. PHP")
    fields.add_argument("--json", action="store_true", help="print a JSON list of {name, label, required}")
    fields.set_defaults(func=cmd_applications_fields)


# --- fields -------------------------------------------------------------------------------------------


def cmd_applications_fields(args) -> int:
    from grantdesk.services.imports import importable_fields, required_fields

    with _open(args) as db:
        fields = importable_fields(db, args.fund)
        required = set(required_fields(db, args.fund))
    if args.json:
        _print_json([{"name": n, "label": label, "required": n in required} for n, label in fields.items()])
        return EXIT_OK
    print(_table([[n, label, "yes" if n in required else ""] for n, label in fields.items()],
                 ["FIELD", "LABEL", "REQUIRED"]))
    return EXIT_OK


# --- import -------------------------------------------------------------------------------------------


def cmd_applications_import(args) -> int:
    from grantdesk.io.tabular import read_table
    from grantdesk.services.imports import (
        DecisionsNeeded,
        ImportRefused,
        check_import,
        run_import,
        saved_constants,
        suggest_mapping,
    )

    table = read_table(Path(args.file))
    given, given_constants = _read_mapping(Path(args.mapping)) if args.mapping else (None, {})
    sets = _pairs(args.constants, "--set", "FIELD=VALUE", "--set organisation_type=community_group")
    decisions = _pairs(args.decisions, "--decide", "KEY=CHOICE", "--decide 12:organisation=same")
    rejected_path = Path(args.rejected) if args.rejected else None
    with _open(args) as db:
        mapping = suggest_mapping(db, args.fund, table.headers)
        if given is not None:
            mapping.update(given)  # the file's entries win; other columns are matched as usual
        mapped = {v for v in mapping.values() if v}
        constants = {k: v for k, v in {**saved_constants(db, args.fund), **given_constants}.items() if k not in mapped}
        constants.update(sets)
        constants = {k: v for k, v in constants.items() if v != ""}  # --set FIELD= forgets a saved value
        plan = check_import(db, args.fund, table, mapping, constants=constants, decisions=decisions)
        if plan.unused_decisions:
            keys = ", ".join(plan.undecided + [d.key for d in plan.duplicates if d.decision] +
                             [m.key for m in plan.matches if m.decision]) or "none"
            raise ValidationError(
                f"--decide {', '.join(plan.unused_decisions)}: {table.source} has no match to confirm or likely "
                f"duplicate there (this file's: {keys}); nothing was imported.")
        if args.dry_run:
            return _dry_run(plan, args, rejected_path)
        try:
            result = run_import(db, plan, valid_only=args.valid_only, rejected_path=rejected_path,
                                remember_mapping=True)
        except DecisionsNeeded as exc:
            return _decisions_needed(plan, exc.matches, exc.duplicates, str(exc), args)
        except ImportRefused as exc:
            return _refused(plan, exc.problems, str(exc), args)
    done = EXIT_LEFT_OUT if _left_out(plan) else EXIT_OK
    if args.json:
        _print_json(_report(plan, dry_run=False, imported=result.imported, rows=result.rows,
                            references=result.references, rejected_file=result.rejected_file))
        return done
    _say_done(plan, result)
    return done


def _left_out(plan) -> bool:
    """Whether rows with problems were left out (only a --valid-only import gets this far with any)."""
    return any(p.row > 1 for p in plan.problems)


def _dry_run(plan, args, rejected_path: Path | None) -> int:
    """Say what the import would do, writing nothing (the same refusals as the import, in the future tense)."""
    from grantdesk.services.imports import rejected_target

    mapping_problems = [p for p in plan.problems if p.row == 1]
    refusal = None
    if mapping_problems or plan.valid_rows == 0:
        refusal = "the column mapping needs attention" if mapping_problems else "no row can be imported"
    elif plan.problems and not args.valid_only:
        bad = len({p.row for p in plan.problems})
        refusal = f"{bad} row{'s have' if bad != 1 else ' has'} problems"
    elif plan.undecided and not args.valid_only:
        open_ = len(plan.undecided)
        refusal = (f"{open_} match{'es' * (open_ != 1)} to confirm or likely duplicate{'s' * (open_ != 1)} "
                   f"{'need' if open_ != 1 else 'needs'} a decision")
    rejected = len({p.row for p in plan.problems if p.row > 1})
    target = rejected_target(plan.table, rejected_path) if args.valid_only and rejected and not refusal else None
    if args.json:
        report = _report(plan, dry_run=True, imported=0 if refusal else len(plan.rows), rows=plan.rows,
                         references={}, rejected_file=target)
        report["refused"] = f"Nothing would be imported: {refusal}." if refusal else None
        _print_json(report)
        return EXIT_REFUSED if refusal else (EXIT_LEFT_OUT if target is not None else EXIT_OK)
    print("Dry run: nothing was written.")
    if refusal:
        for problem in plan.problems:
            print(problem, file=sys.stderr)
        _print_undecided(plan.matches, plan.duplicates)
        print(f"Nothing would be imported: {refusal}.", file=sys.stderr)
        return EXIT_REFUSED
    n = len(plan.rows)
    print(f"Would import {n} application{'s' * (n != 1)} into {plan.fund_code}.")
    _print_details(plan, plan.rows, {})
    if target is not None:
        print(f"{rejected} row{'s' * (rejected != 1)} would not be imported (they would go to {target}):")
        for problem in plan.problems:
            print(f"  {problem}")
        return EXIT_LEFT_OUT
    return EXIT_OK


def _say_done(plan, result) -> None:
    if result.imported == 0 and result.already_imported:
        print(f"Nothing new to import into {plan.fund_code}.")
    else:
        print(f"Imported {result.imported} application{'s' * (result.imported != 1)} into {plan.fund_code}.")
    _print_details(plan, result.rows, result.references, decided_only=True)
    if plan.already_imported:
        from grantdesk.services.imports import left_out_before

        print(left_out_before(plan.already_imported))
    if result.rejected_file is not None:
        print(f"{result.rejected} row{'s were' if result.rejected != 1 else ' was'} not imported; "
              f"they are in {result.rejected_file} with a Problems column.")


def _print_details(plan, rows, references: dict[int, str], *, decided_only: bool = False) -> None:
    """The duplicates skipped and the applications flagged for review, one line each."""
    for d in plan.duplicates:
        if d.decision == "import":
            continue
        verb = "Skipped" if decided_only else "Would skip"
        print(f"{verb} row {d.row} (likely duplicate): {d.message}.")
    for row in rows:
        for flag in row.flags:
            where = f"row {row.row}" + (f" ({references[row.row]})" if row.row in references else "")
            print(f"Review {where}: {flag.removeprefix('To review: ')}")


def _print_undecided(matches, duplicates) -> None:
    for m in matches:
        if m.decision is None:
            print(f"row {m.row}: match to confirm — {m.message} (--decide {m.key}=same|different)", file=sys.stderr)
    for d in duplicates:
        if d.decision is None:
            print(f"row {d.row}: likely duplicate — {d.message} (--decide {d.key}=skip|import)", file=sys.stderr)


def _decisions_needed(plan, matches, duplicates, message: str, args) -> int:
    if args.json:
        report = _report(plan, dry_run=False, imported=0, rows=[], references={}, rejected_file=None)
        report["refused"] = message
        _print_json(report)
        return EXIT_REFUSED
    _print_undecided(matches, duplicates)
    parts = []
    if matches:
        parts.append(f"{len(matches)} match{'es' * (len(matches) != 1)} to confirm")
    if duplicates:
        parts.append(f"{len(duplicates)} likely duplicate{'s' * (len(duplicates) != 1)}")
    print(f"Nothing was imported: {' and '.join(parts)} {'needs' if len(matches) + len(duplicates) == 1 else 'need'} "
          "a decision. Give --decide KEY=CHOICE for each (or KIND=CHOICE for all of a kind), or use --valid-only "
          "to import the names as given, flagged for review, and skip the duplicates.", file=sys.stderr)
    return EXIT_REFUSED


def _refused(plan, problems, message: str, args) -> int:
    """Every problem on its own line (``row 12, column “Amount”: …``), then that nothing was imported."""
    if args.json:
        report = _report(plan, dry_run=False, imported=0, rows=[], references={}, rejected_file=None)
        report["refused"] = message
        _print_json(report)
        return EXIT_REFUSED
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = len({p.row for p in problems if p.row > 1})
    noun = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
    where = f" in {rows} row{'s' * (rows != 1)}" if rows else ""
    if any(p.row == 1 for p in problems):
        advice = "Fix the column mapping (see --mapping and --set) and import again."
    elif args.valid_only:
        advice = "No row could be imported; fix them and import again."
    else:
        advice = "Fix them and import again, or use --valid-only to import the other rows."
    print(f"Nothing was imported: {noun}{where}. {advice}", file=sys.stderr)
    return EXIT_REFUSED


def _report(plan, *, dry_run: bool, imported: int, rows, references: dict[int, str],
            rejected_file: Path | None) -> dict[str, Any]:
    """The one JSON object ``--json`` prints."""
    from grantdesk.domain.money import plain_amount

    rejected: dict[int, dict[str, str]] = {}
    for p in plan.problems:
        if p.row > 1:
            rejected.setdefault(p.row, {})[p.column] = p.message
    return {
        "fund": plan.fund_code,
        "file": plan.table.source,
        "dry_run": dry_run,
        "refused": None,
        "rows": plan.total_rows,
        "imported": imported,
        "applications": [{
            "row": r.row, "reference": references.get(r.row), "organisation": r.organisation,
            "new_organisation": r.new_organisation, "contact_name": r.contact_name, "contact_email": r.contact_email,
            "contact_language": r.contact_language if r.contact_name else None, "title": r.title,
            "amount_requested": plain_amount(r.amount_requested_pence),
            "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None, "round": r.round,
            "review": list(r.flags),
        } for r in rows],
        "rejected": [{"row": row, "problems": found} for row, found in sorted(rejected.items())],
        "rejected_file": str(rejected_file) if rejected_file is not None else None,
        "mapping_problems": [{"column": p.column, "message": p.message} for p in plan.problems if p.row == 1],
        "duplicates": [{
            "row": d.row, "key": d.key, "message": d.message, "of_row": d.of_row, "of_reference": d.of_reference,
            "same_submission": d.same_submission, "decision": d.decision, "choices": ["skip", "import"],
        } for d in plan.duplicates],
        "already_imported": [{"row": a.row, "reference": a.reference, "skipped_as_duplicate": a.skipped}
                             for a in plan.already_imported],
        "matches": [{
            "key": m.key, "kind": m.kind, "rows": list(m.rows), "given": m.given, "stored": m.stored, "by": m.by,
            "stored_row": m.stored_row, "message": m.message, "decision": m.decision, "choices": ["same", "different"],
        } for m in plan.matches],
        "mapping": {h: f for h, f in plan.mapping.items() if f},
        "constants": dict(plan.constants),
    }


def _pairs(items: list[str], option: str, shape: str, example: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"{option} “{item}” is not {shape}; write it as {example}.")
        pairs[name.strip()] = value.strip()
    return pairs


def _read_mapping(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(columns, constants) from a mapping file: ``{"File column": "field", …}``, or ``{"columns": {…},
    "constants": {…}}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ValidationError(f"There is no mapping file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"The mapping file {path} cannot be read: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"The mapping file {path} is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    constants: Any = {}
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data, constants = data["columns"], data.get("constants") or {}

    def flat(value: Any) -> bool:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                               for k, v in value.items())

    if not flat(data) or not flat(constants):
        raise ValidationError(
            f"The mapping file {path} must be a JSON object of column names and field names, such as "
            '{"Group name": "organisation", "How much?": "amount_requested"}.')
    return {k: v or "" for k, v in data.items()}, {k: v or "" for k, v in constants.items()}
