"""Financial years (1 April – 31 March), and dates read and written the UK way."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import _, locale_name


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


def format_date(day: date | None, locale: str | None = None, style: str = "medium") -> str:
    """A date for people, by locale (``12 May 2025`` in en_GB, ``12 Mai 2025`` in cy_GB); by default in the
    language the process speaks (``grantdesk.i18n.locale_name()``). A short date is ``dd/MM/yyyy`` in
    either language (CLDR's Welsh short date has a two-digit year). Empty for no date."""
    if day is None:
        return ""
    if locale is None:
        locale = locale_name()
        if style == "short":
            locale = "en_GB"
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
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})$")
# A time after a date, as form tools and ISO timestamps write it: "09:52", "09:52:34", "9:52:34 am",
# "09:52:34.123", with "Z" or an offset ("+01:00", "+0100") for ISO timestamps.
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(am|pm)?\s*(z|[+-]\d{2}(?::?\d{2})?)?$")
_SPLIT = re.compile(r"^(\S+?)(?:,?\s+|t)(\d{1,2}:.*)$")
_SERIAL = re.compile(r"^\d+(?:\.\d+)?$")
# Excel counts days from 30/12/1899 (its day 60 is the 29/02/1900 that never was, so the count is
# right from March 1900 on). A number is read as such a date only when it falls in these years, so a
# plain number (5, or 2026) in a date column is still refused.
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_YEARS = (1990, 2100)
_SERIAL_RANGE = ((date(SERIAL_YEARS[0], 1, 1) - EXCEL_EPOCH).days, (date(SERIAL_YEARS[1], 12, 31) - EXCEL_EPOCH).days)


def excel_serial_date(value: int | float | Decimal | str) -> date | None:
    """The date an Excel serial number stands for (``46186`` → 13/06/2026; a fraction is the time of
    day, ignored), or ``None`` when ``value`` is not a whole day count between 1990 and 2100."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not _SERIAL.match(value):
            return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    days = int(number)  # the whole days; what is after the point is the time
    if not _SERIAL_RANGE[0] <= days <= _SERIAL_RANGE[1]:
        return None
    return EXCEL_EPOCH + timedelta(days=days)


def _uk_day(moment: datetime) -> date:
    """The day a moment with a time zone fell on in the UK (a form tool's UTC timestamp of 23:30 on
    13 June in summer is 00:30 on 14 June here). Without time-zone data, the day as written."""
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/London")).date()
    except (ImportError, KeyError, OSError):  # no time-zone data on this machine
        return moment.date()


def _time_of(text: str, value: object, field: str | None) -> tuple[int, int, int, str | None]:
    m = _TIME.match(text)
    if m is None:
        raise ValidationError(_("“{value}” is not a date; write it as 31/03/2026 or 31 March 2026.").format(
                                value=value), field)
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:  # 12-hour clock
        if not 1 <= hour <= 12:
            raise ValidationError(_("“{value}” does not have a real time of day.").format(value=value), field)
        hour = hour % 12 + (12 if m[4] == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValidationError(_("“{value}” does not have a real time of day.").format(value=value), field)
    return hour, minute, second, m[5]


def _zone(offset: str) -> timezone:
    if offset == "z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(offset)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_uk_date(value: str | date | datetime | int | float | Decimal | None, *,
                  field: str | None = None) -> date | None:
    """Read a date as UK forms and spreadsheets write it: ``12/05/2026``, ``12/5/26``, ``12.05.2026``,
    ``2026-05-12``, ``12 May 2026`` (or Welsh month names). Day before month, always; blank gives
    ``None``.

    A time after the date is read and dropped: ``13/06/2026 09:52:34`` or ``13/06/2026 09:52`` (a form
    tool's Timestamp column), ``2026-06-13 09:52:34``, and ISO timestamps ``2026-06-13T09:52:34Z`` or
    ``…+01:00`` (with or without fractions of a second), whose day is the day it was in the UK. An Excel
    serial number (``46186``, or ``46186.41`` with the time) is the date it counts to, between 1990 and
    2100 (``EXCEL_EPOCH``); other numbers are not dates. ``datetime`` values give their day.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _uk_day(value) if value.tzinfo is not None else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        day = excel_serial_date(value)
        if day is None:
            raise ValidationError(_("“{value}” is not a date; write it as 31/03/2026 or 31 March 2026.").format(
                                    value=value), field)
        return day
    text = " ".join(str(value).strip().lower().split())
    if not text:
        return None
    if _SERIAL.match(text):
        day = excel_serial_date(text)
        if day is None:
            raise ValidationError(_("“{value}” is not a date; write it as 31/03/2026 or 31 March 2026.").format(
                                    value=value), field)
        return day
    clock: tuple[int, int, int, str | None] | None = None
    if (m := _SPLIT.match(text)) and (_ISO.match(m[1]) or _NUMERIC.match(m[1])):
        text, clock = m[1], _time_of(m[2], value, field)
    if m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12 and day <= 12:
            raise ValidationError(
                _("“{value}” has {month} as the month; dates are day/month/year, as in 31/03/2026.").format(
                  value=value, month=month), field
            )
    elif m := _WORDS.match(text):
        day, year = int(m[1]), int(m[3])
        month = _MONTHS.get(m[2])
        if month is None:
            raise ValidationError(_("“{value}” is not a date: “{m}” is not a month.").format(value=value, m=m[2]), field)
    else:
        raise ValidationError(_("“{value}” is not a date; write it as 31/03/2026 or 31 March 2026.").format(
                                value=value), field)
    if year < 100:
        year += 2000
    try:
        written = date(year, month, day)
    except ValueError:
        raise ValidationError(_("“{value}” is not a real date.").format(value=value), field) from None
    if clock is None or clock[3] is None:
        return written
    hour, minute, second, offset = clock
    try:
        zone = _zone(offset)
    except ValueError:
        raise ValidationError(_("“{value}” has a time zone that is not one (“{offset}”).").format(
                                value=value, offset=offset), field) from None
    return _uk_day(datetime(written.year, written.month, written.day, hour, minute, second, tzinfo=zone))
