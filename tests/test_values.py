"""Values as real exports write them, read in the one place every import uses: amounts with Excel's
float noise, UK date-times and ISO timestamps, Excel serial dates, and words that mean "nothing here"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.errors import MoneyError, ValidationError
from grantdesk.domain.money import parse_money
from grantdesk.io.tabular import BLANK_WORDS, is_blank, is_blank_word


# --- amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, pence", [
    ("41133.770000000004", 4113377),  # what Excel writes for £41,133.77
    ("41133.769999999996", 4113377),
    (repr(0.1 + 0.2), 30),  # 0.30000000000000004
    (repr(1234.56 * 3), 370368),  # 3703.6800000000003
    ("£41,133.770000000004", 4113377),
    ("41133.77", 4113377),
])
def test_spreadsheet_float_noise_within_a_thousandth_of_a_penny_is_that_penny(text, pence):
    assert parse_money(text) == pence


def test_a_float_cells_digits_read_as_the_amount_it_shows():
    cell = 41133.770000000004  # as openpyxl hands it over; importers pass repr(cell)
    assert repr(cell) == "41133.770000000004"
    assert parse_money(repr(cell)) == 4113377
    assert parse_money(repr(-0.30000000000000004), allow_negative=True) == -30


@pytest.mark.parametrize("text", ["41133.775", "41133.771", "41133.7701", "41133.77001", "0.005", "12.345"])
def test_a_real_fraction_of_a_penny_is_still_refused(text):
    with pytest.raises(MoneyError, match="more than two decimal places"):
        parse_money(text)


def test_exact_decimals_stay_exact_and_floats_are_still_not_money():
    with pytest.raises(MoneyError, match="more than two decimal places"):
        parse_money(Decimal("41133.770000000004"))  # a calculated Decimal must be whole pence
    with pytest.raises(MoneyError):
        parse_money(41133.77)  # type: ignore[arg-type]


# --- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "13/06/2026 09:52:34", "13/06/2026 09:52", "13/06/2026 9:52", "13/06/2026, 09:52:34", "13/6/26 09:52:34",
    "13/06/2026 9:52:34 am", "13/06/2026 9:52 PM", "13.06.2026 09:52:34",
    "2026-06-13 09:52:34", "2026-06-13 09:52", "2026-06-13T09:52:34", "2026-06-13T09:52:34Z",
    "2026-06-13T09:52:34+01:00", "2026-06-13T09:52:34+0100", "2026-06-13T09:52:34.123Z",
    "2026-06-13T09:52:34.123456+01:00", "2026-06-13T09:52:34-04:00", "2026-06-13T00:00:00+00:00",
])
def test_uk_date_times_and_iso_timestamps_give_their_day(text):
    assert parse_uk_date(text) == date(2026, 6, 13)


def test_a_timestamp_with_a_zone_is_the_day_it_was_in_the_uk():
    # 23:30 UTC on 13 June is 00:30 on 14 June in British Summer Time; in winter UTC is UK time
    assert parse_uk_date("2026-06-13T23:30:00Z") == date(2026, 6, 14)
    assert parse_uk_date("2026-01-13T23:30:00Z") == date(2026, 1, 13)
    assert parse_uk_date(datetime(2026, 6, 13, 23, 30, tzinfo=timezone.utc)) == date(2026, 6, 14)
    # written without a zone, a moment is taken as UK time, as written
    assert parse_uk_date("2026-06-13T23:30:00") == date(2026, 6, 13)
    assert parse_uk_date(datetime(2026, 6, 13, 23, 30)) == date(2026, 6, 13)


@pytest.mark.parametrize("value", [46186, "46186", 46186.0, "46186.0", "46186.41111", Decimal("46186")])
def test_an_excel_serial_number_is_the_date_it_counts_to(value):
    assert parse_uk_date(value) == date(2026, 6, 13)  # 30/12/1899 + 46186 days


def test_excel_serial_dates_are_read_only_between_1990_and_2100():
    assert parse_uk_date(32874) == date(1990, 1, 1)
    assert parse_uk_date(73415) == date(2100, 12, 31)
    assert parse_uk_date(36526) == date(1899, 12, 30) + timedelta(days=36526) == date(2000, 1, 1)


@pytest.mark.parametrize("value", [5, "5", 2026, "2026", 32873, 73416, "123456789", True, float("nan")])
def test_a_plain_number_is_still_not_a_date(value):
    with pytest.raises(ValidationError, match="is not a date; write it as 31/03/2026"):
        parse_uk_date(value)


@pytest.mark.parametrize("text, words", [
    ("13/06/2026 25:00", "not have a real time of day"),
    ("13/06/2026 09:61", "not have a real time of day"),
    ("13/06/2026 13:00 pm", "not have a real time of day"),
    ("13/06/2026 soon", "is not a date"),
    ("2026-06-13Tlater", "is not a date"),
    ("2026-06-13T09:52:34+25:00", "time zone"),
    ("31/02/2026 09:52:34", "not a real date"),
    ("06/13/2026 09:52:34", "day/month/year"),
])
def test_a_date_time_that_is_not_one_is_refused_with_a_reason(text, words):
    with pytest.raises(ValidationError, match=words):
        parse_uk_date(text)


def test_the_field_is_named_in_a_refusal():
    with pytest.raises(ValidationError) as refused:
        parse_uk_date("13/06/2026 25:00", field="submitted_on")
    assert refused.value.field == "submitted_on"


# --- words that mean nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["n/a", "N/A", "NA", "na", " NA ", "none", "None", "NONE", "-", "nil", "Nil",
                                  "—", "–", "n.a.", "N.A.", "null", "not applicable", "Not  Applicable"])
def test_words_that_mean_nothing_here_are_blank_words(text):
    assert is_blank_word(text)


@pytest.mark.parametrize("value", ["", "  ", None, 0, 5, "Nathan", "nan", "NAB", "Nil Desperandum", "0", "--5"])
def test_values_and_true_blanks_are_not_blank_words(value):
    assert not is_blank_word(value)


def test_is_blank_keeps_its_meaning():
    # a required field with "NA" must still be a problem the row reports, so "NA" is not blank
    assert all(not is_blank(word) for word in BLANK_WORDS)
    assert is_blank("") and is_blank("   ") and is_blank(None)
