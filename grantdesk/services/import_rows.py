"""The row check of an import: every row of a file through the one validation path (``clean_draft``
plus the fund's areas and rounds), each row's stable key, and what the check keeps of each good row
for working out who is who and for writing (``services.imports`` does both).

What the check keeps is compact: per row, its clean values (a slotted ``CleanApplication``), its
area, round and key, and — worked out once, for the check and the import alike — its normalised
title and name keys. The rows' own cells stay in the ``Table``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any, NamedTuple, Protocol

from grantdesk.domain.applications import (
    REQUIRED,
    ApplicationDraft,
    CleanApplication,
    FieldErrors,
    clean_draft,
)
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.organisations import name_key
from grantdesk.domain.questions import Question
from grantdesk.io.tabular import BLANK_WORDS, Table, is_blank, is_blank_word
from grantdesk.services.editing import FundLookups
from grantdesk.services.import_mappings import IMPORT_ONLY_FIELDS, _fields
from grantdesk.services.import_people import Applicants, Match, contact_keys
from grantdesk.store.models import Fund
from grantdesk.i18n import _

__all__ = ["Problem", "Duplicate", "AlreadyImported", "Progress", "PROGRESS_EVERY", "CHECKING", "SIMILAR_TITLE"]

PROGRESS_EVERY = 500
CHECKING = "Checking rows"
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
    # The check's who is who and duplicates, kept with the plan for the import: (the database's stamp,
    # the decisions, applicants, planned, duplicates, already imported, duplicate keys); see
    # ``services.imports._analyse``.
    who: Any = None

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
            problems.append(Problem(1, column, _("“{name}” is not a field of fund {code}.").format(
                                                 name=name, code=fund.code)))
            continue
        if name in IMPORT_ONLY_FIELDS:
            problems.append(Problem(1, column, _("Each row has its own {label}; it cannot be one value for every "
                                                 "row.").format(label=label.lower())))
            continue
        if name in header_of:
            problems.append(Problem(1, column, _("Column “{header_of}” already holds {label}; give one value for "
                                                 "every row only to a field the file does not have.").format(
                                                 header_of=header_of[name], label=label)))
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
            problems.append(Problem(1, column, _("There is no column called “{column}” in {source}.").format(
                                                 column=column, source=table.source)))
    used: list[tuple[int, str]] = []  # (column index, field)
    header_of: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = result.mapping[header]
        if not name:
            result.ignored.append(header)
        elif name not in fields:
            problems.append(Problem(1, header, _("“{name}” is not a field of fund {code}; choose one of its "
                                                 "fields, or ignore the column.").format(name=name, code=fund.code)))
        elif name in header_of:
            problems.append(Problem(1, header, _("Both “{header_of}” and “{header}” are mapped to {fields}; map "
                                                 "only one column to it.").format(
                                                 header_of=header_of[name], header=header, fields=fields[name])))
        else:
            header_of[name] = header
            used.append((index, name))
    kept, constant_problems = _check_constants(constants or {}, fields, header_of, questions, fund, lookups, today)
    problems.extend(constant_problems)
    result.constants = kept
    required = [*REQUIRED, *(q.field for q in questions if q.required)]
    unmapped_required = [f for f in required if f not in header_of and f not in kept]
    for name in unmapped_required:
        problems.append(Problem(1, fields[name], _("No column is mapped to {fields}.").format(fields=fields[name])))
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
                errors.setdefault(name, _("“{word}” says there is nothing here, but {field} is needed.").format(
                    word=word, field=fields[name]))
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
        empty = Problem(2, "", _("There are no applications in {source}: nothing under the header row.").format(
                                 source=table.source))
        problems.append(empty)
        result.structural.append(empty)
    return result


class _Refused(NamedTuple):
    message: str




# --- titles, for likely duplicates ------------------------------------------------------------

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
    # ratio's ceiling from the letters each has (difflib's quick_ratio, worked out without building
    # a matcher: a second bid's other title fails here)
    common = sum((Counter(a[0]) & Counter(b[0])).values())
    if 2.0 * common / (la + lb) < SIMILAR_TITLE:
        return False
    return SequenceMatcher(None, a[0], b[0], autojunk=False).ratio() >= SIMILAR_TITLE


