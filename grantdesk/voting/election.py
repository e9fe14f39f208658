"""One vote: its projects, its ballots and its budget, as plain data.

Amounts are exact: costs and the budget are ``Fraction`` (integers where the file gives integers),
never floats. Ballots refer to projects by their position in ``Election.projects`` so that rules over
60,000 ballots work on small integers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from typing import Any, NamedTuple

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    cost: Fraction
    name: str = ""
    categories: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False)  # other PROJECTS columns, as written
    name_cy: str = field(default="", compare=False)  # the name in Welsh, when the project has one (issue 20)


class Ballot(NamedTuple):
    """One voter's ballot. ``projects`` are indices into ``Election.projects``, in the order written
    (for ordinal ballots: the voter's order of preference). ``points`` go with ``projects`` for
    cumulative and scoring ballots; ``None`` otherwise. ``extra`` holds the file's other VOTES
    columns (age, neighbourhood…), or ``None``. A named tuple: 65,000 of them are made in 20 ms."""

    voter_id: str
    projects: tuple[int, ...]
    points: tuple[int, ...] | None = None
    extra: dict[str, str] | None = None


class BallotColumns(Sequence):
    """Many ballots kept as columns — voter ids, projects, points, extras — and handed out as ``Ballot``
    values when read. A list of 60,000 ``Ballot`` named tuples is 60,000 objects the cyclic garbage
    collector must walk on every full pass (a named tuple, unlike a plain tuple of numbers, is never
    untracked); the columns are four lists whose tuples and strings it soon stops watching. The PaBuLib
    reader and the count of an event build their ballots this way; every ``Ballot`` made while reading
    one is short-lived and freed at once."""

    __slots__ = ("ids", "projects", "points", "extras")

    def __init__(self, ids: list[str], projects: list[tuple[int, ...]],
                 points: list[tuple[int, ...] | None] | None = None, extras: list[dict[str, str] | None] | None = None):
        self.ids, self.projects = ids, projects
        self.points = points if points is not None else [None] * len(ids)
        self.extras = extras if extras is not None else [None] * len(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[Ballot]:
        return map(tuple.__new__, repeat(Ballot), zip(self.ids, self.projects, self.points, self.extras, strict=True))

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return BallotColumns(self.ids[k], self.projects[k], self.points[k], self.extras[k])
        return tuple.__new__(Ballot, (self.ids[k], self.projects[k], self.points[k], self.extras[k]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BallotColumns({len(self)} ballots)"


@dataclass
class Election:
    vote_type: str
    budget: Fraction
    projects: list[Project]
    ballots: Sequence[Ballot]  # a list, or BallotColumns for many
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vote_type not in VOTE_TYPES:
            raise ValueError(f"“{self.vote_type}” is not a vote type; use one of {', '.join(VOTE_TYPES)}.")
        self._index = {p.id: i for i, p in enumerate(self.projects)}

    def index_of(self, project_id: str) -> int:
        return self._index[project_id]

    @property
    def project_ids(self) -> list[str]:
        return [p.id for p in self.projects]

    def meta_int(self, key: str) -> int | None:
        value = self.meta.get(key, "").strip()
        try:
            return int(value) if value else None
        except ValueError:
            return None

    def describe(self) -> dict[str, Any]:
        return {
            "vote_type": self.vote_type,
            "budget": self.budget,
            "projects": len(self.projects),
            "voters": len(self.ballots),
        }
