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

``ballot_problems(rules, ballot)`` returns every way a ballot breaks its rules as data
(``BallotProblem``: a code such as ``"too_many"``, the ballot's kind, the numbers and the projects);
``problem_words(problem)`` says one in the words an officer or a volunteer counting paper ballots
reads ("It approves 3 projects; each voter may approve at most 2."). Whoever speaks to someone else —
the kiosk to a voter — chooses its own words from the same data (``ui/kiosk_words.py``); nobody takes
these sentences apart. ``check_ballot(rules, ballot)`` returns nothing for a good ballot and raises
``BallotRejected`` (its ``problems``, and their ``reasons`` in words) for a bad one. ``to_election``
turns the accepted ballots into an ``Election`` for the allocation rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from grantdesk.domain.errors import ValidationError
from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.wording import (
    amount_text,
    count_text,
    number_text,
    ordinal,
    project_label,
)
from grantdesk.i18n import N_, _, current_language, ngettext

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


# --- what can be wrong with a ballot, as data ------------------------------------------------------

PROBLEM_CODES = (
    "unknown_project",  # it marks a reference not on the ballot paper (``given``)
    "marked_twice",  # it marks ``projects[0]`` ``chosen`` times (ranked: at ``places``)
    "none_chosen",  # it marks (approves, ranks, scores, gives tokens to, chooses) nothing
    "too_few",  # it marks ``chosen``; at least ``limit`` are needed
    "too_many",  # it marks ``chosen``; at most ``limit`` may be (choose-one: ``projects``, limit 1)
    "not_exactly",  # it ranks ``chosen``; exactly ``limit`` are needed
    "category_over",  # it approves ``chosen`` ``category`` projects (``projects``); at most ``limit``
    "cant_judge_not_offered",  # "can't judge" on ``projects[0]``, which the ballot does not offer
    "score_not_whole",  # the score ``given`` for ``projects[0]`` is not a whole number
    "score_out_of_range",  # the score ``given`` for ``projects[0]`` is outside ``low``–``high``
    "unscored",  # ``projects`` have no score, and every project must be scored
    "tokens_not_whole",  # the tokens ``given`` to ``projects[0]`` are not a whole number of at least 1
    "tokens_over_cap",  # ``given`` tokens on ``projects[0]``; at most ``limit`` on one project
    "tokens_over",  # it spreads ``chosen`` tokens; each voter has ``limit``
    "tokens_unused",  # it spreads ``chosen`` of the ``limit`` tokens, and every one must be used
    "over_budget",  # the projects chosen cost ``cost``, more than the ``budget``
)


@dataclass(frozen=True, slots=True)
class BallotProblem:
    """One way a ballot breaks its ballot paper's rules. ``code`` says which (``PROBLEM_CODES``);
    ``kind`` is the ballot's kind (approval, ranked, …), which decides how it is said; the rest are
    the numbers and the projects concerned, filled in as the code needs them."""

    code: str
    kind: str
    projects: tuple[Project, ...] = ()
    chosen: int | None = None  # how many the ballot marks, or the tokens it spreads
    limit: int | None = None  # the most, the fewest or exactly how many; the tokens a voter has
    given: Any = None  # a mark as written: a score, a number of tokens, a reference not on the paper
    places: tuple[int, ...] = ()  # where a ranked ballot ranks a project twice (1 = first)
    category: str = ""
    low: int | None = None  # a score ballot's scale
    high: int | None = None
    cant_judge: bool = False  # the score ballot offers "can't judge"
    cost: Fraction | None = None  # what the projects chosen on a knapsack ballot cost, and its budget
    budget: Fraction | None = None
    currency: str = ""

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"“{self.code}” is not a ballot problem; use one of {', '.join(PROBLEM_CODES)}.")


def _count(n: int) -> str:
    return count_text(n, ("project", "projects"))


def _projects(n: int | Fraction) -> str:
    """``3 projects`` in the language the process speaks (the officer's)."""
    return ngettext("{n} project", "{n} projects", int(n)).format(n=number_text(n))


def _tokens(n: int | Fraction) -> str:
    return ngettext("{n} token", "{n} tokens", int(n)).format(n=number_text(n))


def _names(labels: Sequence[str]) -> str:
    """“A”, “A and B”, “A, B and C” in the language the process speaks."""
    if len(labels) <= 1:
        return "".join(labels)
    return _("{items} and {last}").format(items=", ".join(labels[:-1]), last=labels[-1])


# Whole sentences for each way of marking (approve, rank, choose, score, mark): Welsh and English
# word them differently, so no verb is glued into a sentence.
_TOO_FEW = {
    "approve": N_("It approves {projects}; each voter must approve at least {limit}."),
    "rank": N_("It ranks {projects}; each voter must rank at least {limit}."),
    "choose": N_("It chooses {projects}; each voter must choose at least {limit}."),
    "score": N_("It scores {projects}; each voter must score at least {limit}."),
    "mark": N_("It marks {projects}; each voter must mark at least {limit}."),
}
_TOO_MANY = {
    "approve": N_("It approves {projects}; each voter may approve at most {limit}."),
    "rank": N_("It ranks {projects}; each voter may rank at most {limit}."),
    "choose": N_("It chooses {projects}; each voter may choose at most {limit}."),
    "score": N_("It scores {projects}; each voter may score at most {limit}."),
    "mark": N_("It marks {projects}; each voter may mark at most {limit}."),
}
_NOT_EXACTLY = {
    "approve": N_("It approves {projects}; each voter must approve exactly {limit}."),
    "rank": N_("It ranks {projects}; each voter must rank exactly {limit}."),
    "choose": N_("It chooses {projects}; each voter must choose exactly {limit}."),
    "score": N_("It scores {projects}; each voter must score exactly {limit}."),
    "mark": N_("It marks {projects}; each voter must mark exactly {limit}."),
}
_VERBS = {"approval": "approve", "ranked": "rank", "choose-one": "choose", "knapsack": "choose", "score": "score",
          "cumulative": "mark"}
_NOTHING = {"approval": N_("It approves no project."), "choose-one": N_("It marks no project; choose one."),
            "ranked": N_("It ranks no project."), "score": N_("It scores no project."),
            "cumulative": N_("It gives no tokens to any project."), "knapsack": N_("It chooses no project.")}
_TOKENS = ("token", "tokens")


def problem_words(problem: BallotProblem) -> str:
    """The problem in the words of the count, for an officer or a volunteer keying paper ballots
    ("It approves 3 projects; each voter may approve at most 2."): the one place they are written, in
    the language the process speaks (the voter's own words are ``voter_words``)."""
    p, code = problem, problem.code
    label = project_label(p.projects[0]) if p.projects else ""
    verb = _VERBS.get(p.kind, "mark")
    if code == "unknown_project":
        return _("It marks “{given}”, which is not a project on this ballot paper.").format(given=p.given)
    if code == "marked_twice":
        if p.places:
            places = _names([ordinal(n, current_language()) for n in p.places])
            return _("It ranks {project} {times} times ({places}); rank each project once.").format(
                project=label, times=p.chosen, places=places)
        return _("It marks {project} {times} times; mark each project once.").format(project=label, times=p.chosen)
    if code == "none_chosen":
        return _(_NOTHING.get(p.kind, N_("It marks no project.")))
    if code == "too_few":
        return _(_TOO_FEW[verb]).format(projects=_projects(p.chosen), limit=p.limit)
    if code == "too_many":
        if p.kind == "choose-one":
            return _("It marks {projects} ({names}); choose one only.").format(
                projects=_projects(p.chosen), names=_names([project_label(x) for x in p.projects]))
        return _(_TOO_MANY[verb]).format(projects=_projects(p.chosen), limit=p.limit)
    if code == "not_exactly":
        return _(_NOT_EXACTLY[verb]).format(projects=_projects(p.chosen), limit=p.limit)
    if code == "category_over":
        names = _names([project_label(x) for x in p.projects])
        return ngettext("It approves {chosen} {category} projects ({names}); each voter may approve at most {limit} "
                        "{category} project.",
                        "It approves {chosen} {category} projects ({names}); each voter may approve at most {limit} "
                        "{category} projects.", p.limit).format(chosen=p.chosen, category=p.category, names=names,
                                                                limit=p.limit)
    if code == "cant_judge_not_offered":
        return _("It marks {project} “can't judge”, which this ballot does not offer; give it a score from {low} to "
                 "{high}.").format(project=label, low=p.low, high=p.high)
    if code == "score_not_whole":
        return _("The score for {project} (“{given}”) is not a whole number from {low} to {high}.").format(
            project=label, given=p.given, low=p.low, high=p.high)
    if code == "score_out_of_range":
        return _("It scores {project} {given}, but scores go from {low} to {high}.").format(
            project=label, given=p.given, low=p.low, high=p.high)
    if code == "unscored":
        missing = [project_label(x) for x in p.projects]
        values = dict(names=_names(missing), low=p.low, high=p.high)
        if p.cant_judge:
            return ngettext("{names} has no score; every project must be scored from {low} to {high} or marked "
                            "“can't judge”.",
                            "{names} have no score; every project must be scored from {low} to {high} or marked "
                            "“can't judge”.", len(missing)).format(**values)
        return ngettext("{names} has no score; every project must be scored from {low} to {high}.",
                        "{names} have no score; every project must be scored from {low} to {high}.",
                        len(missing)).format(**values)
    if code == "tokens_not_whole":
        return _("It gives {project} “{given}” tokens; give a project a whole number of tokens, at least 1, or leave "
                 "it out.").format(project=label, given=p.given)
    if code == "tokens_over_cap":
        return _("It gives {project} {tokens}; at most {limit} may go to one project.").format(
            project=label, tokens=_tokens(p.given), limit=p.limit)
    if code == "tokens_over":
        return _("It spreads {tokens}, but each voter has {limit}.").format(tokens=_tokens(p.chosen), limit=p.limit)
    if code == "tokens_unused":
        return _("It spreads {chosen} of the {tokens}; every token must be used.").format(
            chosen=p.chosen, tokens=_tokens(p.limit))
    if code == "over_budget":
        return _("The projects it chooses cost {cost} in all, more than the budget of {budget}; the chosen projects "
                 "must fit within the budget.").format(cost=amount_text(p.cost, p.currency),
                                                      budget=amount_text(p.budget, p.currency))
    raise ValueError(f"no words for the ballot problem {code!r}")  # pragma: no cover (codes are checked)


class BallotRejected(ValidationError):
    """A ballot that breaks its event's rules: it is spoilt. ``problems`` lists every problem as data,
    ``reasons`` the same in the count's words."""

    def __init__(self, problems: Sequence[BallotProblem], voter_id: str | None = None):
        self.problems = tuple(problems)
        self.reasons = tuple(problem_words(p) for p in self.problems)
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


def ballot_problems(rules: BallotRules, ballot: CastBallot) -> list[BallotProblem]:
    """Every way ``ballot`` breaks ``rules``, as data; empty when the ballot is good."""
    by_id = {p.id: p for p in rules.projects}
    choices = ballot.choices
    if rules.has_points:
        if ballot.points is None or len(ballot.points) != len(choices):
            raise ValueError(f"A {rules.kind} ballot needs one score or token count per project marked.")
    elif ballot.points is not None:
        raise ValueError(f"A {rules.kind} ballot has no points; mark projects only.")

    kind = rules.kind
    problems: list[BallotProblem] = []
    for c in dict.fromkeys(choices):
        if c not in by_id:
            problems.append(BallotProblem("unknown_project", kind, given=c))
    positions: dict[str, list[int]] = {}
    for n, c in enumerate(choices):
        positions.setdefault(c, []).append(n)
    for c, where in positions.items():
        if len(where) > 1 and c in by_id:
            places = tuple(n + 1 for n in where) if kind == "ranked" else ()
            problems.append(BallotProblem("marked_twice", kind, (by_id[c],), chosen=len(where), places=places))
    marked = [by_id[c] for c in dict.fromkeys(choices) if c in by_id]
    check = _CHECKS[kind]
    problems.extend(check(rules, ballot, marked, by_id))
    return problems


def check_ballot(rules: BallotRules, ballot: CastBallot) -> None:
    """Nothing for a good ballot; ``BallotRejected`` with every problem for a spoilt one."""
    problems = ballot_problems(rules, ballot)
    if problems:
        raise BallotRejected(problems, ballot.voter_id)


def sort_ballots(rules: BallotRules, ballots: Sequence[CastBallot]
                 ) -> tuple[list[CastBallot], list[tuple[CastBallot, tuple[str, ...]]]]:
    """The accepted ballots, and the spoilt ones each with its reasons in words."""
    accepted: list[CastBallot] = []
    spoilt: list[tuple[CastBallot, tuple[str, ...]]] = []
    for ballot in ballots:
        problems = ballot_problems(rules, ballot)
        if problems:
            spoilt.append((ballot, tuple(map(problem_words, problems))))
        else:
            accepted.append(ballot)
    return accepted, spoilt


def _check_score(rules: ScoreRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    problems = []
    scale = {"low": rules.low, "high": rules.high, "cant_judge": rules.cant_judge}
    for c, points in zip(ballot.choices, ballot.points or (), strict=True):
        if c not in by_id:
            continue
        project = (by_id[c],)
        if points is CANT_JUDGE:
            if not rules.cant_judge:
                problems.append(BallotProblem("cant_judge_not_offered", "score", project, **scale))
        elif isinstance(points, bool) or not isinstance(points, int):
            problems.append(BallotProblem("score_not_whole", "score", project, given=points, **scale))
        elif not rules.low <= points <= rules.high:
            problems.append(BallotProblem("score_out_of_range", "score", project, given=points, **scale))
    if not marked:
        problems.append(BallotProblem("none_chosen", "score", **scale))
    elif rules.score_every_project:
        missing = tuple(p for p in rules.projects if p.id not in ballot.choices)
        if missing:
            problems.append(BallotProblem("unscored", "score", missing, **scale))
    return problems


def _check_approval(rules: ApprovalRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    problems = []
    n = len(marked)
    if not marked and rules.min_choices >= 1:
        problems.append(BallotProblem("none_chosen", "approval", limit=rules.min_choices))
    elif n < rules.min_choices:
        problems.append(BallotProblem("too_few", "approval", chosen=n, limit=rules.min_choices))
    if rules.max_choices is not None and n > rules.max_choices:
        problems.append(BallotProblem("too_many", "approval", chosen=n, limit=rules.max_choices))
    for category, limit in rules.per_category.items():
        inside = tuple(p for p in marked if category in p.categories)
        if len(inside) > limit:
            problems.append(BallotProblem("category_over", "approval", inside, chosen=len(inside), limit=limit,
                                          category=category))
    return problems


def _check_choose_one(rules: ChooseOneRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    if not marked:
        return [BallotProblem("none_chosen", "choose-one", limit=1)]
    if len(marked) > 1:
        return [BallotProblem("too_many", "choose-one", tuple(marked), chosen=len(marked), limit=1)]
    return []


def _check_ranked(rules: RankedRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    n = len(marked)
    if not n:
        return [BallotProblem("none_chosen", "ranked", limit=rules.min_ranked)]
    exactly = rules.max_ranked is not None and rules.min_ranked == rules.max_ranked
    if exactly and n != rules.max_ranked:
        return [BallotProblem("not_exactly", "ranked", chosen=n, limit=rules.max_ranked)]
    if n < rules.min_ranked:
        return [BallotProblem("too_few", "ranked", chosen=n, limit=rules.min_ranked)]
    if rules.max_ranked is not None and n > rules.max_ranked:
        return [BallotProblem("too_many", "ranked", chosen=n, limit=rules.max_ranked)]
    return []


def _check_cumulative(rules: CumulativeRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    problems = []
    total = 0
    for c, points in zip(ballot.choices, ballot.points or (), strict=True):
        if c not in by_id:
            continue
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            problems.append(BallotProblem("tokens_not_whole", "cumulative", (by_id[c],), given=points))
            continue
        total += points
        if rules.max_per_project is not None and points > rules.max_per_project:
            problems.append(BallotProblem("tokens_over_cap", "cumulative", (by_id[c],), given=points,
                                          limit=rules.max_per_project))
    if not marked:
        problems.append(BallotProblem("none_chosen", "cumulative", limit=rules.tokens))
    elif total > rules.tokens:
        problems.append(BallotProblem("tokens_over", "cumulative", chosen=total, limit=rules.tokens))
    elif rules.use_all and total < rules.tokens and not problems:
        problems.append(BallotProblem("tokens_unused", "cumulative", chosen=total, limit=rules.tokens))
    return problems


def _check_knapsack(rules: KnapsackRules, ballot: CastBallot, marked: list[Project], by_id) -> list[BallotProblem]:
    if not marked:
        return [BallotProblem("none_chosen", "knapsack", budget=rules.budget, currency=rules.currency)]
    total = sum((p.cost for p in marked), Fraction(0))
    if total > rules.budget:
        return [BallotProblem("over_budget", "knapsack", tuple(marked), chosen=len(marked), cost=total,
                              budget=rules.budget, currency=rules.currency)]
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
    "score": N_("Score each project"),
    "approval": N_("Approve up to a number of projects"),
    "choose-one": N_("Choose one project"),
    "ranked": N_("Rank projects in order of preference"),
    "cumulative": N_("Spread tokens over projects"),
    "knapsack": N_("Choose projects that fit the budget"),
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
