"""Repeat bids: was this organisation funded by this fund last year? One rule, used by the eligibility
check an officer sees and by the flags a councillor sees before deciding.

- An application belongs to its round's financial year; without a round (an application recorded
  outside any round), to the financial year of the day it was submitted (or recorded, if never
  submitted).
- An award belongs to its application's round's financial year — money from the 2025–26 round
  awarded in April 2026 is still 2025–26 money; without a round (past grants imported from a
  360Giving file), to the financial year of the day it was awarded.
- A bid is a repeat when the same organisation had an award from the same fund in the financial year
  before the application's (another application, not this one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from grantdesk.domain.dates import financial_year_of


@dataclass(frozen=True, slots=True)
class PastAward:
    """One of the fund's awards to the same organisation, for another application."""

    reference: str
    amount_pence: int
    awarded_on: date
    round_year: int | None  # the financial year of its application's round, if it had one

    @property
    def financial_year(self) -> int:
        return award_year(self.round_year, self.awarded_on)


def application_year(round_year: int | None, submitted_on: date | None, recorded_on: date) -> int:
    """The financial year an application belongs to (the year starting in April of the number)."""
    if round_year is not None:
        return round_year
    return financial_year_of(submitted_on or recorded_on)


def award_year(round_year: int | None, awarded_on: date) -> int:
    """The financial year an award's money belongs to."""
    return round_year if round_year is not None else financial_year_of(awarded_on)


def funded_last_year(year: int, awards: Iterable[PastAward]) -> tuple[PastAward, ...]:
    """The awards that make a bid in financial year ``year`` a repeat bid, by reference."""
    return tuple(sorted((a for a in awards if a.financial_year == year - 1), key=lambda a: a.reference))
