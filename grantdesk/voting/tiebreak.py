"""Breaking ties between projects: an ordered policy, deterministic and stated in every result.

Criteria, tried in order until the tie is broken:
- ``supporters``: more supporters first;
- ``cost``: lower cost first;
- ``id``: project id in alphabetical order (pabutools' default, used to compare with it);
- ``lot``: a lot drawn with a recorded seed (the same seed always gives the same order).
The policy always ends with ``id`` so that it is total.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from grantdesk.voting.election import Election

CRITERIA = {
    "supporters": "more supporters first",
    "cost": "lower cost first",
    "id": "project reference in alphabetical order",
    "lot": "a drawn lot",
}


@dataclass(frozen=True)
class TieBreak:
    criteria: tuple[str, ...] = ("id",)
    seed: str = ""

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown:
            raise ValueError(f"“{unknown[0]}” is not a tie-break; use {', '.join(CRITERIA)}.")
        if "lot" in self.criteria and not self.seed:
            raise ValueError("A drawn lot needs a seed, which is recorded with the result.")

    def describe(self) -> str:
        parts = [CRITERIA[c] + (f" (seed {self.seed})" if c == "lot" else "") for c in self.criteria]
        return "Ties are broken by " + ", then ".join(parts) + "."

    def key(self, election: Election, supporters: Sequence[int]):
        """A sort key over project indices: smaller sorts first (wins the tie)."""
        projects = election.projects
        lot = {i: hashlib.sha256(f"{self.seed}:{p.id}".encode()).hexdigest() for i, p in enumerate(projects)} \
            if "lot" in self.criteria else {}
        criteria = self.criteria if self.criteria[-1] == "id" else (*self.criteria, "id")

        def key(i: int):
            parts = []
            for c in criteria:
                if c == "supporters":
                    parts.append(-supporters[i])
                elif c == "cost":
                    parts.append(projects[i].cost)
                elif c == "lot":
                    parts.append(lot[i])
                else:
                    parts.append(projects[i].id)
            return tuple(parts)

        return key


PABUTOOLS = TieBreak(("id",))
