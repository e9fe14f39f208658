from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantdesk.domain.errors import MoneyError
from grantdesk.domain.money import format_money, parse_money, plain_amount, pounds


@pytest.mark.parametrize(
    "text, pence",
    [
        ("£1,250", 125000),
        ("1250.00", 125000),
        ("1,250", 125000),
        ("1250", 125000),
        (" £ 1,250.5 ", 125050),
        ("£2,500.00", 250000),
        ("GBP 99", 9900),
        ("0.01", 1),
        (".5", 50),
        ("1,000,000", 100000000),
    ],
)
def test_amounts_written_the_ways_people_write_them_are_read_as_pence(text, pence):
    assert parse_money(text) == pence


@pytest.mark.parametrize(
    "text, words",
    [
        ("12.345", "more than two decimal places"),
        ("1,25", "commas must separate thousands"),
        ("12,50", "commas must separate thousands"),
        ("abc", "not an amount in pounds"),
        ("", "An amount is needed"),
        ("1.2.3", "not an amount"),
        ("-5", "cannot be negative"),
        ("£-5", "cannot be negative"),
    ],
)
def test_unreadable_amounts_are_refused_with_a_reason(text, words):
    with pytest.raises(MoneyError, match=words):
        parse_money(text)


def test_a_float_is_never_accepted_as_money():
    with pytest.raises(MoneyError):
        parse_money(12.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        parse_money(True)  # type: ignore[arg-type]


def test_negative_amounts_only_where_allowed_and_accounting_brackets_read_as_negative():
    assert parse_money("-12.50", allow_negative=True) == -1250
    assert parse_money("(1,000.00)", allow_negative=True) == -100000


def test_money_is_formatted_for_people_in_en_gb_and_cy_gb():
    assert format_money(250000) == "£2,500.00"
    assert format_money(5) == "£0.05"
    assert format_money(-12345) == "-£123.45"
    assert format_money(123456789, locale="cy_GB") == "£1,234,567.89"
    assert format_money(500, currency="EUR") == "€5.00"


def test_machine_amounts_have_two_places_and_no_symbol():
    assert plain_amount(250000) == "2500.00"
    assert plain_amount(7) == "0.07"
    assert pounds(123456) == Decimal("1234.56")


@given(st.integers(min_value=0, max_value=10**13))
def test_formatted_and_plain_amounts_read_back_to_the_same_pence(pence):
    assert parse_money(format_money(pence)) == pence
    assert parse_money(plain_amount(pence)) == pence


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_pence_arithmetic_is_exact(a, b):
    # The reason money is never a float: 0.1 + 0.2 pounds must be exactly 0.30.
    assert parse_money(plain_amount(a)) + parse_money(plain_amount(b)) == a + b
    assert pounds(a) + pounds(b) == pounds(a + b)


@given(st.integers(min_value=-(10**14), max_value=10**14), st.sampled_from(["en_GB", "cy_GB"]),
       st.sampled_from(["GBP", "EUR"]))
def test_the_fast_formatter_writes_exactly_what_babel_writes(pence, locale, currency):
    from babel.numbers import format_currency

    assert format_money(pence, currency, locale) == format_currency(pounds(pence), currency, locale=locale)


def test_the_recorded_shapes_of_pounds_are_what_babel_says_today():
    from grantdesk.domain.money import KNOWN_SHAPES, babel_shape

    assert set(KNOWN_SHAPES) == {("GBP", "en_GB"), ("GBP", "cy_GB")}
    for (currency, locale), shape in KNOWN_SHAPES.items():
        assert babel_shape(currency, locale) == shape, (currency, locale)


def test_formatting_pounds_does_not_load_babel():
    import subprocess
    import sys

    code = ("import sys; from grantdesk.domain.money import format_money; "
            "print(format_money(-123456), format_money(5, locale='cy_GB'), 'babel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["-£1,234.56", "£0.05", "False"], done.stderr


def test_an_inexact_amount_is_rounded_by_the_one_rule_half_up_like_a_score():
    from fractions import Fraction

    from grantdesk.domain.money import amount_text

    # 2.675 and 0.005 are halves: half up gives what a person checking by hand gets (half to even would not)
    assert amount_text(Fraction(107, 40), "PLN") == "about 2.68 PLN"
    assert amount_text(Fraction(1, 200), "PLN") == "about 0.01 PLN"
    assert amount_text(Fraction(-107, 40), "PLN") == "about -2.68 PLN"
