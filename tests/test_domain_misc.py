from datetime import date

import pytest

from grantdesk.domain.dates import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    format_date,
    shift_years,
)
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.organisations import (
    normalise_charity_number,
    normalise_company_number,
    org_id_for,
)
from grantdesk.domain.references import (
    format_reference,
    is_valid_fund_code,
    parse_reference,
)


@pytest.mark.parametrize(
    "day, year",
    [(date(2026, 3, 31), 2025), (date(2026, 4, 1), 2026), (date(2027, 1, 15), 2026), (date(2026, 12, 31), 2026)],
)
def test_the_financial_year_runs_from_1_april_to_31_march(day, year):
    assert financial_year_of(day) == year
    start, end = financial_year_bounds(year)
    assert start <= day <= end


def test_financial_years_are_labelled_as_councils_write_them():
    assert financial_year_label(2025) == "2025–26"
    assert financial_year_label(1999) == "1999–00"


def test_dates_are_written_the_uk_way_in_english_and_welsh():
    assert format_date(date(2026, 5, 12)) == "12 May 2026"
    assert format_date(date(2026, 5, 12), "cy_GB") == "12 Mai 2026"
    assert format_date(None) == ""


def test_moving_29_february_by_a_year_lands_on_28_february():
    assert shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert shift_years(date(2026, 7, 31), 2) == date(2028, 7, 31)


def test_company_numbers_keep_their_leading_zeros_and_org_ids_follow_org_id_guide():
    assert normalise_company_number("4530979") == "04530979"
    assert normalise_company_number(" sc123456 ") == "SC123456"
    assert org_id_for(None, "04530979") == "GB-COH-04530979"
    assert org_id_for("1164883", "04530979") == "GB-CHC-1164883"
    assert org_id_for("SC022910", None) == "GB-SC-SC022910"
    assert org_id_for(None, None) is None


def test_impossible_registration_numbers_are_refused_with_the_field_named():
    with pytest.raises(ValidationError) as err:
        normalise_charity_number("12-34")
    assert err.value.field == "charity_number"
    with pytest.raises(ValidationError):
        normalise_company_number("123456789")


def test_references_are_fund_year_and_a_four_digit_sequence():
    assert format_reference("PHP", 2025, 42) == "PHP-2025-0042"
    assert parse_reference("php-2025-0042") == ("PHP", 2025, 42)
    assert parse_reference("PHP-25-42") is None
    assert is_valid_fund_code("BBL") and not is_valid_fund_code("b") and not is_valid_fund_code("1AB")
