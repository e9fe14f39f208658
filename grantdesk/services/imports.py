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
the fund's counter as one block. Rows go in with SQLAlchemy's bulk ``insert`` (executemany), so 10,000
rows take seconds. ``progress.report(done, total, label)`` is called every ``PROGRESS_EVERY`` rows;
if it raises (the dialog's Cancel), the transaction is rolled back and the database is untouched.
"""

from __future__ import annotations

import gc
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Iterable, Iterator, NamedTuple, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grantdesk.domain.applications import (
    REQUIRED,
    ApplicationDraft,
    CleanApplication,
    FieldErrors,
    clean_draft,
)
from grantdesk.domain.dates import financial_year_of
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.organisations import name_key
from grantdesk.domain.questions import Question
from grantdesk.domain.workflow import Status
from grantdesk.io.tabular import BLANK_WORDS, Table, is_blank, is_blank_word, write_csv
from grantdesk.services.bulk import allocate_references, insert_rows
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.editing import FundLookups
from grantdesk.services.import_writing import Writer, write_audit, write_history
from grantdesk.services.import_people import (
    CONTACT,
    DIFFERENT,
    ORGANISATION,
    SAME,
    Applicants,
    Match,
    contact_keys,
)
from grantdesk.services.questions import questions_for
from grantdesk.services.import_mappings import (  # the mapping store; its public names are this module's too
    IMPORT_ONLY_FIELDS,
    _fields,
    importable_fields,
    required_fields,
    _saved,
    _saved_constants,
    _suggest,
    suggest_mapping,
    saved_mapping,
    saved_constants,
    save_mapping,
)
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    Fund,
    ImportSkip,
    ReferenceCounter,
)

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
]

PROGRESS_EVERY = 500
CHECKING = "Checking rows"
SAVING = "Saving applications"
DUPLICATE = "duplicate"
SKIP = "skip"
IMPORT = "import"
CHOICES = {ORGANISATION: (SAME, DIFFERENT), CONTACT: (SAME, DIFFERENT), DUPLICATE: (SKIP, IMPORT)}
# The first letters of the words for "nothing here" (and a space before one): only such cells are asked.
_BLANK_STARTS = frozenset({w[:1].casefold() for w in BLANK_WORDS} | {" ", "\t", "\u00a0"})
SIMILAR_TITLE = 0.9  # difflib ratio of two normalised titles at or above which they are "near-identical"


class Progress(Protocol):
    def report(self, done: int, total: int, label: str) -> None: ...


@dataclass(frozen=True)
class Problem:
    """Something wrong with one cell (or, at row 1, with the mapping). ``row`` is the spreadsheet
    row number (the header is row 1); ``column`` is the file's header text, or the field's label when
    no column holds that field ("Organisation type (every row)" for one value given for every row)."""

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
    """A row that looks like an application already made: the same form submission as an earlier
    row (``same_submission``), or the same organisation with a near-identical title in the round as
    an earlier row (``of_row``) or an application in GrantDesk (``of_reference``). ``decision`` is
    "skip", "import" or None (undecided; skipped by a valid-only import)."""

    row: int
    message: str
    key: str = ""
    of_row: int | None = None
    of_reference: str | None = None
    same_submission: bool = False
    decision: str | None = None


@dataclass(frozen=True)
class AlreadyImported:
    """A row an earlier import dealt with: imported as ``reference`` (its stable key is on it), or —
    ``skipped`` — left out as a duplicate of ``reference`` by the officer's decision. Never imported
    twice, never asked about again."""

    row: int
    reference: str | None
    skipped: bool = False


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


# --- checking -----------------------------------------------------------------------------------------


class _RoundInfo(NamedTuple):
    """What an import needs of a round (no ORM object outlives the check)."""

    id: int
    name: str
    financial_year: int


@dataclass(slots=True)
class _Good:
    number: int
    clean: CleanApplication
    area_id: int | None
    round: _RoundInfo | None
    key: str  # the row's stable key
    title: Any = None  # ``_title`` of its title, worked out once (the check's, used again by the import)
    names: Any = None  # its organisation's name_key and its contact's keys, worked out once, likewise

    def title_key(self) -> tuple[str, tuple[str, ...]]:
        if self.title is None:
            self.title = _title(self.clean.title)
        return self.title

    def name_keys(self) -> tuple[str, tuple[str, str] | None]:
        if self.names is None:
            c = self.clean
            self.names = (name_key(c.organisation), contact_keys(c) if c.contact_name else None)
        return self.names


_NO_MATCHES: tuple[Match, ...] = ()


@dataclass(slots=True)
class _Planned:
    good: _Good
    org_key: Any
    contact_key: Any
    matches: tuple[Match, ...] = _NO_MATCHES

    @property
    def flags(self) -> tuple[str, ...]:
        if not self.matches:
            return ()
        return tuple(m.review for m in self.matches if m.decision is None)


@dataclass
class _Analysis:
    mapping: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    total: int = 0
    good: list[_Good] = field(default_factory=list)
    rejected: dict[int, list[Problem]] = field(default_factory=dict)
    structural: list[Problem] = field(default_factory=list)  # the mapping, the constants, or an empty file
    already: list[AlreadyImported] = field(default_factory=list)
    planned: list[_Planned] = field(default_factory=list)
    dup_keys: dict[int, str] = field(default_factory=dict)  # a likely duplicate's row → its stable key
    applicants: Applicants | None = None
    used_decisions: set[str] = field(default_factory=set)
    stamp: Any = None  # what the row check depended on (``_stamp``)

    def rows_only(self) -> _Analysis:
        """A new analysis with this one's row check and nothing of who is who (decided afresh)."""
        return _Analysis(mapping=self.mapping, constants=self.constants, problems=list(self.problems),
                         ignored=self.ignored, total=self.total, good=self.good, rejected=self.rejected,
                         structural=list(self.structural), stamp=self.stamp)

    @property
    def mapping_ok(self) -> bool:
        return not self.structural

    @property
    def matches(self) -> list[Match]:
        return list(self.applicants.matches) if self.applicants is not None else []

    def undecided(self) -> tuple[list[Match], list[Duplicate]]:
        return ([m for m in self.matches if m.decision is None],
                [d for d in self.duplicates if d.decision is None])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _report(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress.report(done, total, label)


def _key_text(value: Any) -> str:
    """A cell as the stable key sees it: its digits for a number, ISO for a date, words case-folded."""
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return " ".join(str(value).split()).casefold()


def _row_key(fund_code: str, values: list[tuple[str, Any]]) -> str:
    """The row's stable key: a hash of the fund and the row's mapped values (the form's response id
    among them when a column holds it), so the same submission has the same key in every export.
    ``values`` come in field-name order."""
    parts = [fund_code.upper()]
    for name, value in values:
        text = _key_text(value)
        if text:
            parts.append(f"{name}={text}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


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
                f"“{key}” names no decision: write ROW:KIND (“12:organisation”, “12:contact”, “14:duplicate”) or "
                "a kind alone for every one of that kind.", "decisions")
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


def _check_constants(constants: dict[str, str], fields: dict[str, str], header_of: dict[str, str],
                     questions: tuple[Question, ...], fund: Fund, lookups: FundLookups,
                     today: date) -> tuple[dict[str, str], list[Problem]]:
    """The constants worth using (field → value) and the problems with the others, each checked once
    the way a cell of that field is."""
    kept: dict[str, str] = {}
    problems: list[Problem] = []
    for name, value in constants.items():
        name, value = str(name).strip(), str(value if value is not None else "").strip()
        if not value:
            continue
        label = fields.get(name)
        column = f"{label or name} (every row)"
        if label is None:
            problems.append(Problem(1, column, f"“{name}” is not a field of fund {fund.code}."))
            continue
        if name in IMPORT_ONLY_FIELDS:
            problems.append(Problem(1, column, f"Each row has its own {label.lower()}; it cannot be one value for "
                                               "every row."))
            continue
        if name in header_of:
            problems.append(Problem(1, column, f"Column “{header_of[name]}” already holds {label}; give one value "
                                               "for every row only to a field the file does not have."))
            continue
        error = None
        try:
            if name == "area":
                lookups.area(value)
            elif name == "round":
                lookups.round(value, today)
            else:
                draft = (ApplicationDraft(answers={name.removeprefix("answers."): value})
                         if name.startswith("answers.") else ApplicationDraft(**{name: value}))
                clean_draft(draft, questions, default_language=fund.default_language, today=today)
        except FieldErrors as exc:
            error = exc.errors.get(name)
        except ValidationError as exc:
            error = str(exc)
        if error:
            problems.append(Problem(1, column, error))
        else:
            kept[name] = value
    return kept, problems


def _stamp(fund: Fund, questions: tuple[Question, ...], lookups: FundLookups, table: Table, given: dict[str, str],
           constants: dict[str, str] | None, today: date) -> tuple:
    """Everything the row check reads besides the file's cells: the fund's code, language, questions,
    areas and rounds, the mapping, the constants and the day. Equal stamps, equal row checks."""
    return (fund.id, fund.code, fund.default_language, tuple(questions),
            tuple((k, a.id, a.name) for k, a in lookups.areas.items()),
            tuple((k, r.id, r.name, r.financial_year, r.opens_on, r.closes_on) for k, r in lookups.rounds.items()),
            id(table), tuple((h, given.get(h, "")) for h in table.headers),
            tuple(sorted(k for k in given if k not in table.headers)),
            tuple(sorted((str(k), repr(v)) for k, v in (constants or {}).items())), today)


def _analyse(session: Session, fund: Fund, table: Table, mapping: dict[str, str], progress: Progress | None,
             today: date, *, constants: dict[str, str] | None = None,
             decisions: dict[str, str] | None = None, reuse: _Analysis | None = None) -> _Analysis:
    """Check every row, then work out who is who and the duplicates. ``reuse``: an earlier analysis
    of the same table (the plan's); its row check is used again if nothing it depended on changed
    (``_stamp``), while who is who and the duplicates are always worked out afresh from the database."""
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
        _who_and_duplicates(session, fund, result, decide)
    return result


def _check_rows(fund: Fund, table: Table, given: dict[str, str], progress: Progress | None, today: date,
                questions: tuple[Question, ...], lookups: FundLookups,
                constants: dict[str, str] | None) -> _Analysis:
    fields = _fields(questions)
    headers = list(table.headers)
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
    kept, constant_problems = _check_constants(constants or {}, fields, header_of, questions, fund, lookups, today)
    problems.extend(constant_problems)
    result.constants = kept
    required = [*REQUIRED, *(q.field for q in questions if q.required)]
    unmapped_required = [f for f in required if f not in header_of and f not in kept]
    for name in unmapped_required:
        problems.append(Problem(1, fields[name], f"No column is mapped to {fields[name]}."))
    result.structural = list(problems)
    order = {name: i for i, (_, name) in enumerate(used)}
    column_of = {**{n: f"{fields[n]} (every row)" for n in kept}, **header_of}
    optional = {name for _i, name in used if name not in required}
    constant_values = {n: v for n, v in kept.items() if not n.startswith("answers.")}
    constant_answers = {n.removeprefix("answers."): v for n, v in kept.items() if n.startswith("answers.")}
    import_only = set(IMPORT_ONLY_FIELDS)
    # Each used column once: (index, field, where it goes: 0 the draft, 1 its answers, 2 the key only,
    # the answer's key, optional?)
    columns = [(index, name, 2 if name in import_only else 1 if name.startswith("answers.") else 0,
                name.removeprefix("answers."), name in optional) for index, name in used]
    # The stable key reads cells in field order: (position among the used columns, "field=")
    key_order = [(n, used[n][1] + "=") for n in sorted(range(len(used)), key=lambda n: used[n][1])]
    fund_key = fund.code.upper()
    default_language = fund.default_language
    width = max((index for index, _n in used), default=-1) + 1
    areas: dict[Any, Any] = {}  # the cell → the area's id, or the refusal's message
    rounds: dict[Any, Any] = {}  # (the cell, the day) → _RoundInfo or None, or the refusal's message
    blank_starts = _BLANK_STARTS
    may_be_blank: dict[str, bool] = {}  # a cell's first character → could the cell be a word for nothing?
    sha256 = hashlib.sha256
    good = result.good

    # Every row, through the one validation path.
    rows_total = len(table.rows)
    for i, row in enumerate(table.rows):
        if i % PROGRESS_EVERY == 0:
            _report(progress, i, rows_total, CHECKING)
        first = row[0] if row else None
        if first.__class__ is not str or not first.strip():  # else the row has something in it
            try:
                if not "".join(row).strip():  # every cell text, all of it spaces
                    continue
            except TypeError:  # numbers, dates or None among the cells
                if all(is_blank(c) for c in row):
                    continue
        if len(row) < width:
            row = [*row, *([None] * (width - len(row)))]
        number = i + 2
        result.total += 1
        values: dict[str, Any] = dict(constant_values)
        answers: dict[str, Any] = dict(constant_answers)
        cells: list[Any] = []
        said_nothing: dict[str, str] | None = None  # required fields holding "n/a" or the like
        for index, name, where, answer_key, is_optional in columns:
            value = row[index]
            if value.__class__ is str:
                start = value[:1]
                maybe = may_be_blank.get(start)
                if maybe is None:
                    maybe = may_be_blank[start] = start.casefold() in blank_starts
                if maybe and is_blank_word(value):
                    # "n/a", "NA", "none", "-": blank in an optional field, a problem otherwise
                    if is_optional:
                        value = ""
                    else:
                        if said_nothing is None:
                            said_nothing = {}
                        said_nothing[name] = " ".join(value.split())
            elif isinstance(value, float):  # a spreadsheet number: its digits, never its binary value
                value = repr(value)
            cells.append(value)
            if where == 0:
                values[name] = value
            elif where == 1:
                answers[answer_key] = value
        draft = ApplicationDraft(**values, answers=answers)
        errors: dict[str, str] = {}
        clean: CleanApplication | None = None
        try:
            clean = clean_draft(draft, questions, default_language=default_language, today=today)
        except FieldErrors as exc:
            errors.update(exc.errors)
        area_id = rnd = None
        cell = draft.area
        found = areas.get(cell, areas)
        if found is areas:
            try:
                area = lookups.area(_text(cell))
                found = area.id if area is not None else None
            except ValidationError as exc:
                found = _Refused(str(exc))
            areas[cell] = found
        if found.__class__ is _Refused:
            errors["area"] = found.message
        else:
            area_id = found
        day = clean.submitted_on if clean is not None and clean.submitted_on else today
        cell = (draft.round, day)
        found = rounds.get(cell, rounds)
        if found is rounds:
            try:
                r = lookups.round(_text(draft.round), day)
                found = _RoundInfo(r.id, r.name, r.financial_year) if r is not None else None
            except ValidationError as exc:
                found = _Refused(str(exc))
            rounds[cell] = found
        if found.__class__ is _Refused:
            errors["round"] = found.message
        else:
            rnd = found
        if said_nothing:
            for name, word in said_nothing.items():
                errors.setdefault(name, f"“{word}” says there is nothing here, but {fields[name]} is needed.")
        if errors:
            for name in unmapped_required:
                errors.pop(name, None)
        if errors:
            found = [Problem(number, column_of.get(n) or fields.get(n, n), m)
                     for n, m in sorted(errors.items(), key=lambda e: order.get(e[0], len(order)))]
            problems.extend(found)
            result.rejected[number] = found
        elif clean is not None:
            parts = [fund_key]
            for n, label in key_order:
                value = cells[n]
                text = " ".join(value.split()).casefold() if value.__class__ is str else _key_text(value)
                if text:
                    parts.append(label + text)
            good.append(_Good(number, clean, area_id, rnd, sha256("\x1f".join(parts).encode("utf-8")).hexdigest()))
    _report(progress, rows_total, rows_total, CHECKING)
    if result.total == 0:
        empty = Problem(2, "", f"There are no applications in {table.source}: nothing under the header row.")
        problems.append(empty)
        result.structural.append(empty)
    return result


class _Refused(NamedTuple):
    message: str



# --- who is who, and duplicates ------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def _title_key(title: str) -> str:
    """A title as near-duplicates are compared: case, punctuation and spacing ignored, "&" read as
    "and", a plural's last "s" dropped ("New tents!" is "new tent")."""
    words = _NOT_WORD.sub(" ", title.casefold().replace("&", " and ")).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _title(title: str) -> tuple[str, tuple[str, ...]]:
    key = _title_key(title)
    return key, tuple(_DIGITS.findall(key))


def _near_identical(a: tuple[str, tuple[str, ...]], b: tuple[str, tuple[str, ...]]) -> bool:
    """Two titles (``_title``) that say the same thing: equal once normalised, or differing by a
    letter or two — but never in their numbers ("Summer camp 2026" is not "Summer camp 2025")."""
    if a[0] == b[0]:
        return True
    if a[1] != b[1]:
        return False
    la, lb = len(a[0]), len(b[0])
    if 2 * min(la, lb) < SIMILAR_TITLE * (la + lb):  # ratio's ceiling, from the lengths alone
        return False
    matcher = SequenceMatcher(None, a[0], b[0], autojunk=False)
    return matcher.real_quick_ratio() >= SIMILAR_TITLE and matcher.quick_ratio() >= SIMILAR_TITLE \
        and matcher.ratio() >= SIMILAR_TITLE


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
    candidates: list[tuple[_Good, Any, Match | None]] = []
    already = a.already
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
        candidates.append((g, org_key, match))

    # Likely duplicates. A title is normalised only for a row whose organisation has applied in the
    # round before (in the file or in GrantDesk): most have not.
    seen_keys: dict[str, int] = {}
    seen: dict[tuple[int | None, Any], list[_Good]] = {}
    kept: list[tuple[_Good, Any, Match | None]] = []
    for g, org_key, match in candidates:
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
                if earlier:
                    title = g.title_key()
                    row = next((e.number for e in earlier if _near_identical(title, e.title_key())), None)
                    if row is not None:
                        duplicate = Duplicate(number, f"Same organisation and title as row {row}",
                                              f"{number}:{DUPLICATE}", of_row=row)
        earlier = seen.get(group)
        if earlier is None:
            seen[group] = [g]
        else:
            earlier.append(g)
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
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    where = "in the column mapping" if all(p.row == 1 for p in problems) else f"in {rows} row{'s' * (rows != 1)}"
    hint = "" if valid_only else " Fix them and import again, or import only the valid rows."
    return ImportRefused(
        f"Nothing was imported from {source}: {len(problems)} {noun} {where} — {shown}{more}.{hint}",
        problems if every is None else every)


def _decisions_needed(matches: list[Match], duplicates: list[Duplicate], source: str) -> DecisionsNeeded:
    parts = []
    if matches:
        parts.append(f"{len(matches)} match{'es' * (len(matches) != 1)} to confirm ({_rows(m.row for m in matches)})")
    if duplicates:
        parts.append(f"{len(duplicates)} likely duplicate{'s' * (len(duplicates) != 1)} "
                     f"({_rows(d.row for d in duplicates)})")
    return DecisionsNeeded(
        f"Nothing was imported from {source}: {' and '.join(parts)} {'needs' if len(matches) + len(duplicates) == 1 else 'need'} a decision. Say for each whether it is "
        "the same group or person or a different one, and whether to skip a duplicate or import it anyway — or "
        "import only the rows without problems, which keeps the names as given (flagged for review) and skips "
        "the duplicates.", matches, duplicates)


def _rows(numbers: Iterable[int]) -> str:
    numbers = list(numbers)
    shown = ", ".join(str(n) for n in numbers[:5]) + ("…" if len(numbers) > 5 else "")
    return f"row{'s' * (len(numbers) != 1)} {shown}"


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
    with _gc_paused(), db.unit_of_work() as uow:
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
                                                        today, table.source, progress)
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
    message = (f"Imported {total} application{'s' * (total != 1)} into {fund.code}." if total or not a.already
               else f"Nothing new to import into {fund.code}.")
    if skipped:
        message += f" {skipped} likely duplicate{'s were' if skipped != 1 else ' was'} skipped."
    if a.already:
        message += " " + left_out_before(a.already)
    if reviews:
        message += (f" {len(reviews)} application{'s need' if len(reviews) != 1 else ' needs'} review: a number or "
                    "e-mail matched another name, so the names were kept as given (see each one's history).")
    if target is not None:
        message += (f" {rejected} row{'s were' if rejected != 1 else ' was'} not imported; "
                    f"they are in {target} with a Problems column.")
    return ImportResult(imported=total, rejected=rejected, rejected_file=target, message=message,
                        skipped_duplicates=skipped, already_imported=len(a.already), flags=flags,
                        references={p.good.number: ref for p, ref in zip(planned, references, strict=True)},
                        rows=_planned_rows(a))


_APPLICATION_COLUMNS = ("reference", "fund_id", "round_id", "organisation_id", "contact_id", "area_id", "title",
                        "summary", "amount_requested_pence", "project_start", "project_end", "submitted_on", "status",
                        "answers", "created_at", "updated_at", "version", "import_key")


def _save_applications(s: Session, fund: Fund, planned: list[_Planned], references: list[str],
                       org_ids: dict[Any, int], contact_ids: dict[Any, int], who: str, now, today: date, source: str,
                       progress: Progress | None) -> tuple[list[Flag], list[dict[str, Any]], dict[int, int]]:
    """The applications, PROGRESS_EVERY at a time (a Cancel in between rolls them back), their history
    and an audit entry for each one flagged for review. Returns the flags, the review entries and
    each row's new application id."""
    writer = Writer(s, Application, _APPLICATION_COLUMNS)
    submitted = Status.SUBMITTED.value
    total = len(planned)
    done = 0
    flags: list[Flag] = []
    reviews: list[dict[str, Any]] = []
    reasons: dict[int, str] = {}
    app_of_row: dict[int, int] = {}
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
        return (f"{imported} row{'s were' if imported != 1 else ' was'} imported before and "
                f"{'were' if imported != 1 else 'was'} skipped.") if imported else ""
    if not imported:
        return (f"{skipped} row{'s were' if skipped != 1 else ' was'} skipped as a likely duplicate before, so "
                f"{'they were' if skipped != 1 else 'it was'} left out again.")
    return (f"{imported} row{'s were' if imported != 1 else ' was'} imported before and {skipped} skipped as a "
            "likely duplicate before; all were left out.")


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
