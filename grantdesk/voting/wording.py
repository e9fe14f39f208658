"""Wording shared by the voting engine's explanations, ballots and tallies.

Amounts go through ``grantdesk.domain.money.amount_text`` (the one place money becomes text);
whole counts through ``number_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from grantdesk.domain.money import amount_text
from grantdesk.voting.election import Election, Project

__all__ = ["amount_text", "number_text", "left_text", "count_text", "ordinal", "project_label", "currency_of",
           "names_in_order", "TOTAL_NOUNS", "total_nouns"]

# How a project's total on an event's tally is said, by kind of ballot (see grantdesk.voting.tally).
TOTAL_NOUNS: dict[str, tuple[str, str]] = {
    "approval": ("vote", "votes"),
    "choose-one": ("vote", "votes"),
    "knapsack": ("vote", "votes"),
    "score": ("point", "points"),
    "cumulative": ("token", "tokens"),
    "ranked": ("point", "points"),
}


def total_nouns(ballot_kind: str) -> tuple[str, str]:
    """``("vote", "votes")`` for an approval ballot's totals; points or tokens for the others."""
    return TOTAL_NOUNS.get(ballot_kind, ("point", "points"))


def number_text(value: int | Fraction) -> str:
    """A count or a score for people: ``1222730`` → ``"1,222,730"``; a fraction to two places, said to
    be approximate (``"about 52.31"``)."""
    return amount_text(Fraction(value), "")


def left_text(left: int | Fraction, currency: str = "") -> str:
    """``"only 31,000 PLN was left"``, or ``"nothing was left"``."""
    return f"only {amount_text(left, currency)} was left" if left > 0 else "nothing was left"


def count_text(n: int | Fraction, nouns: tuple[str, str]) -> str:
    return f"{number_text(n)} {nouns[0] if n == 1 else nouns[1]}"


# Welsh ordinals written with figures, as Welsh style guides abbreviate them (1af, 2il, 3ydd …).
_WELSH_ORDINALS = {1: "af", 2: "il", 3: "ydd", 4: "ydd", 5: "ed", 6: "ed", 7: "fed", 8: "fed", 9: "fed", 10: "fed",
                   11: "eg", 12: "fed", 13: "eg", 14: "eg", 15: "fed", 16: "eg", 17: "eg", 18: "fed", 19: "eg",
                   20: "fed"}


def ordinal(n: int, language: str = "en") -> str:
    """``1`` → ``"1st"``, ``12`` → ``"12th"``, ``23`` → ``"23rd"``; in Welsh (``language="cy"``) ``"1af"``,
    ``"2il"``, ``"3ydd"`` … (beyond 20, the decimal ``"21fed"``)."""
    if language == "cy":
        return f"{n}{_WELSH_ORDINALS.get(n, 'fed')}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def project_label(project: Project) -> str:
    """``'Park benches' (P3)``, or ``project P3`` when the project has no name."""
    return f"'{project.name}' ({project.id})" if project.name else f"project {project.id}"


def currency_of(election: Election) -> str:
    return election.meta.get("currency", "").strip()


def names_in_order(labels: Sequence[str]) -> str:
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
