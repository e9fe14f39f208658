"""How long a fund keeps people's details, and when each application's are due to go.

A fund's settings (``grantdesk.domain.fund_settings``) give three periods, in whole years:

- **unsuccessful** applications (not eligible, declined or withdrawn): kept ``retention_unsuccessful_years``
  (default 2) after the decision — the day the application last moved to that state;
- **awards**: kept ``retention_award_years`` (default 6) after the end of the financial year the award
  belongs to (31 March; the year is its round's, else the award date's — ``domain.repeat_bids``), as
  councils keep financial records;
- **drafts** never submitted: kept ``retention_draft_years`` (default 1) after they were last changed.

Anything else (submitted, being assessed, shortlisted, deferred, returned for changes) is still being
decided and is held. A record is *held until* a day, and *due* the day after: ``is_due(h, as_of)``
is ``as_of > h.held_until``.

The words that replace a removed name are here too (``REMOVED``, ``REMOVED_ON_REQUEST``), and
``redact``: a person's name, e-mail or phone number cut out of free text. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from grantdesk.domain.dates import financial_year_bounds, format_date, shift_years
from grantdesk.i18n import N_

__all__ = [
    "AWARD", "DRAFT", "KINDS", "KIND_LABELS", "REDACTED", "REMOVED", "REMOVED_ON_REQUEST", "UNSUCCESSFUL",
    "Holding", "RecordFacts", "RetentionPeriods", "holding", "is_due", "needles_for", "redact",
]

UNSUCCESSFUL, AWARD, DRAFT = "unsuccessful", "award", "draft"
KINDS = (UNSUCCESSFUL, AWARD, DRAFT)
KIND_LABELS = {UNSUCCESSFUL: N_("Unsuccessful application"), AWARD: N_("Award"), DRAFT: N_("Draft never submitted")}

# What a removed name reads as, wherever the name was shown (lists, letters, reports): the record
# stays, so counts and totals still add up, but says why its name is gone.
REMOVED = "(removed under retention)"
REMOVED_ON_REQUEST = "(removed on request)"
REDACTED = "[removed]"  # a name, e-mail or phone number cut out of free text

UNSUCCESSFUL_STATUSES = frozenset({"ineligible", "declined", "withdrawn"})


@dataclass(frozen=True, slots=True)
class RetentionPeriods:
    """The fund's periods, in whole years (``FundSettings.retention_*``)."""

    unsuccessful_years: int = 2
    award_years: int = 6
    draft_years: int = 1

    @classmethod
    def of(cls, settings) -> RetentionPeriods:
        """From a ``FundSettings``."""
        return cls(settings.retention_unsuccessful_years, settings.retention_award_years,
                   settings.retention_draft_years)


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What the periods need to know about one application.

    ``award_year``: the financial year its award belongs to (None: no award); ``decided_on``: the day it
    last moved to its current state; ``last_changed``: the day it was last changed at all."""

    status: str
    award_year: int | None
    decided_on: date | None
    last_changed: date


@dataclass(frozen=True, slots=True)
class Holding:
    """Why and how long an application's personal details are held. ``kind`` is None while it is still
    being decided (held with no end yet); then ``held_until`` is None too."""

    kind: str | None
    held_until: date | None
    anchor: date | None = None  # the day the period runs from (decision, end of financial year, last change)
    years: int = 0

    @property
    def due_on(self) -> date | None:
        return None if self.held_until is None else self.held_until + timedelta(days=1)

    def reason(self) -> str:
        """Why it is held, in words (for a refusal or the plan)."""
        if self.kind is None:
            return "it is still being decided"
        until = format_date(self.held_until, style="long")
        if self.kind == AWARD:
            return (f"an award is kept until {until}, {_years(self.years)} after the end of the financial year "
                    f"it belongs to ({format_date(self.anchor, style='long')})")
        if self.kind == UNSUCCESSFUL:
            return f"the decision is kept until {until}, {_years(self.years)} after it was made"
        return f"the draft is kept until {until}, {_years(self.years)} after it was last changed"


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def holding(facts: RecordFacts, periods: RetentionPeriods) -> Holding:
    """How long ``facts``'s application is held under ``periods``."""
    if facts.award_year is not None:
        year_end = financial_year_bounds(facts.award_year)[1]
        return Holding(AWARD, shift_years(year_end, periods.award_years), year_end, periods.award_years)
    if facts.status in UNSUCCESSFUL_STATUSES:
        decided = facts.decided_on or facts.last_changed
        return Holding(UNSUCCESSFUL, shift_years(decided, periods.unsuccessful_years), decided,
                       periods.unsuccessful_years)
    if facts.status == "draft":
        return Holding(DRAFT, shift_years(facts.last_changed, periods.draft_years), facts.last_changed,
                       periods.draft_years)
    return Holding(None, None)


def is_due(held: Holding, as_of: date) -> bool:
    """Whether the details are past their period on ``as_of``."""
    return held.held_until is not None and as_of > held.held_until


# --- cutting a person out of free text --------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def needles_for(name: str = "", email: str = "", phone: str = "") -> tuple[str, ...]:
    """The texts that identify a person in free text: their whole name (three letters or more), e-mail
    and phone number (six digits or more). Blank and placeholder values give nothing."""
    out = []
    for text in (name, email):
        text = _SPACE.sub(" ", (text or "").strip())
        if len(text) >= 3 and text not in (REMOVED, REMOVED_ON_REQUEST):
            out.append(text)
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 6:
        out.append(phone.strip())
    return tuple(out)


def _pattern(needle: str) -> str:
    digits = re.sub(r"\D", "", needle)
    if digits and len(digits) >= 6 and not re.search(r"[A-Za-z@]", needle):
        # a phone number however it was spaced: 01632 960 123, 01632-960123, +44 1632 960123
        tail = digits[1:] if digits.startswith("0") else digits
        return r"(?:\+44\s*\(?0?\)?\s*|0)?" + r"[\s\-]*".join(re.escape(d) for d in tail)
    words = needle.split(" ")
    return r"\b" + r"\s+".join(re.escape(w) for w in words) + (r"\b" if needle[-1].isalnum() else "")


def redact(text: str, needles: Iterable[str]) -> str:
    """``text`` with every occurrence of each needle (any case; a name across any spacing) replaced
    by ``[removed]``. Longer needles go first, so a name inside an e-mail address goes with it."""
    if not text:
        return text
    for needle in sorted({n for n in needles if n}, key=len, reverse=True):
        text = re.sub(_pattern(needle), REDACTED, text, flags=re.IGNORECASE)
    return text
