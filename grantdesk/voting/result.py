"""What an allocation rule returns: the funded projects in the order chosen, the total cost, the
tie-break applied, and an explanation anyone can check — one plain-English sentence per step."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an explanation. ``kind`` is one of: ``funded``, ``skipped`` (did not fit, or
    could not be paid for), ``stopped``, ``tie`` (how a tie was broken), ``budget`` (e.g. MES raising
    voters' budgets), ``completion``, ``info``. ``numbers`` carries exact figures for the results
    sheet (shares, prices), as strings."""

    kind: str
    text: str
    project: str | None = None
    numbers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationResult:
    rule: str
    selected: tuple[str, ...]  # project ids, in the order chosen
    total_cost: Fraction
    explanation: tuple[Step, ...]
    tie_break: str  # the policy, in words
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """``total_cost`` is exact: a number when whole, else its decimal text (``"1459730.46"``)."""
        cost = self.total_cost
        if cost.denominator == 1:
            total: int | str = cost.numerator
        else:
            from grantdesk.voting.pabulib import format_amount

            try:
                total = format_amount(cost)
            except ValueError:  # not a terminating decimal: the exact fraction
                total = f"{cost.numerator}/{cost.denominator}"
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "total_cost": total,
            "tie_break": self.tie_break,
            "explanation": [s.text for s in self.explanation],
        }
