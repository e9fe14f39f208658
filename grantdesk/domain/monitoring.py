"""When a grantee's reports are due: the one rule behind the award letter's wording, the monitoring
records the payments window watches, and what holds a holdback back.

What a grant owes is proportionate to its size. A fund's ``monitoring`` setting lists bands, smallest
first; the first band whose ``up_to`` (pounds, inclusive; none for the top band) covers the award
applies, and each item it ``require``s is ``[kind, label, months after the award, final?]``::

    monitoring = [
      { up_to = "499.99", require = [["note", "Receipts or photos", 2, true]] },
      { require = [["note", "3-month note", 3, false], ["report", "End-of-grant report", 12, true]] },
    ]

A fund without the setting uses ``DEFAULT_MONITORING``: nothing for small grants, a short note with
evidence of spend a year on for middling ones, and a note after three months then a final learning
report after a year for larger ones. Every due date counts whole months from the day of the award
(the 31st becomes the month's last day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import parse_money
from grantdesk.i18n import N_, _

KINDS = ("note", "report")

DEFAULT_MONITORING: tuple[dict[str, Any], ...] = (
    {"up_to": "499.99", "require": []},
    {"up_to": "2500.00", "require": [["note", N_("A short note with evidence of spend"), 12, True]]},
    {"up_to": None, "require": [["note", N_("3-month note"), 3, False],
                                ["report", N_("Final learning report"), 12, True]]},
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One report a band asks for: what, called what, how many months after the award, and whether it
    is the final report (the one that releases money held back)."""

    kind: str
    label: str
    months: int
    final: bool


@dataclass(frozen=True, slots=True)
class ReportDue:
    """A report owed on an award, with its due date."""

    kind: str
    label: str
    due_on: date
    final: bool


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; a day the month does not have becomes its last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def requirements(bands: Iterable[Mapping[str, Any]] | None, amount_pence: int) -> tuple[Requirement, ...]:
    """What a grant of ``amount_pence`` owes under ``bands`` (a fund's ``monitoring`` setting, or the
    default when it has none), in the order the band lists them."""
    for band in bands or DEFAULT_MONITORING:
        limit = band.get("up_to")
        if limit is None or amount_pence <= parse_money(str(limit), field="monitoring.up_to"):
            out = []
            for item in band.get("require", ()):
                try:
                    kind, label, months, final = item
                except (TypeError, ValueError):
                    raise ValidationError(_("A monitoring item is [kind, label, months, final], not {item!r}.").format(
                                            item=item),
                                          "monitoring") from None
                if str(kind) not in KINDS:
                    raise ValidationError(_("“{kind}” is not a kind of report; use {kinds}.").format(
                                            kind=kind, kinds=' or '.join(KINDS)),
                                          "monitoring")
                out.append(Requirement(str(kind), str(label), int(months), bool(final)))
            return tuple(out)
    return ()


def reports_due(awarded_on: date, amount_pence: int,
                bands: Iterable[Mapping[str, Any]] | None = None) -> tuple[ReportDue, ...]:
    """The reports an award owes and when, by the rule above; soonest first."""
    due = [ReportDue(r.kind, r.label, add_months(awarded_on, r.months), r.final)
           for r in requirements(bands, amount_pence)]
    return tuple(sorted(due, key=lambda d: (d.due_on, d.final)))


def final_report(due: Iterable[ReportDue]) -> ReportDue | None:
    """The report that closes the grant: the latest one marked final, else the latest one; None if
    nothing is owed."""
    items = sorted(due, key=lambda d: (d.final, d.due_on))
    return items[-1] if items else None
