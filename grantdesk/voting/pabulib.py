"""The PaBuLib ``.pb`` format (https://pabulib.org/format): META, PROJECTS and VOTES sections of
``;``-separated rows, each section with its own header row.

``read_pb`` understands every vote type in PaBuLib (approval, ordinal, cumulative, scoring,
choose-1); ``write_pb`` writes an ``Election`` back so that reading it again gives the same election.
Amounts are read exactly (``Fraction`` from the decimal text), never through a float.

A file cut off is refused, not half read: META's ``num_votes`` and ``num_projects``, where given, must
be how many ballots and projects the file holds, and the last ballot must have every column of the
VOTES header. Either refusal names the line.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import repeat
from operator import itemgetter
from pathlib import Path

from grantdesk.domain.errors import ValidationError
from grantdesk.voting.election import VOTE_TYPES, Ballot, BallotColumns, Election, Project
from grantdesk.i18n import _

SECTIONS = ("META", "PROJECTS", "VOTES")
_PROJECT_COLUMNS = ("project_id", "cost", "name", "category")
_VOTE_COLUMNS = ("voter_id", "vote", "points")


class PabulibError(ValidationError):
    """A ``.pb`` file that cannot be read; the message names the line and what is wrong."""


def exact_amount(text: str, what: str, line: int | None = None) -> Fraction:
    """A decimal amount written in a file (``1459730.46``) as an exact ``Fraction``."""
    where = f"line {line}: " if line else ""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(_("{where}{what} “{text}” is not a number.").format(where=where, what=what, text=text)) from None
    if not value.is_finite() or value < 0:
        raise PabulibError(_("{where}{what} “{text}” is not an amount.").format(where=where, what=what, text=text))
    return Fraction(value)


def format_amount(value: Fraction) -> str:
    """An exact amount as a file writes it: ``155000`` or ``1459730.46``."""
    if value.denominator == 1:
        return str(value.numerator)
    text = str(Decimal(value.numerator) / Decimal(value.denominator))
    if Fraction(Decimal(text)) != value:
        raise ValueError(f"{value} cannot be written exactly as a decimal.")
    return text


def read_pb(source: str | Path | io.TextIOBase, *, keep_extra: bool = True) -> Election:
    """Read a PaBuLib file (a path, or an open text stream). ``keep_extra=False`` drops the VOTES
    columns no rule uses (age, neighbourhood…): a third faster on 65,000 ballots, for counting only."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return _parse(fh.read(), keep_extra)
    return _parse(source.read(), keep_extra)


def _section_starts(lines: list[str]) -> dict[str, int]:
    """Where each section's name line is. Files write the names alone on their lines; only when one is
    not found that way are the lines searched again, allowing for spaces around the name."""
    starts: dict[str, int] = {}
    for name in SECTIONS:
        try:
            starts[name] = lines.index(name)
        except ValueError:
            pass
    if len(starts) < len(SECTIONS) or sorted(starts.values()) != [starts[name] for name in SECTIONS]:
        starts = {}
        for n, line in enumerate(lines):
            name = line.strip()
            if name in SECTIONS and name not in starts:
                starts[name] = n
    return starts


def _parse(text: str, keep_extra: bool = True) -> Election:
    lines = text.splitlines()
    quotes = '"' in text  # in most files, none at all: no section need be searched for them
    starts = _section_starts(lines)
    missing = [s for s in SECTIONS if s not in starts]
    if missing:
        raise PabulibError(_("This is not a PaBuLib file: there is no {missing} section.").format(
                             missing=' or '.join(missing)))
    order = sorted(starts.values())
    bounds = {name: (start + 1, next((o for o in order if o > start), len(lines))) for name, start in starts.items()}

    def rows(section: str, only: tuple[str, ...] = ()) -> tuple[list[str], _Rows]:
        """The section's header and rows. With ``only`` (column names), the cells after the last of
        those columns are not split apart (the votes' age and neighbourhood, when only counting)."""
        first, last = bounds[section]
        # The checks and splits below run over 60,000 lines as ``map``s of ``str`` methods: no Python
        # step per line.
        texts = list(filter(None, lines[first:last]))
        if any(map(str.isspace, texts)):  # lines of spaces are blank too (rare: checked, not assumed)
            texts = [t for t in texts if t.strip()]
        if not texts:
            raise PabulibError(_("The {section} section has no header row.").format(section=section))
        if quotes and any(map(str.__contains__, texts, repeat('"'))):  # quoted fields: let csv read them
            parsed = list(csv.reader(texts, delimiter=";"))
        else:  # the common case, and 60,000 ballots: a plain split is several times faster
            header = [h.strip() for h in texts[0].split(";")]
            wanted = [header.index(name) for name in only if name in header]
            if only and len(wanted) == len(only) and max(wanted) + 1 < len(header):
                cut = max(wanted) + 1  # the rest of each line stays in one last cell
                # Each line's cells as a tuple: a list per line would be kept, and walked by the cyclic
                # garbage collector, for as long as the votes are read; tuples of text it leaves alone.
                return header[:cut + 1], _Rows(list(map(tuple, map(str.split, texts[1:], repeat(";"), repeat(cut)))),
                                               lines, first, last)
            parsed = list(map(str.split, texts, repeat(";")))
        header = [h.strip() for h in parsed[0]]
        return header, _Rows(parsed[1:], lines, first, last)

    meta_header, meta_rows = rows("META")
    meta = {row[0].strip(): ";".join(row[1:]).strip() for _n, row in meta_rows if row}
    vote_type = meta.get("vote_type", "").strip()
    if vote_type not in VOTE_TYPES:
        raise PabulibError(_("META vote_type “{vote_type}” is not one of {vote_types}.").format(
                             vote_type=vote_type, vote_types=', '.join(VOTE_TYPES)))
    if "budget" not in meta:
        raise PabulibError(_("META has no budget."))
    budget = exact_amount(meta["budget"], "The budget")

    header, project_rows = rows("PROJECTS")
    for needed in ("project_id", "cost"):
        if needed not in header:
            raise PabulibError(_("The PROJECTS section has no {needed} column.").format(needed=needed))
    col = {name: i for i, name in enumerate(header)}
    projects: list[Project] = []
    seen: set[str] = set()
    for n, row in project_rows:
        cells = row + [""] * (len(header) - len(row))
        pid = cells[col["project_id"]].strip()
        if not pid:
            raise PabulibError(_("line {n}: a project has no project_id.").format(n=n))
        if pid in seen:
            raise PabulibError(_("line {n}: project {pid} is listed twice.").format(n=n, pid=pid))
        seen.add(pid)
        categories = tuple(c.strip() for c in cells[col["category"]].split(",") if c.strip()) if "category" in col else ()
        extra = {h: cells[i] for h, i in col.items() if h not in _PROJECT_COLUMNS}
        projects.append(Project(pid, exact_amount(cells[col["cost"]], f"The cost of project {pid}", n),
                                cells[col["name"]] if "name" in col else "", categories, extra))
    index = {p.id: i for i, p in enumerate(projects)}
    _check_count(meta, meta_rows, "num_projects", len(projects), "PROJECTS", "project", bounds["PROJECTS"], lines)

    counting_only = ("voter_id", "vote", "points") if meta.get("vote_type", "").strip() in ("cumulative", "scoring") \
        else ("voter_id", "vote")
    header, vote_rows = rows("VOTES", () if keep_extra else counting_only)
    for needed in ("voter_id", "vote"):
        if needed not in header:
            raise PabulibError(_("The VOTES section has no {needed} column.").format(needed=needed))
    _check_last_line(lines, bounds["VOTES"])
    _check_count(meta, meta_rows, "num_votes", len(vote_rows.rows), "VOTES", "ballot", bounds["VOTES"], lines)
    col = {name: i for i, name in enumerate(header)}
    v_id, v_vote, v_points = col["voter_id"], col["vote"], col.get("points")
    wants_points = vote_type in ("cumulative", "scoring")
    extra_cols = [(h, i) for h, i in col.items() if h not in _VOTE_COLUMNS] if keep_extra else []
    ballots = _ballots_fast(vote_rows, header, index, v_id, v_vote, v_points, wants_points, extra_cols, vote_type)
    if ballots is None:  # something is wrong somewhere: read row by row to say exactly where
        ballots = _ballots_careful(vote_rows, header, index, v_id, v_vote, v_points, wants_points, extra_cols,
                                   vote_type)
    return Election(vote_type=vote_type, budget=budget, projects=projects, ballots=ballots, meta=meta)


def _cells(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=";")) if '"' in line else line.split(";")


def _last_line(lines: list[str], bounds: tuple[int, int]) -> int:
    """The number (from 1) of a section's last line with something on it."""
    first, last = bounds
    return next((n + 1 for n in range(last - 1, first - 1, -1) if lines[n].strip()), first)


def _check_last_line(lines: list[str], bounds: tuple[int, int]) -> None:
    """A file cut off part-way through its last ballot: that line has fewer columns than the header."""
    first, last = bounds
    head = next((n for n in range(first, last) if lines[n].strip()), None)  # from each end: not every line
    n = _last_line(lines, bounds) - 1
    if head is None or n <= head:
        return
    header = [h.strip() for h in _cells(lines[head])]
    cells = _cells(lines[n])
    if len(cells) < len(header):
        missing = header[len(cells):]
        raise PabulibError(
            _("line {n}: the last ballot has {count} of the {count2} columns of VOTES (no {missing}): the file "
              "looks cut off part-way through this line.").format(
              n=n + 1, count=len(cells), count2=len(header), missing=', '.join(missing)))


def _check_count(meta: dict[str, str], meta_rows: "_Rows", key: str, found: int, section: str, noun: str,
                 bounds: tuple[int, int], lines: list[str]) -> None:
    """META's ``num_votes`` (or ``num_projects``), where the file gives it, is how many there are."""
    stated = meta.get(key, "").strip()
    if not stated:
        return
    where = next((n for n, row in meta_rows if row and row[0].strip() == key), None)
    at = f" (line {where})" if where else ""
    if not stated.isdigit():
        raise PabulibError(f"line {where}: META {key} “{stated}” is not a whole number." if where
                           else f"META {key} “{stated}” is not a whole number.")
    declared = int(stated)
    if declared == found:
        return
    end = _last_line(lines, bounds)
    if found < declared:
        raise PabulibError(
            f"line {end}: the {section} section ends here with {found:,} {noun}{'s' * (found != 1)}, but META "
            f"says {key} is {declared:,}{at}: the file looks cut off, and {declared - found:,} "
            f"{noun}{'s are' if declared - found != 1 else ' is'} missing.")
    raise PabulibError(
        _("line {end}: the {section} section has {found:,} {noun}{value}, but META says {key} is "
          "{declared:,}{at}: the file does not hold what its META describes.").format(
          end=end, section=section, found=found, noun=noun, value='s' * (found != 1), key=key, declared=declared, at=at))


class _Rows:
    """A section's rows after its header, split into cells; ``numbered()`` pairs each with its line
    number in the file (worked out only when needed, for a message about a bad line)."""

    def __init__(self, rows: list[list[str]], lines: list[str], first: int, last: int):
        self.rows = rows
        self._lines, self._first, self._last = lines, first, last

    def __iter__(self):
        return iter(self.numbered())

    def __bool__(self) -> bool:
        return bool(self.rows)

    def numbered(self) -> list[tuple[int, list[str]]]:
        numbers = [self._first + i + 1 for i, line in enumerate(self._lines[self._first:self._last]) if line.strip()]
        return list(zip(numbers[1:], self.rows, strict=True))


def _ballots_careful(vote_rows, header, index, v_id, v_vote, v_points, wants_points, extra_cols, vote_type):
    ballots: list[Ballot] = []
    lookup = index.__getitem__
    for n, row in vote_rows:
        cells = row if len(row) >= len(header) else [*row, *[""] * (len(header) - len(row))]
        vote = cells[v_vote].strip()
        try:
            chosen = tuple(map(lookup, vote.split(","))) if vote else ()
        except KeyError:
            try:  # spaces after the commas, perhaps
                chosen = tuple(lookup(p.strip()) for p in vote.split(","))
            except KeyError as exc:
                raise PabulibError(_("line {n}: voter {cells} voted for project {args}, which is not in PROJECTS.").format(
                                     n=n, cells=cells[v_id], args=exc.args[0])) from None
        points = None
        if wants_points:
            if v_points is None:
                raise PabulibError(_("A {vote_type} file needs a points column in VOTES.").format(
                                     vote_type=vote_type))
            raw = cells[v_points].strip()
            try:
                points = tuple(map(int, raw.split(","))) if raw else ()
            except ValueError:
                raise PabulibError(_("line {n}: points “{raw}” are not whole numbers.").format(n=n, raw=raw)) from None
            if len(points) != len(chosen):
                raise PabulibError(_("line {n}: {count} projects but {count2} points.").format(
                                     n=n, count=len(chosen), count2=len(points)))
        if len(chosen) > 1 and len(set(chosen)) != len(chosen):
            if vote_type in ("approval", "choose-1"):
                chosen = tuple(dict.fromkeys(chosen))  # approving twice is approving once
            else:
                raise PabulibError(_("line {n}: voter {cells} lists a project twice on a {vote_type} ballot.").format(
                                     n=n, cells=cells[v_id], vote_type=vote_type))
        ballots.append(Ballot(cells[v_id].strip(), chosen, points,
                              {h: cells[i] for h, i in extra_cols} if extra_cols else None))
    return ballots


def _ballots_fast(vote_rows, header, index, v_id, v_vote, v_points, wants_points, extra_cols, vote_type):
    """The ballots of a well-formed VOTES section, column by column (about five times faster than
    row by row on 65,000 ballots); ``None`` at the first sign of trouble. Without points or extra
    columns, every step is a ``map`` over a column: no Python code runs once per ballot."""
    rows = vote_rows.rows
    if not rows:
        return []
    if min(map(len, rows)) < len(header) or (wants_points and v_points is None):
        return None
    texts = list(map(itemgetter(v_vote), rows))
    distinct = set(texts)  # many voters cast the same ballot: convert each distinct text once
    blank = "" in distinct  # a ballot that marks nothing ("".split(",") would be [""])
    distinct.discard("")
    keys = list(distinct)
    try:
        converted = list(map(tuple, map(map, repeat(index.__getitem__), map(str.split, keys, repeat(",")))))
        points = ([tuple(map(int, row[v_points].split(","))) if row[v_points] else () for row in rows]
                  if wants_points else [None] * len(rows))
    except (KeyError, ValueError):
        return None
    # A project listed twice: some ballot's set is smaller than its tuple.
    if sum(map(len, map(set, converted))) != sum(map(len, converted)):
        return None
    seen = dict(zip(keys, converted, strict=True))
    if blank:
        seen[""] = ()
    chosen = list(map(seen.__getitem__, texts))
    if wants_points and any(len(c) != len(p) for c, p in zip(chosen, points, strict=True)):
        return None
    ids = list(map(str.strip, map(itemgetter(v_id), rows)))
    if extra_cols:
        names = [h for h, _i in extra_cols]
        where = [i for _h, i in extra_cols]
        extras = [dict(zip(names, [row[i] for i in where], strict=True)) for row in rows]
    else:
        extras = [None] * len(rows)
    return BallotColumns(ids, chosen, points, extras)


def shuffled_voters(election: Election, seed: bytes) -> Election:
    """``election`` with its ballots shuffled and its voters numbered ``1``, ``2``, … ``n`` in the new
    order: what GrantDesk exports, so that neither a voter id nor the order of the ballots says who
    voted or when. The shuffle is seeded by ``seed`` (from the event's secret key), so the same event
    exports the same file twice, and nobody without the key can undo it. Nothing else changes: the
    count is the same."""
    ballots = list(election.ballots)
    random.Random(seed).shuffle(ballots)  # noqa: S311 - an order to hide, seeded from a secret; not a key
    columns = BallotColumns([str(n) for n in range(1, len(ballots) + 1)], [b.projects for b in ballots],
                            [b.points for b in ballots], [b.extra for b in ballots])
    return Election(election.vote_type, election.budget, election.projects, columns, dict(election.meta))


def write_pb(election: Election, target: str | Path | io.TextIOBase) -> None:
    """Write ``election`` as a PaBuLib file (UTF-8)."""
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as fh:
            _write(election, fh)
    else:
        _write(election, target)


def _write(election: Election, fh) -> None:
    out = csv.writer(fh, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["vote_type"] = election.vote_type
    meta["budget"] = format_amount(election.budget)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.ballots))
    fh.write("META\n")
    out.writerow(["key", "value"])
    for key, value in meta.items():
        out.writerow([key, value])

    fh.write("PROJECTS\n")
    extra = list(dict.fromkeys(k for p in election.projects for k in p.extra))
    has_name = any(p.name for p in election.projects)
    has_category = any(p.categories for p in election.projects)
    header = ["project_id", "cost"] + (["name"] if has_name else []) + (["category"] if has_category else []) + extra
    out.writerow(header)
    for p in election.projects:
        row = [p.id, format_amount(p.cost)]
        if has_name:
            row.append(p.name)
        if has_category:
            row.append(",".join(p.categories))
        out.writerow(row + [p.extra.get(k, "") for k in extra])

    fh.write("VOTES\n")
    with_points = election.vote_type in ("cumulative", "scoring")
    extra = list(dict.fromkeys(k for b in election.ballots for k in (b.extra or ())))
    out.writerow(["voter_id", "vote"] + (["points"] if with_points else []) + extra)
    ids = election.project_ids
    for b in election.ballots:
        row = [b.voter_id, ",".join(ids[i] for i in b.projects)]
        if with_points:
            row.append(",".join(str(x) for x in (b.points or ())))
        out.writerow(row + [(b.extra or {}).get(k, "") for k in extra])
