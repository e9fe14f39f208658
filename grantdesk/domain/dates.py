"""Financial years (1 April – 31 March) and UK date formatting for people."""

from __future__ import annotations

from datetime import date, timedelta


def financial_year_of(day: date) -> int:
    """The financial year containing ``day``, named by the year it starts in (2025 = 2025–26)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of financial year ``year``: ``(1 April year, 31 March year+1)``."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    """``2025`` → ``"2025–26"``, as councils write it."""
    return f"{year}–{(year + 1) % 100:02d}"


def format_date(day: date | None, locale: str = "en_GB", style: str = "medium") -> str:
    """A date for people, by locale (``12 May 2025`` in en_GB). Empty for no date."""
    if day is None:
        return ""
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
