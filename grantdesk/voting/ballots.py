"""Ballots as residents cast them, the rules of an event's ballot paper, and the check between them.

Six kinds of ballot, each with its own rules:

- ``ScoreRules``: every project scored on a range such as 1–5 or 0–10, optionally "can't judge"
  (``CANT_JUDGE``), optionally every project must be scored;
- ``ApprovalRules``: approve up to K projects, optionally with limits per category (up to 5 small and
  up to 3 large);
- ``ChooseOneRules``: one project;
- ``RankedRules``: projects in order of preference, each once, up to (or exactly) L of them;
- ``CumulativeRules``: N tokens spread over projects, optionally at most M on one project;
- ``KnapsackRules``: choose projects whose total cost fits the budget.

``check_ballot(rules, ballot)`` returns nothing for a good ballot and raises ``BallotRejected`` with
every reason for a bad one, each a sentence a voter or a volunteer counting paper ballots can act on.
``to_election`` turns the accepted ballots into an ``Election`` for the allocation rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

from grantdesk.domain.errors import ValidationError
from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.wording import (
    amount_text,
    count_text,
    names_in_order,
    ordinal,
    project_label,
)

CANT_JUDGE = None
"""In a score ballot's points: the voter ticked "can't judge" for that project."""


@dataclass(frozen=True, slots=True)
class CastBallot:
    """One ballot as cast. ``choices`` are project ids in the order marked (for a ranked ballot: the
    order of preference). ``points`` go with ``choices`` on score and cumulative ballots (``None`` in a
    score ballot is "can't judge") and are ``None`` on the other kinds."""

    voter_id: str
    choices: tuple[str, ...] = ()
    points: tuple[int | None, ...] | None = None

    @classmethod
    def marked(cls, voter_id: str, *project_ids: str) -> CastBallot:
        """An approval, choose-one, ranked (in order of preference) or knapsack ballot."""
        return cls(voter_id, tuple(project_ids))

    @classmethod
    def scored(cls, voter_id: str, points: Mapping[str, int | None]) -> CastBallot:
        """A score or cumulative ballot: project id → score or tokens (``CANT_JUDGE`` allowed for scores)."""
        return cls(voter_id, tuple(points), tuple(points.values()))


class BallotRejected(ValidationError):
    """A ballot that breaks its event's rules: it is spoilt. ``reasons`` lists every problem."""

    def __init__(self, reasons: Sequence[str], voter_id: str | None = None):
        self.reasons = tuple(reasons)
        self.voter_id = voter_id
        super().__init__(" ".join(self.reasons))


# --- the rules of a ballot paper ----------------------------------------------------------------------


@dataclass(frozen=True)
class BallotRules:
    """What every ballot paper has: the projects on it. Subclasses add their kind's rules."""

    kind: ClassVar[str] = ""
    vote_type: ClassVar[str] = ""  # the Election vote type the accepted ballots become
    has_points: ClassVar[bool] = False

    projects: tuple[Project, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "projects", tuple(self.projects))
        ids = [p.id for p in self.projects]
        twice = [i for i, n in Counter(ids).items() if n > 1]
        if twice:
            raise ValueError(f"Project {twice[0]} is on the ballot paper twice.")
        if not self.projects:
            raise ValueError("A ballot paper needs at least one project.")

    def _check_count(self, name: str, value: int | None, least: int = 0) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
            raise ValueError(f"{name} must be a whole number of at least {least}, not {value!r}.")


@dataclass(frozen=True)
class ScoreRules(BallotRules):
    kind: ClassVar[str] = "score"
    vote_type: ClassVar[str] = "scoring"
    has_points: ClassVar[bool] = True

    low: int = 1
    high: int = 5
    cant_judge: bool = False  # voters may tick "can't judge" instead of a score
    score_every_project: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_count("The lowest score", self.low)
        self._check_count("The highest score", self.high)
        if self.high <= self.low:
            raise ValueError(f"The highest score ({self.high}) must be above the lowest ({self.low}).")

    def describe(self) -> str:
        return f"Score projects from {self.low} to {self.high}" + (" or tick “can't judge”" if self.cant_judge else "")


@dataclass(frozen=True)
class ApprovalRules(BallotRules):
    kind: ClassVar[str] = "approval"
    vote_type: ClassVar[str] = "approval"

    max_choices: int | None = None  # None: as many as the voter likes
    min_choices: int = 1
    per_category: Mapping[str, int] = field(default_factory=dict, hash=False)  # e.g. {"small": 5, "large": 3}

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_count("The most projects a voter may approve", self.max_choices, 1)
        self._check_count("The fewest projects a voter must approve", self.min_choices, 0)
        if self.max_choices is not None and self.min_choices > self.max_choices:
            raise ValueError("The fewest projects a voter must approve is more than the most they may approve.")
        object.__setattr__(self, "per_category", dict(self.per_category))
        known = {c for p in self.projects for c in p.categories}
        for category, limit in self.per_category.items():
            self._check_count(f"The limit for {category} projects", limit, 1)
            if category not in known:
                raise ValueError(f"No project on the ballot paper is in the category “{category}”.")


@dataclass(frozen=True)
class ChooseOneRules(BallotRules):
    kind: ClassVar[str] = "choose-one"
    vote_type: ClassVar[str] = "choose-1"


@dataclass(frozen=True)
class RankedRules(BallotRules):
    kind: ClassVar[str] = "ranked"
    vote_type: ClassVar[str] = "ordinal"

    max_ranked: int | None = None  # None: rank as many as you like
    min_ranked: int = 1  # min_ranked == max_ranked: rank exactly that many

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_count("The most projects a voter may rank", self.max_ranked, 1)
        self._check_count("The fewest projects a voter must rank", self.min_ranked, 1)
        if self.max_ranked is not None and self.min_ranked > self.max_ranked:
            raise ValueError("The fewest projects a voter must rank is more than the most they may rank.")

    @classmethod
    def exactly(cls, projects: Sequence[Project], n: int) -> RankedRules:
        return cls(tuple(projects), max_ranked=n, min_ranked=n)


@dataclass(frozen=True)
class CumulativeRules(BallotRules):
    kind: ClassVar[str] = "cumulative"
    vote_type: ClassVar[str] = "cumulative"
    has_points: ClassVar[bool] = True

    tokens: int = 10
    max_per_project: int | None = None
    use_all: bool = False  # every token must be placed

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_count("The number of tokens", self.tokens, 1)
        self._check_count("The most tokens on one project", self.max_per_project, 1)


@dataclass(frozen=True)
class KnapsackRules(BallotRules):
    kind: ClassVar[str] = "knapsack"
    vote_type: ClassVar[str] = "approval"

    budget: Fraction = Fraction(0)
    currency: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "budget", Fraction(self.budget))
        if self.budget <= 0:
            raise ValueError("A knapsack ballot needs a budget above zero.")


# --- the check ------------------------------------------------------------------------------------


def ballot_problems(rules: BallotRules, ballot: CastBallot) -> list[str]:
    """Every reason ``ballot`` breaks ``rules``, as sentences; empty when the ballot is good."""
    by_id = {p.id: p for p in rules.projects}
    choices = ballot.choices
    if rules.has_points:
        if ballot.points is None or len(ballot.points) != len(choices):
            raise ValueError(f"A {rules.kind} ballot needs one score or token count per project marked.")
    elif ballot.points is not None:
        raise ValueError(f"A {rules.kind} ballot has no points; mark projects only.")

    problems: list[str] = []
    unknown = [c for c in dict.fromkeys(choices) if c not in by_id]
    for c in unknown:
        problems.append(f"It marks “{c}”, which is not a project on this ballot paper.")
    positions: dict[str, list[int]] = {}
    for n, c in enumerate(choices):
        positions.setdefault(c, []).append(n)
    for c, where in positions.items():
        if len(where) > 1 and c in by_id:
            if rules.kind == "ranked":
                places = names_in_order([ordinal(n + 1) for n in where])
                problems.append(f"It ranks {project_label(by_id[c])} {len(where)} times ({places}); "
                                "rank each project once.")
            else:
                problems.append(f"It marks {project_label(by_id[c])} {len(where)} times; mark each project once.")
    marked = [by_id[c] for c in dict.fromkeys(choices) if c in by_id]
    check = _CHECKS[rules.kind]
    problems.extend(check(rules, ballot, marked, by_id))
    return problems


def check_ballot(rules: BallotRules, ballot: CastBallot) -> None:
    """Nothing for a good ballot; ``BallotRejected`` with every reason for a spoilt one."""
    problems = ballot_problems(rules, ballot)
    if problems:
        raise BallotRejected(problems, ballot.voter_id)


def sort_ballots(rules: BallotRules, ballots: Sequence[CastBallot]
                 ) -> tuple[list[CastBallot], list[tuple[CastBallot, tuple[str, ...]]]]:
    """The accepted ballots, and the spoilt ones each with its reasons."""
    accepted: list[CastBallot] = []
    spoilt: list[tuple[CastBallot, tuple[str, ...]]] = []
    for ballot in ballots:
        problems = ballot_problems(rules, ballot)
        if problems:
            spoilt.append((ballot, tuple(problems)))
        else:
            accepted.append(ballot)
    return accepted, spoilt


def _count(n: int) -> str:
    return count_text(n, ("project", "projects"))


def _check_score(rules: ScoreRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    problems = []
    scale = f"from {rules.low} to {rules.high}"
    for c, points in zip(ballot.choices, ballot.points or (), strict=True):
        if c not in by_id:
            continue
        label = project_label(by_id[c])
        if points is CANT_JUDGE:
            if not rules.cant_judge:
                problems.append(f"It marks {label} “can't judge”, which this ballot does not offer; "
                                f"give it a score {scale}.")
        elif isinstance(points, bool) or not isinstance(points, int):
            problems.append(f"The score for {label} (“{points}”) is not a whole number {scale}.")
        elif not rules.low <= points <= rules.high:
            problems.append(f"It scores {label} {points}, but scores go {scale}.")
    if not marked:
        problems.append("It scores no project.")
    elif rules.score_every_project:
        missing = [project_label(p) for p in rules.projects if p.id not in ballot.choices]
        if missing:
            alternative = " or marked “can't judge”" if rules.cant_judge else ""
            problems.append(f"{names_in_order(missing)} {'has' if len(missing) == 1 else 'have'} no score; "
                            f"every project must be scored {scale}{alternative}.")
    return problems


def _check_approval(rules: ApprovalRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    problems = []
    if not marked and rules.min_choices >= 1:
        problems.append("It approves no project.")
    elif len(marked) < rules.min_choices:
        problems.append(f"It approves {_count(len(marked))}; each voter must approve at least {rules.min_choices}.")
    if rules.max_choices is not None and len(marked) > rules.max_choices:
        problems.append(f"It approves {_count(len(marked))}; each voter may approve at most {rules.max_choices}.")
    for category, limit in rules.per_category.items():
        inside = [p for p in marked if category in p.categories]
        if len(inside) > limit:
            problems.append(f"It approves {len(inside)} {category} projects "
                            f"({names_in_order([project_label(p) for p in inside])}); each voter may approve at "
                            f"most {limit} {category} {'project' if limit == 1 else 'projects'}.")
    return problems


def _check_choose_one(rules: ChooseOneRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    if not marked:
        return ["It marks no project; choose one."]
    if len(marked) > 1:
        return [(f"It marks {_count(len(marked))} ({names_in_order([project_label(p) for p in marked])}); "
                 "choose one only.")]
    return []


def _check_ranked(rules: RankedRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    n = len(marked)
    if not n:
        return ["It ranks no project."]
    exactly = rules.max_ranked is not None and rules.min_ranked == rules.max_ranked
    if exactly and n != rules.max_ranked:
        return [f"It ranks {_count(n)}; each voter must rank exactly {rules.max_ranked}."]
    if n < rules.min_ranked:
        return [f"It ranks {_count(n)}; each voter must rank at least {rules.min_ranked}."]
    if rules.max_ranked is not None and n > rules.max_ranked:
        return [f"It ranks {_count(n)}; each voter may rank at most {rules.max_ranked}."]
    return []


def _check_cumulative(rules: CumulativeRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    problems = []
    tokens = ("token", "tokens")
    total = 0
    for c, points in zip(ballot.choices, ballot.points or (), strict=True):
        if c not in by_id:
            continue
        label = project_label(by_id[c])
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            problems.append(f"It gives {label} “{points}” tokens; give a project a whole number of tokens, "
                            "at least 1, or leave it out.")
            continue
        total += points
        if rules.max_per_project is not None and points > rules.max_per_project:
            problems.append(f"It gives {label} {count_text(points, tokens)}; at most {rules.max_per_project} "
                            "may go to one project.")
    if not marked:
        problems.append("It gives no tokens to any project.")
    elif total > rules.tokens:
        problems.append(f"It spreads {count_text(total, tokens)}, but each voter has {rules.tokens}.")
    elif rules.use_all and total < rules.tokens and not problems:
        problems.append(f"It spreads {total} of the {count_text(rules.tokens, tokens)}; every token must be used.")
    return problems


def _check_knapsack(rules: KnapsackRules, ballot: CastBallot, marked: list[Project], by_id) -> list[str]:
    if not marked:
        return ["It chooses no project."]
    total = sum((p.cost for p in marked), Fraction(0))
    if total > rules.budget:
        return [(f"The projects it chooses cost {amount_text(total, rules.currency)} in all, more than the budget "
                 f"of {amount_text(rules.budget, rules.currency)}; the chosen projects must fit within the budget.")]
    return []


_CHECKS = {
    "score": _check_score,
    "approval": _check_approval,
    "choose-one": _check_choose_one,
    "ranked": _check_ranked,
    "cumulative": _check_cumulative,
    "knapsack": _check_knapsack,
}


# --- from ballots to an election ------------------------------------------------------------------


def to_election(rules: BallotRules, ballots: Sequence[CastBallot], budget: Fraction | int,
                meta: Mapping[str, str] | None = None
                ) -> tuple[Election, list[tuple[CastBallot, tuple[str, ...]]]]:
    """The accepted ballots as an ``Election`` the allocation rules run on, and the spoilt ballots
    with their reasons. "Can't judge" marks are left out of the election (they support nothing)."""
    accepted, spoilt = sort_ballots(rules, ballots)
    index = {p.id: i for i, p in enumerate(rules.projects)}
    converted: list[Ballot] = []
    for ballot in accepted:
        if rules.has_points:
            pairs = [(index[c], p) for c, p in zip(ballot.choices, ballot.points or (), strict=True)
                     if p is not CANT_JUDGE]
            converted.append(Ballot(ballot.voter_id, tuple(i for i, _ in pairs), tuple(p for _, p in pairs)))
        else:
            converted.append(Ballot(ballot.voter_id, tuple(index[c] for c in ballot.choices)))
    info = dict(meta or {})
    if isinstance(rules, RankedRules) and rules.max_ranked is not None:
        info.setdefault("max_length", str(rules.max_ranked))
    election = Election(vote_type=rules.vote_type, budget=Fraction(budget), projects=list(rules.projects),
                        ballots=converted, meta=info)
    return election, spoilt


# --- an event's ballot paper from its stored settings -----------------------------------------------

RULES_BY_KIND: dict[str, type[BallotRules]] = {
    "score": ScoreRules,
    "approval": ApprovalRules,
    "choose-one": ChooseOneRules,
    "ranked": RankedRules,
    "cumulative": CumulativeRules,
    "knapsack": KnapsackRules,
}

SETTINGS_BY_KIND: dict[str, tuple[str, ...]] = {
    "score": ("low", "high", "cant_judge", "score_every_project"),
    "approval": ("max_choices", "min_choices", "per_category"),
    "choose-one": (),
    "ranked": ("max_ranked", "min_ranked"),
    "cumulative": ("tokens", "max_per_project", "use_all"),
    "knapsack": ("currency",),
}

KIND_LABELS = {
    "score": "Score each project",
    "approval": "Approve up to a number of projects",
    "choose-one": "Choose one project",
    "ranked": "Rank projects in order of preference",
    "cumulative": "Spread tokens over projects",
    "knapsack": "Choose projects that fit the budget",
}


def make_rules(kind: str, projects: Sequence[Project], settings: Mapping[str, object] | None = None,
               budget: Fraction | int = 0) -> BallotRules:
    """The ballot paper of ``kind`` for ``projects`` with an event's stored ``settings`` (a knapsack
    ballot takes the event's ``budget``). Raises ``ValueError`` with a sentence for settings that
    make no sense, naming any setting the kind does not have."""
    try:
        cls = RULES_BY_KIND[kind]
    except KeyError:
        raise ValueError(f"“{kind}” is not a kind of ballot; use one of {', '.join(RULES_BY_KIND)}.") from None
    options = dict(settings or {})
    unknown = sorted(set(options) - set(SETTINGS_BY_KIND[kind]))
    if unknown:
        raise ValueError(f"A {kind} ballot has no setting “{unknown[0]}”.")
    if kind == "knapsack":
        options["budget"] = Fraction(budget)
    return cls(tuple(projects), **options)  # type: ignore[arg-type]


def describe_rules(rules: BallotRules) -> str:
    """The ballot paper's instructions in one sentence, as the kiosk and the results sheet say them."""
    if isinstance(rules, ScoreRules):
        text = f"Score {'every project' if rules.score_every_project else 'the projects'} from {rules.low} to {rules.high}"
        return text + (", or tick “can't judge”." if rules.cant_judge else ".")
    if isinstance(rules, ApprovalRules):
        most = f"up to {_count(rules.max_choices)}" if rules.max_choices else "as many projects as you like"
        limits = "".join(f", up to {n} {c}" for c, n in rules.per_category.items())
        return f"Choose {most}{limits}."
    if isinstance(rules, ChooseOneRules):
        return "Choose one project."
    if isinstance(rules, RankedRules):
        if rules.max_ranked is not None and rules.max_ranked == rules.min_ranked:
            return f"Rank exactly {_count(rules.max_ranked)} in order of preference."
        most = f"up to {_count(rules.max_ranked)}" if rules.max_ranked else "as many projects as you like"
        return f"Rank {most} in order of preference, your favourite first."
    if isinstance(rules, CumulativeRules):
        cap = f", at most {rules.max_per_project} on one project" if rules.max_per_project else ""
        use = "all " if rules.use_all else "up to "
        return f"Spread {use}{rules.tokens} tokens over the projects you support{cap}."
    if isinstance(rules, KnapsackRules):
        return f"Choose projects whose costs add up to no more than {amount_text(rules.budget, rules.currency)}."
    return ""
