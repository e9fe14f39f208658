"""Counting a vote: the tallies (kiosk, paper, both), the allocation by the event's rule and its
explanation; what the projector may show while results are hidden; the research export; and the
fund's list of votes with their counts so far.

A count reads the stored ballots back column by column (``grantdesk.store.ballots.stored_ballots``)
and checks every ballot against the event's rules as ``tally_ballots`` does, but decodes each distinct
ballot once and checks each shape of ballot once (``_Count``): 60,000 ballots in a fraction of the
time, making few objects that outlive the count's first moments (so the cyclic garbage collector,
left as it is, has little to walk).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from fractions import Fraction
from itertools import compress
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.services.common import fund_by_code
from grantdesk.services.events.common import event_by_id, rule_options
from grantdesk.services.events.views import EventView, view_of
from grantdesk.store.ballots import StoredBallots, stored_ballots
from grantdesk.store.database import Database
from grantdesk.store.models import CastBallotRow, VotingEvent
from grantdesk.voting.ballots import (
    CANT_JUDGE,
    ApprovalRules,
    BallotRules,
    CastBallot,
    CumulativeRules,
    RankedRules,
    ScoreRules,
    ballot_problems,
    problem_words,
)
from grantdesk.voting.election import Ballot, BallotColumns, Election
from grantdesk.voting.result import AllocationResult
from grantdesk.voting.rules import DESCRIPTIONS, run_rule
from grantdesk.voting.tally import Tally, tally_election


@dataclass(frozen=True, slots=True)
class ProjectResult:
    reference: str
    title: str
    organisation: str
    amount_pence: int
    total: int | Fraction
    supporters: int
    mean: Fraction | None
    funded: bool
    rank: int  # 1 = most support
    title_cy: str = ""  # the title in Welsh, where the application gives one (issue 20)

    def title_in(self, language: str) -> str:
        """The title in ``language``: the Welsh one for Welsh when there is one, else the English."""
        if language == "cy":
            return self.title_cy or self.title
        return self.title or self.title_cy


@dataclass(frozen=True)
class EventResults:
    event: EventView
    tally: Tally  # kiosk and paper together
    kiosk: Tally
    paper: Tally
    allocation: AllocationResult
    projects: tuple[ProjectResult, ...]  # by support, most first
    budget_pence: int
    funded_pence: int
    spoilt_reasons: tuple[str, ...]

    @property
    def left_pence(self) -> int:
        return self.budget_pence - self.funded_pence

    @property
    def method(self) -> str:
        """The method and rules in plain words, for the results sheet."""
        e = self.event
        extra = ""
        if e.rule == "greedy":
            extra = (" When the next project does not fit in what is left, " +
                     ("counting stops there." if e.when_next_does_not_fit == "stop" else
                      "it is skipped and the next one that fits is funded."))
        return f"Ballot: {e.instructions} Allocation: {DESCRIPTIONS[e.rule]}.{extra} {self.allocation.tie_break}"


class _Ballot:
    """One distinct stored ballot: the projects it marks (indices into the ballot paper; ``None`` when
    it marks a reference not on it), its points, what it gives an ``Election`` ("can't judge" left
    out), and the reasons (in words) it breaks the event's rules once checked."""

    __slots__ = ("text", "marks", "points", "projects", "kept", "reasons")

    def __init__(self, text: str, marks: tuple[int, ...] | None, points: tuple[Any, ...] | None):
        self.text, self.marks, self.points = text, marks, points
        self.reasons: tuple[str, ...] | None = None
        self.projects: tuple[int, ...] | None = None
        self.kept: tuple[Any, ...] | None = None
        if marks is None:
            return
        if points is None:
            self.projects = marks
        elif len(points) == len(marks):
            if CANT_JUDGE in points:
                pairs = [(i, p) for i, p in zip(marks, points, strict=True) if p is not CANT_JUDGE]
                self.projects, self.kept = tuple(i for i, _ in pairs), tuple(p for _, p in pairs)
            else:
                self.projects, self.kept = marks, points

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(json.loads(self.text))


def _marks(texts: set[str], rules: BallotRules) -> dict[str, tuple[int, ...] | None]:
    """For each JSON list of references in ``texts``, the ballot paper positions of the references
    (``None`` if one is not on it). Text as GrantDesk writes it (``["A", "B"]``) is split, not parsed:
    each piece must be exactly the JSON of a reference, so the answer is the same as ``json.loads``'s."""
    get = {json.dumps(p.id): i for i, p in enumerate(rules.projects)}.get
    marks = {text: tuple(map(get, text[1:-1].split(", "))) for text in texts}
    index = {p.id: i for i, p in enumerate(rules.projects)}
    for text in [text for text, found in marks.items() if None in found]:  # "[]", or written otherwise
        try:
            marks[text] = tuple(map(index.__getitem__, json.loads(text)))
        except (KeyError, TypeError):
            marks[text] = None
    return marks


def _shape(rules: BallotRules, b: _Ballot) -> Any:
    """What ``ballot_problems`` looks at, for a ballot that marks only projects on the ballot paper,
    each once: how many it marks, and (with points) the points as a multiset. Ballots of one shape are
    all good or all spoilt, so a good shape is checked once. ``None`` (unknown or repeated projects,
    points that are not whole numbers, limits per category, a knapsack): check that ballot itself."""
    marks, points = b.marks, b.points
    if marks is None or len(set(marks)) != len(marks):
        return None
    if not rules.has_points:
        if points is not None or rules.kind == "knapsack" or getattr(rules, "per_category", None):
            return None
        return len(marks)
    if points is None or len(points) != len(marks) or any(type(p) is not int for p in points if p is not None):
        return None
    return len(marks), tuple(sorted(points, key=lambda p: (p is not None, p or 0)))


class _Count:
    """An event's stored ballots counted as ``tally_ballots`` counts them — every ballot not marked
    spoilt checked against the event's rules, one that breaks them spoilt with its reasons — but each
    distinct ballot decoded once, and each shape of ballot (``_shape``) found good checked once with
    ``ballot_problems``: on 60,000 ballots, a fraction of the time of checking each."""

    def __init__(self, rules: BallotRules, stored: StoredBallots):
        self.rules, self.stored = rules, stored
        self.meta = {"max_length": str(rules.max_ranked)} \
            if isinstance(rules, RankedRules) and rules.max_ranked is not None else {}
        self.sources = set(stored.sources)
        texts = stored.choices
        marks = _marks(set(texts), rules)
        points_texts = set(stored.points)
        # The usual case: marks only, every one on the ballot paper and once, nothing spoilt — then a
        # ballot's problems depend on how many projects it marks alone, and one of each length is checked.
        self.plain = self._all_good(marks, points_texts)
        if self.plain:
            self.per_row: list[Any] = list(map(marks.__getitem__, texts))  # project indices
            return
        loads = json.loads
        keys = list(zip(texts, stored.points, strict=True))
        points = {text: None if text is None or (value := loads(text)) is None else tuple(value)
                  for text in points_texts}
        distinct = {key: _Ballot(key[0], marks[key[0]], points[key[1]]) for key in set(keys)}
        self.per_row = list(map(distinct.__getitem__, keys))  # _Ballot
        counted = {key for key, reason in zip(keys, stored.reasons, strict=True) if reason is None}
        good_shapes: dict[Any, bool] = {}
        for key in counted:
            b = distinct[key]
            shape = _shape(rules, b)
            if shape is not None and good_shapes.get(shape):
                b.reasons = ()
                continue
            b.reasons = tuple(map(problem_words, ballot_problems(rules, CastBallot("", b.choices, b.points))))
            if shape is not None:
                good_shapes[shape] = not b.reasons

    def _all_good(self, marks: dict[str, tuple[int, ...] | None], points_texts: set[str | None]) -> bool:
        rules = self.rules
        if rules.has_points or rules.kind == "knapsack" or getattr(rules, "per_category", None) \
                or not points_texts <= {None, "null"} or set(self.stored.reasons) - {None}:
            return False
        found = list(marks.values())
        if None in found or list(map(len, map(set, found))) != list(map(len, found)):
            return False
        ids = [p.id for p in rules.projects]
        return not any(ballot_problems(rules, CastBallot("", tuple(ids[i] for i in one)))
                       for one in {len(m): m for m in found}.values())

    def accepted(self, source: str | None = None) -> tuple[list[Ballot], list[tuple], list[int]]:
        """The ballots from ``source`` (all when ``None``) that count, as ``Election`` ballots; the
        spoilt ones (marked so, then those that break the rules) with their reasons; and per project
        the "can't judge" marks on the ones that count."""
        stored, per_row = self.stored, self.per_row
        voters, reasons = stored.voter_ids(), stored.reasons  # "1", "2", … in the stored (random) order
        if source is not None and self.sources != {source}:
            chosen = [src == source for src in stored.sources]
            voters, reasons, per_row = (list(compress(column, chosen)) for column in (voters, reasons, per_row))
        unsure = [0] * len(self.rules.projects)
        if self.plain:  # the ballots as columns, without a Python call per ballot (as the PaBuLib reader)
            return BallotColumns(list(voters), list(per_row)), [], unsure
        good: list[Ballot] = []
        rejected: list[tuple[str, tuple[str, ...]]] = []
        spoilt: list[tuple[str, tuple[str, ...]]] = []
        for voter, reason, b in zip(voters, reasons, per_row, strict=True):
            if reason is not None:
                spoilt.append((voter, (reason,)))
            elif b.reasons:
                rejected.append((voter, b.reasons))
            else:
                good.append(Ballot(voter, b.projects, b.kept))
                if b.points is not None and CANT_JUDGE in b.points:
                    for i, p in zip(b.marks, b.points, strict=True):
                        if p is CANT_JUDGE:
                            unsure[i] += 1
        return good, [*spoilt, *rejected], unsure

    def tally(self, source: str | None = None) -> tuple[Tally, list[Ballot]]:
        """The tally of the ballots from ``source`` (all when ``None``), and the ones that count."""
        good, spoilt, unsure = self.accepted(source)
        election = Election(self.rules.vote_type, Fraction(0), list(self.rules.projects), good, dict(self.meta))
        return tally_election(election, cant_judge=unsure, spoilt=spoilt), good


def event_election(session: Session, event: VotingEvent, view: EventView | None = None,
                   ballots: list[Ballot] | None = None) -> Election:
    """The event's accepted ballots as an ``Election`` (project ids: application references; costs and
    budget in pounds), with the META a PaBuLib export needs to be counted the same way again.
    ``ballots``: the election's ballots when the caller has them already."""
    view = view or view_of(session, event)
    rules = view.rules
    if ballots is None:
        ballots = _Count(rules, stored_ballots(session, event.id)).accepted()[0]
    meta = {
        "description": f"{view.fund_name}: {view.name}",
        "country": "United Kingdom",
        "unit": view.fund_name,
        "instance": view.round_name,
        "currency": "GBP",
        "rule": view.rule,
        "tie_break": ",".join(view.tie_break),
        "fund_unsupported": "no",
    }
    if view.tie_break_seed:
        meta["tie_break_seed"] = view.tie_break_seed
    if view.rule == "greedy":
        meta["when_next_does_not_fit"] = view.when_next_does_not_fit
    if view.opens_at:
        meta["date_begin"] = view.opens_at.strftime("%d.%m.%Y")
    if view.closes_at:
        meta["date_end"] = view.closes_at.strftime("%d.%m.%Y")
    meta.update(_length_meta(rules))
    return Election(rules.vote_type, Fraction(view.budget_pence, 100), list(rules.projects), ballots, meta)


def _length_meta(rules: BallotRules) -> dict[str, str]:
    if isinstance(rules, ApprovalRules) and rules.max_choices:
        return {"max_length": str(rules.max_choices), "min_length": str(rules.min_choices)}
    if isinstance(rules, RankedRules) and rules.max_ranked:
        return {"max_length": str(rules.max_ranked), "min_length": str(rules.min_ranked)}
    if isinstance(rules, CumulativeRules):
        return {"max_sum_points": str(rules.tokens)}
    if isinstance(rules, ScoreRules):
        return {"min_points": str(rules.low), "max_points": str(rules.high)}
    return {}


def count_results(session: Session, event: VotingEvent, view: EventView | None = None) -> EventResults:
    """Count the event in ``session`` (see ``event_results``)."""
    view = view or view_of(session, event)
    stored = stored_ballots(session, event.id)
    count = _Count(view.rules, stored)
    tally, good = count.tally()
    kiosk = tally if count.sources == {"kiosk"} else count.tally("kiosk")[0]
    paper = tally if count.sources == {"paper"} else count.tally("paper")[0]
    election = event_election(session, event, view, good)  # the allocation counts the ballots the tally accepts
    allocation = run_rule(election, view.rule, view.tie_break_policy,
                          **rule_options(view.rule, view.when_next_does_not_fit))
    funded = set(allocation.selected)
    # Rank by total support; equal totals in the event's tie-break order, as the rule took them.
    tie_key = view.tie_break_policy.key(election, [t.supporters for t in tally.projects])
    order = sorted(range(len(view.projects)), key=lambda i: (-tally.projects[i].total, tie_key(i)))
    projects = []
    for rank, i in enumerate(order, start=1):
        p, t = view.projects[i], tally.projects[i]
        projects.append(ProjectResult(p.reference, p.title, p.organisation, p.amount_pence, t.total, t.supporters,
                                      t.mean, p.reference in funded, rank, p.title_cy))
    funded_pence = sum(p.amount_pence for p in view.projects if p.reference in funded)
    reasons = tuple(r for r in stored.reasons if r is not None)
    return EventResults(view, tally, kiosk, paper, allocation, tuple(projects), view.budget_pence, funded_pence,
                        reasons)


@dataclass(frozen=True, slots=True)
class HiddenCount:
    """What a results screen may show while an event hides its results: how many ballots are in, and
    nothing that says how they were cast."""

    event: EventView
    cast: int
    kiosk: int
    paper: int
    budget_pence: int


def event_screen(db: Database, event_id: int) -> EventResults | HiddenCount:
    """For the projector: the full count once results may be shown, else only the number of ballots in
    (so the totals are not even counted while they are hidden)."""
    with db.session() as s:
        event = event_by_id(s, event_id)
        view = view_of(s, event)
        if view.hide_results and not view.revealed:
            by_source = dict(s.execute(select(CastBallotRow.source, func.count())
                                       .where(CastBallotRow.event_id == event_id)
                                       .group_by(CastBallotRow.source)).all())
            kiosk, paper = int(by_source.get("kiosk", 0)), int(by_source.get("paper", 0))
            return HiddenCount(view, kiosk + paper, kiosk, paper, view.budget_pence)
        return count_results(s, event, view)


def event_results(db: Database, event_id: int) -> EventResults:
    """Count the event now: tallies (kiosk, paper, both), the allocation and its explanation."""
    with db.session() as s:
        return count_results(s, event_by_id(s, event_id))


def export_pabulib(db: Database, event_id: int, target: str | Path) -> Path:
    """Write the event's accepted ballots as a PaBuLib ``.pb`` file for research. Tallying it with
    ``python -m grantdesk tally`` and the event's rule gives the event's result.

    The ballots are shuffled and their voters numbered 1 to n (``shuffled_voters``, seeded from the
    event's secret key, so the file is the same each time): no receipt, code or order of casting is
    in the file."""
    from grantdesk.voting.pabulib import shuffled_voters, write_pb

    with db.session() as s:
        event = event_by_id(s, event_id)
        election = shuffled_voters(event_election(s, event), export_seed(event))
    path = Path(target)
    write_pb(election, path)
    return path


def export_seed(event: VotingEvent) -> bytes:
    """The seed of an export's shuffle: derived from the event's secret key (not the key itself)."""
    return hmac.new(bytes.fromhex(event.ballot_secret), b"export voters", hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: int
    name: str
    round_name: str
    ballot_kind: str
    rule: str
    state: str
    ballots_counted: int
    spoilt: int
    funded: tuple[str, ...]  # application references, in the order the rule chose them

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "round": self.round_name, "ballot_type": self.ballot_kind,
                "rule": self.rule, "state": self.state, "ballots_counted": self.ballots_counted,
                "spoilt": self.spoilt, "funded": list(self.funded)}


def list_events(db: Database, fund_code: str) -> list[EventSummary]:
    """The fund's voting events, newest first, each with its count so far."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        events = s.scalars(select(VotingEvent).where(VotingEvent.fund_id == fund.id)
                           .order_by(VotingEvent.created_at.desc(), VotingEvent.id.desc())).all()
        out = []
        for event in events:
            view = view_of(s, event)
            results = count_results(s, event, view)
            out.append(EventSummary(event.id, event.name, event.round.name, event.ballot_kind, event.rule,
                                    view.state, results.tally.accepted, results.tally.spoilt_count,
                                    results.allocation.selected if results.tally.accepted else ()))
        return out

