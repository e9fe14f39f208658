"""One rule for rounding a number shown to people: from the exact value, half up, to a fixed number of places.

Scores, means and weighted totals are kept exact (``Fraction``) and rounded only where they are shown —
on screen and on paper by this one function — so the same score never reads 2.67 in a window and 2.68
on the printed sheet, as 107/40 once did (the window went through a float, the sheet did not).

Why from the exact value: a float cannot hold most decimal halves. ``107/40`` is exactly 2.675, but
the float nearest to it is 2.67499999999999982…, so ``f"{107/40:.2f}"`` gives ``"2.67"`` while the
true value, rounded by any rule that rounds halves up, is 2.68. So floats are refused here (a
``TypeError``): pass an ``int``, ``Fraction`` or ``Decimal``, and the rounding is done in integers.

Why half up (a half goes away from zero, as ``decimal.ROUND_HALF_UP``) rather than half to even
("banker's rounding", Python's ``round``): half to even exists to stop the small biases of many
rounded numbers piling up when they are *added together*. GrantDesk never adds rounded numbers — it
ranks, totals and decides on the exact values and rounds only the figure a person reads. What matters
for that figure is that a panellist or a resident checking it by hand, on a calculator or in a
spreadsheet (``ROUND`` in Excel, LibreOffice and Google Sheets rounds halves away from zero) gets the
same answer, and that is the rule they were taught at school: 2.675 → 2.68, 2.625 → 2.63, 0.125 → 0.13.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

__all__ = ["rounded", "rounded_text"]

Exact = int | Fraction | Decimal


def _exact(value: Exact) -> Fraction:
    if isinstance(value, float):
        raise TypeError("round exact numbers (int, Fraction or Decimal), not a float: a float has already "
                        "lost the digits being rounded")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"cannot round {value}")
    return Fraction(value)


def rounded(value: Exact, places: int = 2) -> Decimal:
    """``value`` rounded half up (away from zero) to ``places`` decimal places, exactly:
    ``rounded(Fraction(107, 40))`` → ``Decimal("2.68")``; ``rounded(Fraction(7, 2))`` → ``Decimal("3.50")``."""
    if places < 0:
        raise ValueError("places is a count of decimal places (0 or more)")
    exact = _exact(value)
    scaled = abs(exact) * 10 ** places
    whole, left = divmod(scaled.numerator, scaled.denominator)
    if 2 * left >= scaled.denominator:  # a half or more: away from zero
        whole += 1
    return Decimal(-whole if exact < 0 else whole).scaleb(-places)


def rounded_text(value: Exact, places: int = 2, *, whole_as_is: bool = False) -> str:
    """``value`` for people, by the one rule: ``"2.68"``, ``"3.50"``. With ``whole_as_is`` a value that is
    exactly whole is shown without places (``"4"``), as a panel's scores are; one that only rounds to a
    whole number keeps them (``"4.00"``), so nobody mistakes 3.999 for 4."""
    exact = _exact(value)
    if whole_as_is and exact.denominator == 1:
        return str(exact.numerator)
    return f"{rounded(exact, places):f}"
