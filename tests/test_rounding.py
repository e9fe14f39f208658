"""One rounding rule for numbers people read: exact, half up, the same on screen and on paper."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantdesk.domain.rounding import rounded, rounded_text
from grantdesk.reports.results_sheet import _two_places
from ui.panel_models import number_text


def test_107_over_40_is_2_68_on_screen_and_on_paper():
    score = Fraction(107, 40)  # exactly 2.675; the nearest float is 2.67499999…, which once showed 2.67
    assert f"{float(score):.2f}" == "2.67"  # why the screen went wrong: it rounded a float
    assert rounded(score) == Decimal("2.68")
    assert number_text(score) == "2.68"  # the panel window
    assert _two_places(score) == "2.68"  # the printed results sheet


@pytest.mark.parametrize(("value", "places", "expected"), [
    (Fraction(21, 8), 2, "2.63"),  # 2.625: half to even would say 2.62
    (Fraction(1, 8), 2, "0.13"),  # 0.125
    (Fraction(5, 2), 0, "3"),  # 2.5: half to even would say 2
    (Fraction(7, 2), 0, "4"),
    (Fraction(1, 200), 2, "0.01"),  # 0.005
    (Fraction(-107, 40), 2, "-2.68"),  # a half goes away from zero either side
    (Decimal("2.675"), 2, "2.68"),
    (Fraction(7, 2), 2, "3.50"),
    (Fraction(2, 3), 2, "0.67"),
    (4, 2, "4.00"),
])
def test_exact_halves_round_up_and_everything_else_to_the_nearest(value, places, expected):
    assert rounded_text(value, places) == expected


def test_screen_shows_whole_scores_as_they_are_but_not_numbers_that_only_round_to_whole():
    assert number_text(4) == "4" and number_text(Fraction(8, 2)) == "4"
    assert number_text(Fraction(3999, 1000)) == "4.00"
    assert number_text(None) == "–"


def test_a_float_is_refused_because_it_has_already_lost_the_digits():
    with pytest.raises(TypeError):
        rounded(2.675)


@given(st.fractions(min_value=-10_000, max_value=10_000, max_denominator=10_000), st.integers(0, 4))
def test_the_rule_is_decimal_round_half_up_on_the_exact_value(value, places):
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # may be inexact: only compare off a half
    result = rounded(value, places)
    step = Fraction(1, 10 ** places)
    assert abs(Fraction(result) - value) <= step / 2  # the nearest
    if abs(Fraction(result) - value) == step / 2:  # an exact half: away from zero
        assert abs(Fraction(result)) > abs(value)
    if (value * 10 ** places * 2).denominator != 1:  # not a half: Decimal agrees
        assert result == exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def test_the_paper_entry_totals_round_by_the_one_rule():
    from fractions import Fraction

    from ui.paper_entry import number_text

    assert number_text(Fraction(107, 40)) == "2.68"  # a float would give 2.67
    assert number_text(Fraction(123_456_789, 40)) == "3,086,419.73" and number_text(12_345) == "12,345"
    assert number_text(Fraction(-107, 40)) == "-2.68" and number_text(None) == "–"
