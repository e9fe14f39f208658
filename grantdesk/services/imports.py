"""Importing applications from online-form exports (CSV or XLSX), checked before anything is written.

The dialog and the CLI share these steps:

1. ``read_table`` (``grantdesk.io.tabular``) reads the file;
2. ``suggest_mapping`` proposes which column holds which field (the fund's saved mapping first, then
   columns named like a field or its label);
3. ``check_import`` validates every row through the one validation path (``clean_draft`` plus the
   fund's areas and rounds), and returns an ``ImportPlan``: problems by row and column, likely
   duplicates, counts. It writes nothing;
4. ``run_import`` checks again inside the write transaction and imports, all or nothing (or only
   the valid rows, writing the others to a ``.rejected.csv``).

Imported applications arrive as *submitted*, with the history draft → submitted, references from
the fund's counter as one block, and organisations and contacts found or created the way the
application form finds them. Rows go in with SQLAlchemy's bulk ``insert`` (executemany), so 10,000
rows take seconds. ``progress.report(done, total, label)`` is called every ``PROGRESS_EVERY`` rows;
if it raises (the dialog's Cancel), the transaction is rolled back and the database is untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grantdesk.domain.applications import (
    FIELDS,
    REQUIRED,
    ApplicationDraft,
    CleanApplication,
    FieldErrors,
    clean_draft,
)
from grantdesk.domain.dates import financial_year_of
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.questions import Question
from grantdesk.domain.workflow import Status
from grantdesk.io.tabular import Table, is_blank, write_csv
from grantdesk.services.applications import READ_ONLY_FIELDS
from grantdesk.services.bulk import People, allocate_references, chunks, insert_rows, resolve
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.editing import FundLookups
from grantdesk.services.questions import questions_for
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Application,
    Fund,
    ImportMapping,
    Organisation,
    ReferenceCounter,
    Round,
    StatusChange,
)

__all__ = [
    "Problem",
    "Duplicate",
    "ImportPlan",
    "ImportResult",
    "ImportRefused",
    "Progress",
    "importable_fields",
    "suggest_mapping",
    "check_import",
    "run_import",
    "save_mapping",
    "saved_mapping",
    "PROGRESS_EVERY",
    "CHECKING",
    "SAVING",
]

PROGRESS_EVERY = 500
CHECKING = "Checking rows"
SAVING = "Saving applications"
MAPPING_NAME = "default"


class Progress(Protocol):
    def report(self, done: int, total: int, label: str) -> None: ...


@dataclass(frozen=True)
class Problem:
    """Something wrong with one cell (or, at row 1, with the mapping). ``row`` is the spreadsheet
    row number (the header is row 1); ``column`` is the file's header text, or the field's label when
    no column holds that field."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        """``row 12, column “Amount”: …``, as the CLI prints it."""
        if not self.column:
            return f"row {self.row}: {self.message}"
        return f"row {self.row}, column “{self.column}”: {self.message}"


@dataclass(frozen=True)
class Duplicate:
    """A row that looks like an application already made (flagged, not refused)."""

    row: int
    message: str


@dataclass(frozen=True)
class ImportPlan:
    fund_code: str
    table: Table
    mapping: dict[str, str]  # file header → field name, "" to ignore
    problems: list[Problem]
    duplicates: list[Duplicate]
    ignored_columns: list[str]
    total_rows: int  # rows with anything in them
    valid_rows: int  # rows that would be imported (0 while the mapping itself has a problem)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    imported: int
    rejected: int
    rejected_file: Path | None
    message: str


class ImportRefused(GrantDeskError):
    """Nothing was imported. The message summarises why; ``problems`` lists every one."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        super().__init__(message)
        self.problems = list(problems)


# --- fields and mappings ------------------------------------------------------------------------------


def _fields(questions: Iterable[Question]) -> dict[str, str]:
    fields = dict(FIELDS)
    for q in questions:
        fields[q.field] = q.label
    return fields


def importable_fields(db: Database, fund_code: str) -> dict[str, str]:
    """Field name → label: the application form's fields, then ``answers.<key>`` for each of the
    fund's own questions."""
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, fund_code)
        return _fields(questions_for(uow.session, fund.id))


def _norm(text: str) -> str:
    return "".join(str(text).casefold().split()).replace("_", "")


def _saved(session: Session, fund_id: int) -> dict[str, str] | None:
    row = session.scalar(
        select(ImportMapping).where(ImportMapping.fund_id == fund_id, ImportMapping.name == MAPPING_NAME))
    return {str(k): str(v or "") for k, v in (row.mapping or {}).items()} if row is not None else None


def _suggest(headers: list[str], questions: tuple[Question, ...], saved: dict[str, str] | None) -> dict[str, str]:
    """The fund's saved mapping first, then synonyms and question wording (``domain.form_headers``)."""
    from grantdesk.domain.form_headers import suggest_columns

    return suggest_columns(headers, _fields(questions), questions=questions, saved=saved, ignore=READ_ONLY_FIELDS)


def suggest_mapping(db: Database, fund_code: str, headers: list[str]) -> dict[str, str]:
    """A mapping for every header: the fund's saved mapping where its headers match, else the field
    whose name or label the header spells (ignoring case, spaces and underscores). The read-only
    fields of ``applications list --json`` (id, reference, fund, status, created_at, updated_at) and
    anything unrecognised map to "" (ignored)."""
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        return _suggest(list(headers), questions_for(s, fund.id), _saved(s, fund.id))


def saved_mapping(db: Database, fund_code: str) -> dict[str, str] | None:
    """The fund's saved mapping (file column → field), or None if none was saved."""
    with db.unit_of_work() as uow:
        return _saved(uow.session, fund_by_code(uow.session, fund_code).id)


@transactional
def save_mapping(uow: UnitOfWork, fund_code: str, mapping: dict[str, str], *, actor: str | None = None) -> None:
    """Keep ``mapping`` as the fund's mapping for next time (replacing any before), audited."""
    who = actor_or_default(actor)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    fields = _fields(questions_for(s, fund.id))
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, name in mapping.items():
        column, name = str(column).strip(), str(name or "").strip()
        if not column:
            raise ValidationError("A mapping names a column with no name.", "mapping")
        if name and name not in fields:
            raise ValidationError(
                f"Column “{column}” is mapped to “{name}”, which is not a field of fund {fund.code}.", "mapping")
        if name and name in used:
            raise ValidationError(
                f"Columns “{used[name]}” and “{column}” are both mapped to {fields[name]}; map only one.",
                "mapping")
        if name:
            used[name] = column
        clean[column] = name
    row = s.scalar(select(ImportMapping).where(ImportMapping.fund_id == fund.id,
                                               ImportMapping.name == MAPPING_NAME))
    before = dict(row.mapping) if row is not None else None
    now = utcnow()
    if row is None:
        row = ImportMapping(fund_id=fund.id, name=MAPPING_NAME, mapping=clean, updated_at=now, updated_by=who)
        s.add(row)
    else:
        row.mapping, row.updated_at, row.updated_by = clean, now, who
    s.flush()
    audit(s, actor=who, action="import_mapping.save", entity="fund", entity_id=fund.id,
          summary=f"Saved the import mapping for {fund.code} ({len(used)} of {len(clean)} columns used)",
          before={"mapping": before} if before is not None else None, after={"mapping": clean})


# --- checking -----------------------------------------------------------------------------------------


@dataclass
class _Good:
    number: int
    clean: CleanApplication
    area_id: int | None
    round: Round | None


@dataclass
class _Analysis:
    mapping: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    total: int = 0
    good: list[_Good] = field(default_factory=list)
    rejected: dict[int, list[Problem]] = field(default_factory=dict)
    structural: list[Problem] = field(default_factory=list)  # the mapping, or an empty file

    @property
    def mapping_ok(self) -> bool:
        return not self.structural


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _report(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress.report(done, total, label)


def _analyse(session: Session, fund: Fund, table: Table, mapping: dict[str, str], progress: Progress | None,
             today: date) -> _Analysis:
    questions = questions_for(session, fund.id)
    fields = _fields(questions)
    lookups = FundLookups(session, fund)
    headers = list(table.headers)
    given = {str(k).strip(): str(v or "").strip() for k, v in (mapping or {}).items()}
    result = _Analysis(mapping={h: given.get(h, "") for h in headers})
    problems = result.problems

    # The mapping itself: problems at row 1, reported once rather than on every row.
    for column in given:
        if column not in result.mapping:
            problems.append(Problem(1, column, f"There is no column called “{column}” in {table.source}."))
    used: list[tuple[int, str]] = []  # (column index, field)
    header_of: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = result.mapping[header]
        if not name:
            result.ignored.append(header)
        elif name not in fields:
            problems.append(Problem(1, header, f"“{name}” is not a field of fund {fund.code}; choose one of its "
                                               "fields, or ignore the column."))
        elif name in header_of:
            problems.append(Problem(1, header, f"Both “{header_of[name]}” and “{header}” are mapped to "
                                               f"{fields[name]}; map only one column to it."))
        else:
            header_of[name] = header
            used.append((index, name))
    required = [*REQUIRED, *(q.field for q in questions if q.required)]
    unmapped_required = [f for f in required if f not in header_of]
    for name in unmapped_required:
        problems.append(Problem(1, fields[name], f"No column is mapped to {fields[name]}."))
    result.structural = list(problems)
    order = {name: i for i, (_, name) in enumerate(used)}

    # Every row, through the one validation path.
    rows_total = len(table.rows)
    for i, row in enumerate(table.rows):
        if i % PROGRESS_EVERY == 0:
            _report(progress, i, rows_total, CHECKING)
        if all(is_blank(c) for c in row):
            continue
        number = i + 2
        result.total += 1
        values: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        for index, name in used:
            value = row[index] if index < len(row) else None
            if isinstance(value, float):  # a spreadsheet number: its digits, never its binary value
                value = repr(value)
            if name.startswith("answers."):
                answers[name.removeprefix("answers.")] = value
            else:
                values[name] = value
        draft = ApplicationDraft(**values, answers=answers)
        errors: dict[str, str] = {}
        clean: CleanApplication | None = None
        try:
            clean = clean_draft(draft, questions, default_language=fund.default_language)
        except FieldErrors as exc:
            errors.update(exc.errors)
        area = rnd = None
        try:
            area = lookups.area(_text(draft.area))
        except ValidationError as exc:
            errors["area"] = str(exc)
        try:
            rnd = lookups.round(_text(draft.round), clean.submitted_on if clean and clean.submitted_on else today)
        except ValidationError as exc:
            errors["round"] = str(exc)
        for name in unmapped_required:
            errors.pop(name, None)
        if errors:
            found = [Problem(number, header_of.get(n) or fields.get(n, n), m)
                     for n, m in sorted(errors.items(), key=lambda e: order.get(e[0], len(order)))]
            problems.extend(found)
            result.rejected[number] = found
        elif clean is not None:
            result.good.append(_Good(number, clean, area.id if area else None, rnd))
    _report(progress, rows_total, rows_total, CHECKING)
    if result.total == 0:
        empty = Problem(2, "", f"There are no applications in {table.source}: nothing under the header row.")
        problems.append(empty)
        result.structural.append(empty)
    result.duplicates = _duplicates(session, fund, result.good)
    return result


def _same_organisation(charity_a: str | None, name_a: str, charity_b: str | None, name_b: str) -> bool:
    """By charity number when both have one, else by name (ignoring case)."""
    if charity_a and charity_b:
        return charity_a == charity_b
    return name_a == name_b


def _duplicates(session: Session, fund: Fund, good: list[_Good]) -> list[Duplicate]:
    """Rows with the same organisation and title (ignoring case) in the same round as an application
    already in the fund, or as an earlier row of the file."""
    existing: dict[tuple[int | None, str], list[tuple[str | None, str, str]]] = {}
    for reference, round_id, title, name, charity in session.execute(
        select(Application.reference, Application.round_id, Application.title, Organisation.name,
               Organisation.charity_number)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.fund_id == fund.id)
        .order_by(Application.reference)
    ):
        existing.setdefault((round_id, title.casefold()), []).append((charity, name.casefold(), reference))
    seen: dict[tuple[int | None, str], list[tuple[str | None, str, int]]] = {}
    duplicates: list[Duplicate] = []
    for g in good:
        key = (g.round.id if g.round is not None else None, g.clean.title.casefold())
        charity, name = g.clean.charity_number, g.clean.organisation.casefold()
        in_db = next((ref for c, n, ref in existing.get(key, ()) if _same_organisation(charity, name, c, n)), None)
        earlier = next((row for c, n, row in seen.get(key, ()) if _same_organisation(charity, name, c, n)), None)
        if in_db is not None:
            duplicates.append(Duplicate(g.number, f"Same organisation and title as {in_db} already in this round"))
        elif earlier is not None:
            duplicates.append(Duplicate(g.number, f"Same organisation and title as row {earlier}"))
        seen.setdefault(key, []).append((charity, name, g.number))
    return duplicates


def check_import(db: Database, fund_code: str, table: Table, mapping: dict[str, str] | None = None,
                 progress: Progress | None = None) -> ImportPlan:
    """Check every row of ``table`` for fund ``fund_code`` and say what an import would do. Writes
    nothing. Without ``mapping``, ``suggest_mapping`` decides which column holds which field."""
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        if mapping is None:
            mapping = _suggest(list(table.headers), questions_for(s, fund.id), _saved(s, fund.id))
        a = _analyse(s, fund, table, mapping, progress, date.today())
        return ImportPlan(
            fund_code=fund.code, table=table, mapping=a.mapping, problems=a.problems, duplicates=a.duplicates,
            ignored_columns=a.ignored, total_rows=a.total, valid_rows=len(a.good) if a.mapping_ok else 0,
        )


# --- importing ----------------------------------------------------------------------------------------


def _refusal(problems: list[Problem], source: str, *, valid_only: bool,
             every: list[Problem] | None = None) -> ImportRefused:
    """An ``ImportRefused`` whose message summarises ``problems``; ``every`` problem goes with it."""
    rows = len({p.row for p in problems})
    shown = "; ".join(str(p) for p in problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    where = "in the column mapping" if all(p.row == 1 for p in problems) else f"in {rows} row{'s' * (rows != 1)}"
    hint = "" if valid_only else " Fix them and import again, or import only the valid rows."
    return ImportRefused(
        f"Nothing was imported from {source}: {len(problems)} {noun} {where} — {shown}{more}.{hint}",
        problems if every is None else every)


def _rejected_target(table: Table, rejected_path: Path | None) -> Path:
    if rejected_path is not None:
        return Path(rejected_path)
    base = table.path if table.path is not None else Path(table.source)
    return base.with_name(f"{base.stem}.rejected.csv")


def _write_rejected(target: Path, table: Table, rejected: dict[int, list[Problem]]) -> None:
    """The rejected rows as they were in the file, with a last column saying what is wrong."""
    if table.path is not None and target.resolve() == table.path.resolve():
        raise ValidationError(f"The rejected rows cannot be written over the file being imported ({target}).")
    width = len(table.headers)
    rows = [[*(list(table.rows[n - 2]) + [None] * width)[:width], "; ".join(f"{p.column}: {p.message}" for p in found)]
            for n, found in sorted(rejected.items())]
    try:
        write_csv(target, [*table.headers, "Problems"], rows)
    except OSError as exc:
        raise ValidationError(
            f"The rejected rows could not be written to {target} ({exc.strerror or exc}), so nothing was imported; "
            "choose another place for them.") from None


def run_import(db: Database, plan: ImportPlan, *, valid_only: bool = False, rejected_path: Path | None = None,
               actor: str | None = None, progress: Progress | None = None,
               remember_mapping: bool = False) -> ImportResult:
    """Import the plan's rows in one transaction, with one audit entry for the import (and, with
    ``remember_mapping``, the plan's column mapping saved for the fund's next import, in the same
    transaction).

    The rows are checked again inside the transaction (the database may have changed since the plan
    was made). With problems, nothing is written and ``ImportRefused`` says why — unless
    ``valid_only``, when the valid rows are imported and the others are written, with a final
    "Problems" column, to ``rejected_path`` (default ``<file>.rejected.csv`` next to the file). A
    problem with the mapping itself (a required field with no column) is refused either way.
    """
    who = actor_or_default(actor)
    table = plan.table
    mapping_problems = [p for p in plan.problems if p.row == 1]
    if mapping_problems or (plan.problems and not valid_only):
        raise _refusal(mapping_problems or plan.problems, table.source, valid_only=valid_only, every=plan.problems)
    target: Path | None = None
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, plan.fund_code)
        # Take the write lock now, before reading: a SQLite reader cannot later become the writer
        # if someone else wrote in between; this waits for them instead.
        s.execute(update(ReferenceCounter).where(ReferenceCounter.fund_id == fund.id)
                  .values(last_number=ReferenceCounter.last_number))
        today, now = date.today(), utcnow()
        a = _analyse(s, fund, table, plan.mapping, progress, today)
        if not a.mapping_ok:
            raise _refusal(a.structural, table.source, valid_only=True, every=a.problems)
        if a.problems and not valid_only:
            raise _refusal(a.problems, table.source, valid_only=False)
        if not a.good:
            raise _refusal(a.problems, table.source, valid_only=True)

        people = People(s)
        org_keys = [people.organisation(g.clean, now) for g in a.good]
        people.load_contacts({k for k, g in zip(org_keys, a.good, strict=True) if g.clean.contact_name})
        contact_keys = [people.contact(k, g.clean) for k, g in zip(org_keys, a.good, strict=True)]
        org_ids, contact_ids = people.insert(who, now)
        years = [g.round.financial_year if g.round is not None else financial_year_of(today) for g in a.good]
        references = allocate_references(s, fund, years)

        total = len(a.good)
        _report(progress, 0, total, SAVING)
        done = 0
        rows = list(zip(a.good, references, org_keys, contact_keys, strict=True))
        for chunk in chunks(rows):
            app_rows = [dict(
                reference=ref, fund_id=fund.id, round_id=g.round.id if g.round is not None else None,
                organisation_id=resolve(org_ids, ok),
                contact_id=resolve(contact_ids, ck) if ck is not None else None,
                area_id=g.area_id, title=g.clean.title, summary=g.clean.summary,
                amount_requested_pence=g.clean.amount_requested_pence, project_start=g.clean.project_start,
                project_end=g.clean.project_end, submitted_on=g.clean.submitted_on or today,
                status=Status.SUBMITTED.value, answers=g.clean.answers, created_at=now, updated_at=now, version=1,
            ) for g, ref, ok, ck in chunk]
            ids = s.scalars(insert_rows(Application, returning_id=True), app_rows).all()
            history = []
            for app_id in ids:
                history.append(dict(application_id=app_id, from_status=None, to_status=Status.DRAFT.value,
                                    at=now, by=who, reason=""))
                history.append(dict(application_id=app_id, from_status=Status.DRAFT.value,
                                    to_status=Status.SUBMITTED.value, at=now, by=who, reason=""))
            s.execute(insert_rows(StatusChange), history)
            done += len(chunk)
            _report(progress, done, total, SAVING)

        rejected = len(a.rejected)
        if rejected:
            target = _rejected_target(table, rejected_path)
            _write_rejected(target, table, a.rejected)
        blocks = _blocks(references)
        audit(s, actor=who, action="application.import", entity="fund", entity_id=fund.id, at=now,
              summary=f"Imported {total} application{'s' * (total != 1)} into {fund.code} from {table.source}"
                      + (f" ({', '.join(blocks)})" if blocks else "")
                      + (f"; {rejected} row{'s' * (rejected != 1)} rejected" if rejected else ""),
              after={"file": table.source, "sha256": table.sha256, "rows": a.total, "imported": total,
                     "rejected": rejected, "duplicates": len(a.duplicates), "references": blocks,
                     "organisations_created": len(people.new_orgs), "contacts_created": len(people.new_contacts),
                     "mapping": {h: f for h, f in a.mapping.items() if f}})
        if remember_mapping:
            save_mapping(uow, plan.fund_code, plan.mapping, actor=who)
        try:
            uow.commit()
        except BaseException:
            if target is not None:
                target.unlink(missing_ok=True)
            raise
    message = f"Imported {total} application{'s' * (total != 1)} into {fund.code}."
    if target is not None:
        message += (f" {rejected} row{'s were' if rejected != 1 else ' was'} not imported; "
                    f"they are in {target} with a Problems column.")
    return ImportResult(imported=total, rejected=rejected, rejected_file=target, message=message)


def _blocks(references: list[str]) -> list[str]:
    """``PHP-2026-0001 to PHP-2026-0100`` for each year's block, in order."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for ref in references:
        year = ref.rsplit("-", 2)[1]
        first.setdefault(year, ref)
        last[year] = ref
    return [f"{first[y]} to {last[y]}" if first[y] != last[y] else first[y] for y in first]
