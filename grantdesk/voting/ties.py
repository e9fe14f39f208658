"""Ties in a vote's ranking: projects with equal totals, which the event's tie-break put in order.

The results screen marks them ("Tie") and says what broke each tie, in the words the set-up uses
(``grantdesk.voting.tiebreak.CRITERIA``): for each pair of tied neighbours in the ranking, the first
criterion of the event's tie-break on which they differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from fractions import Fraction
from typing import Any

from grantdesk.voting.tiebreak import CRITERIA


@dataclass(frozen=True, slots=True)
class Tie:
    references: tuple[str, ...]  # the tied projects, in rank order
    titles: tuple[str, ...]
    total: int | Fraction
    broken_by: tuple[str, ...]  # the tie-break's criteria that decided the order, in words
    at_edge: bool  # some of the tied projects are funded and some are not

    def describe(self, total_text: str) -> str:
        names = ", ".join(self.titles[:-1]) + " and " + self.titles[-1]
        how = f" — ranked by {' then '.join(self.broken_by)}" if self.broken_by else ""
        return f"Tie on {total_text}: {names}{how}."


def _criterion_words(criterion: str, seed: str) -> str:
    return CRITERIA[criterion] + (f" (seed {seed})" if criterion == "lot" and seed else "")


def _key_part(criterion: str, project: Any, seed: str) -> Any:
    if criterion == "supporters":
        return -project.supporters
    if criterion == "cost":
        return project.amount_pence
    if criterion == "lot":
        return hashlib.sha256(f"{seed}:{project.reference}".encode()).hexdigest()
    return project.reference


def find_ties(projects: Sequence[Any], tie_break: Sequence[str], seed: str = "") -> list[Tie]:
    """The ties among ``projects`` (``ProjectResult``s in rank order): each run of two or more with the
    same total, with the tie-break criteria that ordered them (``tie_break``: the event's)."""
    criteria = tuple(tie_break) if tie_break and tie_break[-1] == "id" else (*tie_break, "id")
    ties: list[Tie] = []
    i = 0
    while i < len(projects):
        j = i
        while j + 1 < len(projects) and projects[j + 1].total == projects[i].total:
            j += 1
        group = projects[i:j + 1]
        if len(group) > 1 and group[0].total:
            used: list[str] = []
            for a, b in pairwise(group):
                decided = next((c for c in criteria if _key_part(c, a, seed) != _key_part(c, b, seed)), None)
                if decided is not None and decided not in used:
                    used.append(decided)
            ties.append(Tie(tuple(p.reference for p in group), tuple(p.title for p in group), group[0].total,
                            tuple(_criterion_words(c, seed) for c in criteria if c in used),
                            len({p.funded for p in group}) > 1))
        i = j + 1
    return ties
