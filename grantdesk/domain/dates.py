"""Financial years (1 April – 31 March), and dates read and written the UK way."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from grantdesk.domain.errors import ValidationError


def financial_year_of(day: date) -> int:
    """The financial year containing ``day``, named by the year it starts in (2025 = 2025–26)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of financial year ``year``: ``(1 April year, 31 March year+1)``."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    """``2025`` → ``"2025–26"``, as councils write it."""
    return f"{year}–{(year + 1) % 100:02d}"


# How babel (CLDR) writes dates in en_GB (short ``dd/MM/y``, medium ``d MMM y``, long ``d MMMM y``),
# recorded so the first screen's list does not load babel's locale data (about 40 ms) for its first
# date; tests/test_dates_format.py checks every style against babel itself, so a babel upgrade that
# changes one fails CI. Welsh, and any other locale or style, go to babel.
_EN_GB_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")
_EN_GB_ABBREVIATED = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")
KNOWN_DATE_FORMATS = {
    ("en_GB", "short"): lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    ("en_GB", "medium"): lambda d: f"{d.day} {_EN_GB_ABBREVIATED[d.month - 1]} {d.year}",
    ("en_GB", "long"): lambda d: f"{d.day} {_EN_GB_MONTHS[d.month - 1]} {d.year}",
}


def format_date(day: date | None, locale: str = "en_GB", style: str = "medium") -> str:
    """A date for people, by locale (``12 May 2025`` in en_GB). Empty for no date."""
    if day is None:
        return ""
    known = KNOWN_DATE_FORMATS.get((locale, style))
    if known is not None:
        return known(day)
    from babel.dates import format_date as _babel_format_date

    return _babel_format_date(day, format=style, locale=locale)


def shift_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February lands on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january", "ion", "ionawr"), ("feb", "february", "chwe", "chwefror"), ("mar", "march", "maw", "mawrth"),
         ("apr", "april", "ebr", "ebrill"), ("may", "mai"), ("jun", "june", "meh", "mehefin"),
         ("jul", "july", "gor", "gorffennaf"), ("aug", "august", "aws", "awst"),
         ("sep", "sept", "september", "medi"), ("oct", "october", "hyd", "hydref"),
         ("nov", "november", "tach", "tachwedd"), ("dec", "december", "rhag", "rhagfyr")],
        start=1,
    )
    for name in names
}
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})$")


def parse_uk_date(value: str | date | datetime | None, *, field: str | None = None) -> date | None:
    """Read a date as UK forms write it: ``12/05/2026``, ``12/5/26``, ``12.05.2026``, ``2026-05-12``,
    ``12 May 2026`` (or Welsh month names). Day before month, always; blank gives ``None``.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).strip().lower().split())
    if not text:
        return None
    if m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12 and day <= 12:
            raise ValidationError(
                f"“{value}” has {month} as the month; dates are day/month/year, as in 31/03/2026.", field
            )
    elif m := _WORDS.match(text):
        day, year = int(m[1]), int(m[3])
        month = _MONTHS.get(m[2])
        if month is None:
            raise ValidationError(f"“{value}” is not a date: “{m[2]}” is not a month.", field)
    else:
        raise ValidationError(f"“{value}” is not a date; write it as 31/03/2026 or 31 March 2026.", field)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"“{value}” is not a real date.", field) from None
