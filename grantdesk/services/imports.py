"""Importing applications from online-form exports (CSV or XLSX), checked before anything is written.

The dialog and the CLI share these steps:

1. ``read_table`` (``grantdesk.io.tabular``) reads the file;
2. ``suggest_mapping`` proposes which column holds which field (the fund's saved mapping first, then
   synonyms and question wording); ``constants`` give one value for every row to a field the file
   does not have (``organisation_type=community_group``), checked like a cell and remembered with the
   mapping;
3. ``check_import`` validates every row through the one validation path (``clean_draft`` plus the
   fund's areas and rounds), works out who is who (``services.import_people``: a number or e-mail
   that another name holds is a *match to confirm*, never a silent merge), finds the rows imported
   before (each imported row keeps a stable key) and the likely duplicates (the same submission
   twice; the same organisation with a near-identical title in the round, in the file or already in
   GrantDesk), and returns an ``ImportPlan``. It writes nothing;
4. ``run_import`` checks again inside the write transaction and imports, all or nothing (or only
   the valid rows, writing the others to a ``.rejected.csv``). Every match to confirm and every
   likely duplicate needs a decision (``decisions``: ``{"12:organisation": "same",
   "14:duplicate": "skip", …}``) — unless ``valid_only``, when undecided matches go in with the
   names as given, as new organisations and contacts flagged for review (the flag is in the
   application's history, its audit entry and the result), and undecided duplicates are skipped.
   Rows imported before are always skipped: importing the same file again adds nothing.

Imported applications arrive as *submitted*, with the history draft → submitted and references from
the fund's counter as one block. Rows go in as tuples with one executemany per chunk
(``services.import_writing``), so 50,000 rows take seconds.

The parts live in their own modules: the mapping store (``import_mappings``), the row check
(``import_rows``), who is who (``import_people``) and the writing (``import_writing``); their public
names are this module's too. ``progress.report(done, total, label)`` is called every ``PROGRESS_EVERY`` rows;
if it raises (the dialog's Cancel), the transaction is rolled back and the database is untouched.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grantdesk.domain.dates import financial_year_of
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.io.tabular import Table, write_csv
from grantdesk.services.bulk import allocate_references, insert_rows
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.editing import FundLookups
from grantdesk.services.import_mappings import (  # the mapping store; its public names are this module's too
    IMPORT_ONLY_FIELDS,
    _saved,
    _saved_constants,
    _suggest,
    importable_fields,
    required_fields,
    save_mapping,
    saved_constants,
    saved_mapping,
    suggest_mapping,
)
from grantdesk.services.import_people import (
    CONTACT,
    DIFFERENT,
    ORGANISATION,
    SAME,
    Applicants,
    Match,
)
from grantdesk.services.import_rows import (  # the row check; its public names are this module's too
    CHECKING,
    PROGRESS_EVERY,
    SIMILAR_TITLE,
    AlreadyImported,
    Duplicate,
    Problem,
    Progress,
    _Analysis,
    _check_rows,
    _Good,
    _near_identical,
    _Planned,
    _report,
    _stamp,
    _title,
)
from grantdesk.services.import_writing import Writer, write_audit, write_history
from grantdesk.services.questions import questions_for
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    AuditEntry,
    Contact,
    Fund,
    Organisation,
    ImportSkip,
    ReferenceCounter,
)
from grantdesk.i18n import _, ngettext

__all__ = [
    "Problem",
    "Duplicate",
    "Match",
    "AlreadyImported",
    "PlannedRow",
    "PlannedRows",
    "Flag",
    "ImportPlan",
    "ImportResult",
    "ImportRefused",
    "DecisionsNeeded",
    "Progress",
    "importable_fields",
    "suggest_mapping",
    "check_import",
    "run_import",
    "save_mapping",
    "saved_mapping",
    "saved_constants",
    "required_fields",
    "rejected_target",
    "left_out_before",
    "PROGRESS_EVERY",
    "CHECKING",
    "SAVING",
    "ORGANISATION",
    "CONTACT",
    "DUPLICATE",
    "SAME",
    "DIFFERENT",
    "SKIP",
    "IMPORT",
    "CHOICES",
    "IMPORT_ONLY_FIELDS",
    "SIMILAR_TITLE",
]

SAVING = "Saving applications"
DUPLICATE = "duplicate"
SKIP = "skip"
IMPORT = "import"
CHOICES = {ORGANISATION: (SAME, DIFFERENT), CONTACT: (SAME, DIFFERENT), DUPLICATE: (SKIP, IMPORT)}


@dataclass(frozen=True)
class PlannedRow:
    """An application the import will make (given the decisions), as it will be recorded."""

    row: int
    organisation: str
    new_organisation: bool
    contact_name: str | None
    contact_email: str
    contact_language: str
    title: str
    amount_requested_pence: int
    submitted_on: date | None
    round: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """Something an officer should review on an imported application (an undecided match)."""

    row: int
    reference: str | None
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
    valid_rows: int  # rows without problems (0 while the mapping itself has a problem)
    constants: dict[str, str] = field(default_factory=dict)  # field → one value for every row
    matches: list[Match] = field(default_factory=list)
    already_imported: list[AlreadyImported] = field(default_factory=list)
    rows: Sequence[PlannedRow] = field(default_factory=list)  # what would be imported (undecided: as valid-only)
    decisions: dict[str, str] = field(default_factory=dict)
    unused_decisions: list[str] = field(default_factory=list)  # decisions that name no match or duplicate
    # The rows as checked (``_Rows``), with what they depend on: ``run_import`` uses them again when the
    # fund's questions, areas, rounds, the mapping, the constants and the day are as they were.
    checked: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def undecided(self) -> list[str]:
        """The keys of the matches and duplicates still needing a decision, in row order."""
        keys = [(m.row, m.key) for m in self.matches if m.decision is None]
        keys += [(d.row, d.key) for d in self.duplicates if d.decision is None]
        return [k for _row, k in sorted(keys)]

    @property
    def ready(self) -> bool:
        """Nothing wrong and everything decided: an import of every row would go ahead."""
        return self.ok and not self.undecided


@dataclass(frozen=True)
class ImportResult:
    imported: int
    rejected: int
    rejected_file: Path | None
    message: str
    skipped_duplicates: int = 0
    already_imported: int = 0  # rows an earlier import dealt with (imported, or skipped as duplicates)
    flags: list[Flag] = field(default_factory=list)
    references: dict[int, str] = field(default_factory=dict)  # row → the application's reference
    rows: Sequence[PlannedRow] = field(default_factory=list)  # the applications made, in file order


class ImportRefused(GrantDeskError):
    """Nothing was imported. The message summarises why; ``problems`` lists every one."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        super().__init__(message)
        self.problems = list(problems)


class DecisionsNeeded(ImportRefused):
    """Nothing was imported: matches to confirm or likely duplicates have no decision."""

    def __init__(self, message: str, matches: Iterable[Match], duplicates: Iterable[Duplicate]):
        super().__init__(message)
        self.matches = list(matches)
        self.duplicates = list(duplicates)


def _decider(decisions: dict[str, str] | None, used: set[str]):
    """``decide(key, kind)`` from the officer's decisions: by key (``"12:organisation"``), else by kind
    (``"duplicate": "skip"`` decides every duplicate). A choice that is not one of the kind's is refused."""
    given: dict[str, str] = {}
    for key, choice in (decisions or {}).items():
        key, choice = str(key).strip().casefold(), str(choice or "").strip().casefold()
        if not choice:
            continue
        kind = key.rpartition(":")[2]
        if kind not in CHOICES or (":" in key and not key.partition(":")[0].isdigit()):
            raise ValidationError(
                _("“{key}” names no decision: write ROW:KIND (“12:organisation”, “12:contact”, “14:duplicate”) "
                  "or a kind alone for every one of that kind.").format(key=key), "decisions")
        if choice not in CHOICES[kind]:
            raise ValidationError(f"“{choice}” is not a decision for {'a ' + kind if kind != ORGANISATION else 'an organisation'} "
                                  f"({key}); choose {' or '.join(CHOICES[kind])}.", "decisions")
        given[key] = choice

    def decide(key: str, kind: str) -> str | None:
        for k in (key, kind):
            if k in given:
                used.add(k)
                return given[k]
        return None

    return decide, given




def _analyse(session: Session, fund: Fund, table: Table, mapping: dict[str, str], progress: Progress | None,
             today: date, *, constants: dict[str, str] | None = None,
             decisions: dict[str, str] | None = None, reuse: _Analysis | None = None) -> _Analysis:
    """Check every row, then work out who is who and the duplicates. ``reuse``: an earlier analysis
    of the same table (the plan's); its row check is used again if nothing it depended on changed
    (``_stamp``), and its who is who and duplicates too if, besides, the decisions are the same and
    nothing was written to the database since (``_database_stamp``); else they are worked out afresh."""
    used_decisions: set[str] = set()
    decide, _given = _decider(decisions, used_decisions)
    questions = questions_for(session, fund.id)
    lookups = FundLookups(session, fund)
    given = {str(k).strip(): str(v or "").strip() for k, v in (mapping or {}).items()}
    stamp = _stamp(fund, questions, lookups, table, given, constants, today)
    if reuse is not None and reuse.stamp == stamp:
        result = reuse.rows_only()
        total = len(table.rows)
        for done in range(0, total, PROGRESS_EVERY):  # the same reports as a check (Cancel works alike)
            _report(progress, done, total, CHECKING)
        _report(progress, total, total, CHECKING)
    else:
        result = _check_rows(fund, table, given, progress, today, questions, lookups, constants)
        result.stamp = stamp
    result.used_decisions = used_decisions
    if result.mapping_ok:
        database = _database_stamp(session, fund)
        kept = reuse.who if reuse is not None and reuse.stamp == stamp else None
        if kept is not None and kept[0] == database and kept[1] == _given:
            (_db, _decided, result.applicants, result.planned, result.duplicates, result.already, result.dup_keys,
             used) = kept
            result.applicants.session = session
            used_decisions.update(used)
        else:
            kept = None
            if reuse is not None:
                reuse.who = None  # of no use now: not held while it is worked out again
            _who_and_duplicates(session, fund, result, decide)
        result.who = (database, _given, result.applicants, result.planned, result.duplicates, result.already,
                      result.dup_keys, frozenset(used_decisions))
    return result


def _database_stamp(session: Session, fund: Fund) -> tuple:
    """What who is who and the duplicates read, as far as it can have changed: every service that
    changes an organisation, contact or application leaves an audit entry, and each new one takes
    the next id. Equal stamps, nothing written in between."""
    last = (select(func.max(AuditEntry.id)).scalar_subquery(), select(func.max(Organisation.id)).scalar_subquery(),
            select(func.max(Contact.id)).scalar_subquery(), select(func.max(Application.id)).scalar_subquery(),
            select(func.count(ImportSkip.id)).where(ImportSkip.fund_id == fund.id).scalar_subquery())
    return tuple(session.execute(select(*last)).one())


# --- who is who, and duplicates ------------------------------------------------------------------------

def _who_and_duplicates(session: Session, fund: Fund, a: _Analysis, decide) -> None:
    """Rows imported before, each row's organisation (with the matches to confirm), the likely
    duplicates and each row's contact — in that order, so a skipped duplicate makes no contact."""
    now = utcnow()
    before: dict[str, str] = {}
    in_db: dict[tuple[int | None, int], list[tuple[str, str]]] = {}  # (round, organisation) → (title, reference)
    for key, reference, round_id, org_id, title in session.execute(
        select(Application.import_key, Application.reference, Application.round_id, Application.organisation_id,
               Application.title).where(Application.fund_id == fund.id).order_by(Application.reference)
    ):
        if key:
            before.setdefault(key, reference)
        in_db.setdefault((round_id, org_id), []).append((title, reference))
    skipped_before: dict[str, str | None] = dict(session.execute(
        select(ImportSkip.import_key, Application.reference)
        .outerjoin(Application, Application.id == ImportSkip.duplicate_of_id)
        .where(ImportSkip.fund_id == fund.id)).all())

    applicants = Applicants(session, decide)
    a.applicants = applicants
    organisation = applicants.organisation
    already = a.already
    # Each row's organisation, then whether it is a likely duplicate (which needs only its own and
    # the earlier rows' organisations, so one pass does both). A title is normalised only for a row
    # whose organisation has applied in the round before (in the file or in GrantDesk): most have not.
    seen_keys: dict[str, int] = {}
    seen: dict[tuple[int | None, Any], Any] = {}  # (round, organisation) → its first row's _Good, or a list
    kept: list[tuple[_Good, Any, Match | None]] = []
    for g in a.good:
        if before or skipped_before:
            reference = before.get(g.key)
            if reference is not None:
                already.append(AlreadyImported(g.number, reference))
                continue
            if g.key in skipped_before:
                already.append(AlreadyImported(g.number, skipped_before[g.key], skipped=True))
                continue
        names = g.names
        org_key, match = organisation(g.number, g.clean, now, (names or g.name_keys())[0])
        number = g.number
        group = (g.round.id if g.round is not None else None, org_key)
        duplicate: Duplicate | None = None
        first = seen_keys.get(g.key)
        if first is not None:
            duplicate = Duplicate(number, f"The same form submission as row {first}", f"{number}:{DUPLICATE}",
                                  of_row=first, same_submission=True)
        else:
            seen_keys[g.key] = number
            if in_db and org_key.__class__ is not tuple:
                stored = in_db.get(group)
                if stored:
                    title = g.title_key()
                    reference = next((ref for t, ref in stored if _near_identical(title, _title(t))), None)
                    if reference is not None:
                        duplicate = Duplicate(number, f"Same organisation and title as {reference} already in this "
                                                      "round", f"{number}:{DUPLICATE}", of_reference=reference)
            if duplicate is None:
                earlier = seen.get(group)
                if earlier is not None:
                    title = g.title_key()
                    row = next((e.number for e in (earlier if earlier.__class__ is list else (earlier,))
                                if _near_identical(title, e.title_key())), None)
                    if row is not None:
                        duplicate = Duplicate(number, f"Same organisation and title as row {row}",
                                              f"{number}:{DUPLICATE}", of_row=row)
        earlier = seen.get(group)
        if earlier is None:
            seen[group] = g
        elif earlier.__class__ is list:
            earlier.append(g)
        else:
            seen[group] = [earlier, g]
        if duplicate is not None:
            duplicate = replace(duplicate, decision=decide(duplicate.key, DUPLICATE))
            a.duplicates.append(duplicate)
            a.dup_keys[number] = g.key
            if duplicate.decision != IMPORT:
                continue
        kept.append((g, org_key, match))

    applicants.load_contacts({org_key for _g, org_key, _m in kept if org_key.__class__ is not tuple})
    contact = applicants.contact
    planned = a.planned
    for g, org_key, match in kept:
        names = g.names or g.name_keys()
        if names[1] is None:
            contact_key, contact_match = None, None
        else:
            contact_key, contact_match = contact(g.number, org_key, g.clean, names[1])
        if match is None and contact_match is None:
            planned.append(_Planned(g, org_key, contact_key))
        else:
            planned.append(_Planned(g, org_key, contact_key,
                                    tuple(m for m in (match, contact_match) if m is not None)))


class PlannedRows(Sequence):
    """The applications an import makes (``PlannedRow``), made when asked for from what the check
    keeps anyway: a list of 50,000 rows' records would be held as well as the rows. Compares equal
    to a list of the same rows."""

    __slots__ = ("_planned", "_names")

    def __init__(self, planned: list[_Planned], names: dict[Any, str]):
        self._planned = planned
        self._names = names  # organisation key → stored name, where it is not the row's

    def __len__(self) -> int:
        return len(self._planned)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(p) for p in self._planned[index]]
        return self._row(self._planned[index])

    def __iter__(self):
        return map(self._row, self._planned)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PlannedRows, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PlannedRows({list(self)!r})"

    def _row(self, p: _Planned) -> PlannedRow:
        g, c = p.good, p.good.clean
        return PlannedRow(
            row=g.number, organisation=self._names.get(p.org_key, c.organisation),
            new_organisation=p.org_key.__class__ is tuple, contact_name=c.contact_name,
            contact_email=c.contact_email, contact_language=c.contact_language, title=c.title,
            amount_requested_pence=c.amount_requested_pence, submitted_on=c.submitted_on,
            round=g.round.name if g.round is not None else None, flags=p.flags)


def _planned_rows(a: _Analysis) -> PlannedRows:
    names = a.applicants.names if a.applicants is not None else {}
    renamed = {}
    for p in a.planned:
        name = names.get(p.org_key)
        if name is not None and name != p.good.clean.organisation:
            renamed[p.org_key] = name
    return PlannedRows(a.planned, renamed)


def _unused(decisions: dict[str, str] | None, used: set[str]) -> list[str]:
    return [str(k) for k, v in (decisions or {}).items()
            if str(v or "").strip() and str(k).strip().casefold() not in used
            and str(k).strip().casefold() not in CHOICES]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a file's rows are checked or written: the rows make
    hundreds of thousands of objects, none in cycles that matter for a few seconds, and each
    collection walks them all again (a quarter of the time of a 50,000-row import)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def check_import(db: Database, fund_code: str, table: Table, mapping: dict[str, str] | None = None,
                 progress: Progress | None = None, *, constants: dict[str, str] | None = None,
                 decisions: dict[str, str] | None = None, today: date | None = None) -> ImportPlan:
    """Check every row of ``table`` for fund ``fund_code`` and say what an import would do. Writes
    nothing.

    Without ``mapping``, ``suggest_mapping`` decides which column holds which field. ``constants``
    give one value for every row to fields no column holds (without them, the values saved with the
    fund's mapping, for the fields this mapping leaves out). ``decisions`` settle matches to confirm
    and likely duplicates (see ``run_import``); the plan shows what they lead to."""
    with _gc_paused(), db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        if mapping is None:
            mapping = _suggest(list(table.headers), questions_for(s, fund.id), _saved(s, fund.id))
        if constants is None:
            mapped = {str(v) for v in mapping.values() if v}
            constants = {k: v for k, v in _saved_constants(s, fund.id).items() if k not in mapped}
        a = _analyse(s, fund, table, mapping, progress, today or date.today(), constants=constants,
                     decisions=decisions)
        checked = a.rows_only()
        checked.who = a.who  # for the import, if nothing changes in between
        return ImportPlan(
            fund_code=fund.code, table=table, mapping=a.mapping, problems=a.problems, duplicates=a.duplicates,
            ignored_columns=a.ignored, total_rows=a.total, valid_rows=len(a.good) if a.mapping_ok else 0,
            constants=dict(constants), matches=a.matches, already_imported=a.already, rows=_planned_rows(a),
            decisions=dict(decisions or {}), unused_decisions=_unused(decisions, a.used_decisions),
            checked=checked,
        )


# --- importing ----------------------------------------------------------------------------------------


def _refusal(problems: list[Problem], source: str, *, valid_only: bool,
             every: list[Problem] | None = None) -> ImportRefused:
    """An ``ImportRefused`` whose message summarises ``problems``; ``every`` problem goes with it."""
    rows = len({p.row for p in problems})
    shown = "; ".join(str(p) for p in problems[:3])
    more = _("; and {count} more").format(count=len(problems) - 3) if len(problems) > 3 else ""
    count = ngettext("{count} problem", "{count} problems", len(problems)).format(count=len(problems))
    if all(p.row == 1 for p in problems):
        found = _("{problems} in the column mapping").format(problems=count)
    else:
        found = ngettext("{problems} in {rows} row", "{problems} in {rows} rows", rows).format(problems=count,
                                                                                              rows=rows)
    hint = "" if valid_only else _(" Fix them and import again, or import only the valid rows.")
    return ImportRefused(
        _("Nothing was imported from {source}: {found} — {shown}{more}.{hint}").format(
          source=source, found=found, shown=shown, more=more, hint=hint),
        problems if every is None else every)


def _decisions_needed(matches: list[Match], duplicates: list[Duplicate], source: str) -> DecisionsNeeded:
    parts = []
    if matches:
        parts.append(ngettext("{count} match to confirm ({rows})", "{count} matches to confirm ({rows})",
                              len(matches)).format(count=len(matches), rows=_rows(m.row for m in matches)))
    if duplicates:
        parts.append(ngettext("{count} likely duplicate ({rows})", "{count} likely duplicates ({rows})",
                              len(duplicates)).format(count=len(duplicates), rows=_rows(d.row for d in duplicates)))
    found = parts[0] if len(parts) == 1 else _("{items} and {last}").format(items=parts[0], last=parts[1])
    return DecisionsNeeded(
        ngettext("Nothing was imported from {source}: {found} needs a decision. Say for each whether it is the same "
                 "group or person or a different one, and whether to skip a duplicate or import it anyway — or "
                 "import only the rows without problems, which keeps the names as given (flagged for review) and "
                 "skips the duplicates.",
                 "Nothing was imported from {source}: {found} need a decision. Say for each whether it is the same "
                 "group or person or a different one, and whether to skip a duplicate or import it anyway — or "
                 "import only the rows without problems, which keeps the names as given (flagged for review) and "
                 "skips the duplicates.", len(matches) + len(duplicates)).format(source=source, found=found),
        matches, duplicates)


def _rows(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:5]) + ("…" if len(numbers) > 5 else "")
    return ngettext("row {rows}", "rows {rows}", len(numbers)).format(rows=shown)


def rejected_target(table: Table, rejected_path: Path | None = None) -> Path:
    """Where the rows not imported go: ``rejected_path``, else ``<file>.rejected.csv`` next to the file."""
    return _rejected_target(table, rejected_path)


def _rejected_target(table: Table, rejected_path: Path | None) -> Path:
    if rejected_path is not None:
        return Path(rejected_path)
    base = table.path if table.path is not None else Path(table.source)
    return base.with_name(f"{base.stem}.rejected.csv")


def _write_rejected(target: Path, table: Table, rejected: dict[int, list[Problem]]) -> None:
    """The rejected rows as they were in the file, with a last column saying what is wrong."""
    if table.path is not None and target.resolve() == table.path.resolve():
        raise ValidationError(_("The rejected rows cannot be written over the file being imported ({target}).").format(
                                target=target))
    width = len(table.headers)
    rows = [[*(list(table.rows[n - 2]) + [None] * width)[:width], "; ".join(f"{p.column}: {p.message}" for p in found)]
            for n, found in sorted(rejected.items())]
    try:
        write_csv(target, [*table.headers, "Problems"], rows)
    except OSError as exc:
        raise ValidationError(
            _("The rejected rows could not be written to {target} ({value}), so nothing was imported; choose "
              "another place for them.").format(target=target, value=exc.strerror or exc)) from None


def run_import(db: Database, plan: ImportPlan, *, valid_only: bool = False, rejected_path: Path | None = None,
               actor: str | None = None, progress: Progress | None = None, remember_mapping: bool = False,
               decisions: dict[str, str] | None = None, today: date | None = None) -> ImportResult:
    """Import the plan's rows in one transaction, with one audit entry for the import (and, with
    ``remember_mapping``, the plan's column mapping and constants saved for the fund's next import, in
    the same transaction).

    The rows are checked again inside the transaction (the database may have changed since the plan
    was made), with ``decisions`` (default: the plan's). With problems, nothing is written and
    ``ImportRefused`` says why — unless ``valid_only``, when the valid rows are imported and the others
    are written, with a final "Problems" column, to ``rejected_path`` (default ``<file>.rejected.csv``
    next to the file). A problem with the mapping itself (a required field with no column) is refused
    either way. A match to confirm or a likely duplicate without a decision is refused too
    (``DecisionsNeeded``) — unless ``valid_only``: then the row goes in with the names as given,
    flagged for review, and an undecided duplicate is skipped. Rows imported before are skipped.
    """
    who = actor_or_default(actor)
    table = plan.table
    decisions = plan.decisions if decisions is None else decisions
    mapping_problems = [p for p in plan.problems if p.row == 1]
    if mapping_problems or (plan.problems and not valid_only):
        raise _refusal(mapping_problems or plan.problems, table.source, valid_only=valid_only, every=plan.problems)
    target: Path | None = None
    with _gc_paused(), db.unit_of_work(write=True) as uow:
        s = uow.session
        fund = fund_by_code(s, plan.fund_code)
        # Take the write lock now, before reading: a SQLite reader cannot later become the writer
        # if someone else wrote in between; this waits for them instead.
        s.execute(update(ReferenceCounter).where(ReferenceCounter.fund_id == fund.id)
                  .values(last_number=ReferenceCounter.last_number))
        today, now = today or date.today(), utcnow()
        a = _analyse(s, fund, table, plan.mapping, progress, today, constants=plan.constants, decisions=decisions,
                     reuse=plan.checked)
        if not a.mapping_ok:
            raise _refusal(a.structural, table.source, valid_only=True, every=a.problems)
        if a.problems and not valid_only:
            raise _refusal(a.problems, table.source, valid_only=False)
        if not a.good:
            raise _refusal(a.problems, table.source, valid_only=True)
        open_matches, open_duplicates = a.undecided()
        if (open_matches or open_duplicates) and not valid_only:
            raise _decisions_needed(open_matches, open_duplicates, table.source)
        assert a.applicants is not None

        planned = a.planned
        org_ids, contact_ids = a.applicants.insert(
            {p.org_key for p in planned}, {p.contact_key for p in planned if p.contact_key is not None}, who, now)
        years = [p.good.round.financial_year if p.good.round is not None else financial_year_of(today)
                 for p in planned]
        references = allocate_references(s, fund, years) if planned else []

        total = len(planned)
        _report(progress, 0, total, SAVING)
        flags, reviews, app_of_row = _save_applications(s, fund, planned, references, org_ids, contact_ids, who, now,
                                                        today, table.source, progress, a.duplicates)
        _remember_skips(s, fund, a, app_of_row, who, now)

        rejected = len(a.rejected)
        if rejected:
            target = _rejected_target(table, rejected_path)
            _write_rejected(target, table, a.rejected)
        skipped = sum(1 for d in a.duplicates if d.decision != IMPORT)
        blocks = _blocks(references)
        if planned or rejected:
            audit(s, actor=who, action="application.import", entity="fund", entity_id=fund.id, at=now,
                  summary=f"Imported {total} application{'s' * (total != 1)} into {fund.code} from {table.source}"
                          + (f" ({', '.join(blocks)})" if blocks else "")
                          + (f"; {rejected} row{'s' * (rejected != 1)} rejected" if rejected else "")
                          + (f"; {skipped} likely duplicate{'s' * (skipped != 1)} skipped" if skipped else "")
                          + (f"; {len(a.already)} imported before" if a.already else "")
                          + (f"; {len(reviews)} to review" if reviews else ""),
                  after={"file": table.source, "sha256": table.sha256, "rows": a.total, "imported": total,
                         "rejected": rejected, "duplicates": len(a.duplicates), "duplicates_skipped": skipped,
                         "already_imported": len(a.already), "to_review": len(reviews), "references": blocks,
                         "organisations_created": len({p.org_key for p in planned if isinstance(p.org_key, tuple)}),
                         "contacts_created": len({p.contact_key for p in planned
                                                  if isinstance(p.contact_key, tuple)}),
                         "mapping": {h: f for h, f in a.mapping.items() if f},
                         **({"constants": a.constants} if a.constants else {}),
                         **({"decisions": {m.key: m.decision for m in a.matches if m.decision}
                             | {d.key: d.decision for d in a.duplicates if d.decision}}
                            if any(m.decision for m in a.matches) or any(d.decision for d in a.duplicates)
                            else {})})
        if remember_mapping:
            save_mapping(uow, plan.fund_code, plan.mapping, constants=a.constants, actor=who)
        try:
            uow.commit()
        except BaseException:
            if target is not None:
                target.unlink(missing_ok=True)
            raise
    message = (ngettext("Imported {count} application into {fund}.", "Imported {count} applications into {fund}.",
                        total).format(count=total, fund=fund.code) if total or not a.already
               else _("Nothing new to import into {fund}.").format(fund=fund.code))
    if skipped:
        message += ngettext(" {count} likely duplicate was skipped.", " {count} likely duplicates were skipped.",
                            skipped).format(count=skipped)
    if a.already:
        message += " " + left_out_before(a.already)
    if reviews:
        message += ngettext(" {count} application needs review: a number or e-mail matched another name, so the "
                            "names were kept as given (see each one's history).",
                            " {count} applications need review: a number or e-mail matched another name, so the "
                            "names were kept as given (see each one's history).", len(reviews)).format(
                                count=len(reviews))
    if target is not None:
        message += ngettext(" {count} row was not imported; it is in {file} with a Problems column.",
                            " {count} rows were not imported; they are in {file} with a Problems column.",
                            rejected).format(count=rejected, file=target)
    return ImportResult(imported=total, rejected=rejected, rejected_file=target, message=message,
                        skipped_duplicates=skipped, already_imported=len(a.already), flags=flags,
                        references={p.good.number: ref for p, ref in zip(planned, references, strict=True)},
                        rows=_planned_rows(a))


_APPLICATION_COLUMNS = ("reference", "fund_id", "round_id", "organisation_id", "contact_id", "area_id", "title",
                        "summary", "amount_requested_pence", "project_start", "project_end", "submitted_on", "status",
                        "answers", "created_at", "updated_at", "version", "import_key")


def _save_applications(s: Session, fund: Fund, planned: list[_Planned], references: list[str],
                       org_ids: dict[Any, int], contact_ids: dict[Any, int], who: str, now, today: date, source: str,
                       progress: Progress | None,
                       duplicates: list[Duplicate]) -> tuple[list[Flag], list[dict[str, Any]], dict[int, int]]:
    """The applications, PROGRESS_EVERY at a time (a Cancel in between rolls them back), their history
    and an audit entry for each one flagged for review. Returns the flags, the review entries and the
    new application of each row that a duplicate the officer skipped repeats (row → id)."""
    writer = Writer(s, Application, _APPLICATION_COLUMNS)
    submitted = Status.SUBMITTED.value
    total = len(planned)
    done = 0
    flags: list[Flag] = []
    reviews: list[dict[str, Any]] = []
    reasons: dict[int, str] = {}
    app_of_row: dict[int, int] = {}  # for the rows a skipped duplicate repeats (see _remember_skips)
    originals = {d.of_row for d in duplicates if d.decision == SKIP and d.of_row is not None}
    ids: list[int] = []
    for start in range(0, total, PROGRESS_EVERY):
        chunk = planned[start:start + PROGRESS_EVERY]
        rows = []
        for p, ref in zip(chunk, references[start:start + PROGRESS_EVERY], strict=True):
            g, c = p.good, p.good.clean
            org_key, contact_key = p.org_key, p.contact_key
            rows.append((
                ref, fund.id, g.round.id if g.round is not None else None,
                org_ids[org_key] if org_key.__class__ is tuple else org_key,
                None if contact_key is None else contact_ids[contact_key] if contact_key.__class__ is tuple
                else contact_key,
                g.area_id, c.title, c.summary, c.amount_requested_pence, c.project_start, c.project_end,
                c.submitted_on or today, submitted, c.answers, now, now, 1, g.key))
        chunk_ids = writer.insert(rows)
        ids.extend(chunk_ids)
        for app_id, p, ref in zip(chunk_ids, chunk, references[start:start + PROGRESS_EVERY], strict=True):
            number = p.good.number
            if number in originals:
                app_of_row[number] = app_id
            if not p.matches:
                continue
            review = p.flags
            if not review:
                continue
            reasons[app_id] = f"Imported from {source}, row {number}. " + " ".join(review)
            flags.extend(Flag(number, ref, message) for message in review)
            undecided = [m for m in p.matches if m.decision is None]
            reviews.append(dict(
                at=now, actor=who, action="application.import_review", entity="application", entity_id=app_id,
                summary=f"Imported {ref} from {source} (row {number}) with "
                        + "; ".join(_review_words(m) for m in undecided) + " to review",
                before=None, after={"row": number, "review": [m.key for m in undecided]}))
        done += len(chunk)
        _report(progress, done, total, SAVING)
    write_history(s, ids, reasons, now, who)
    write_audit(s, reviews)
    return flags, reviews, app_of_row


def _remember_skips(session: Session, fund: Fund, a: _Analysis, app_of_row: dict[int, int], who: str, now) -> None:
    """Keep the rows the officer chose to skip as duplicates (by stable key), so the same file again
    leaves them out without asking. A duplicate skipped without a decision (a valid-only run) is asked
    about again next time."""
    if not any(d.decision == SKIP for d in a.duplicates):
        return
    imported_keys = {p.good.key for p in a.planned}
    references = [d.of_reference for d in a.duplicates if d.decision == SKIP and d.of_reference]
    ids = dict(session.execute(select(Application.reference, Application.id).where(
        Application.fund_id == fund.id, Application.reference.in_(references))).all()) if references else {}
    rows: dict[str, dict[str, Any]] = {}
    for d in a.duplicates:
        key = a.dup_keys.get(d.row)
        if d.decision != SKIP or key is None or key in imported_keys or key in rows:
            continue
        original = ids.get(d.of_reference) if d.of_reference else app_of_row.get(d.of_row or 0)
        rows[key] = dict(fund_id=fund.id, import_key=key, duplicate_of_id=original, skipped_at=now, skipped_by=who)
    if rows:
        session.execute(insert_rows(ImportSkip), list(rows.values()))


def left_out_before(already: list[AlreadyImported]) -> str:
    """How the rows an earlier import dealt with were treated, in a sentence ("" for none)."""
    imported = sum(1 for x in already if not x.skipped)
    skipped = len(already) - imported
    if not skipped:
        return ngettext("{count} row was imported before and was skipped.",
                        "{count} rows were imported before and were skipped.", imported).format(
                            count=imported) if imported else ""
    if not imported:
        return ngettext("{count} row was skipped as a likely duplicate before, so it was left out again.",
                        "{count} rows were skipped as a likely duplicate before, so they were left out again.",
                        skipped).format(count=skipped)
    return ngettext("{count} row was imported before and {skipped} skipped as a likely duplicate before; all were "
                    "left out.",
                    "{count} rows were imported before and {skipped} skipped as a likely duplicate before; all were "
                    "left out.", imported).format(count=imported, skipped=skipped)


def _review_words(match: Match) -> str:
    """What an undecided match was, for the audit log (no person's name or e-mail: the log keeps them
    for ever)."""
    if match.kind == ORGANISATION:
        return f"{match.by} also held by {match.stored}"
    if match.by == "letter language":
        return "a contact asking for another letter language than the one recorded"
    return "a contact at an e-mail address another contact has"


def _blocks(references: list[str]) -> list[str]:
    """``PHP-2026-0001 to PHP-2026-0100`` for each year's block, in order."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for ref in references:
        year = ref.rsplit("-", 2)[1]
        first.setdefault(year, ref)
        last[year] = ref
    return [f"{first[y]} to {last[y]}" if first[y] != last[y] else first[y] for y in first]
