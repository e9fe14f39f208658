"""Public application references such as ``PHP-2025-0042``: fund code, financial year, sequence.

A reference is generated once, when the application is first recorded, and never reused: the
sequence lives in its own counter table, so deleting or withdrawing an application does not free
its number.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"^(?P<code>[A-Z][A-Z0-9]{1,11})-(?P<year>\d{4})-(?P<seq>\d{4,})$")
_FUND_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


def format_reference(fund_code: str, year: int, sequence: int) -> str:
    return f"{fund_code}-{year}-{sequence:04d}"


def parse_reference(reference: str) -> tuple[str, int, int] | None:
    """``"PHP-2025-0042"`` → ``("PHP", 2025, 42)``; ``None`` if it is not a reference."""
    m = _REFERENCE.match(reference.strip().upper())
    if not m:
        return None
    return m["code"], int(m["year"]), int(m["seq"])


def is_valid_fund_code(code: str) -> bool:
    """Fund codes are 2–12 capital letters or digits, starting with a letter (``PHP``, ``BBL``)."""
    return bool(_FUND_CODE.match(code))
