"""Dates for people: GrantDesk's recorded en_GB formats write exactly what babel writes."""

import subprocess
import sys
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from grantdesk.domain.dates import KNOWN_DATE_FORMATS, format_date


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(["short", "medium", "long"]))
def test_en_gb_dates_are_written_exactly_as_babel_writes_them(day, style):
    from babel.dates import format_date as babel_format_date

    assert format_date(day, "en_GB", style) == babel_format_date(day, format=style, locale="en_GB")


def test_every_month_in_every_recorded_style_matches_babel():
    from babel.dates import format_date as babel_format_date

    for (locale, style) in KNOWN_DATE_FORMATS:
        for month in range(1, 13):
            for day in (date(2026, month, 1), date(2025, month, 28), datetime(2027, month, 9, 23, 59)):
                assert format_date(day, locale, style) == babel_format_date(day, format=style, locale=locale)


def test_welsh_and_other_styles_still_come_from_babel():
    assert format_date(date(2026, 9, 5)) == "5 Sept 2026"
    assert format_date(date(2026, 9, 5), style="long") == "5 September 2026"
    assert format_date(date(2026, 9, 5), "cy_GB", "long") == "5 Medi 2026"
    assert format_date(date(2026, 9, 5), style="full") == "Saturday, 5 September 2026"
    assert format_date(None) == ""


def test_an_en_gb_date_does_not_load_babel():
    code = ("import sys, datetime; from grantdesk.domain.dates import format_date; "
            "print(format_date(datetime.date(2026, 7, 18)), 'babel' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["18", "Jul", "2026", "False"], done.stderr
