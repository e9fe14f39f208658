"""The one monitoring-date rule (grantdesk.domain.monitoring): what a grant owes by its size, and when."""

from datetime import date

import pytest

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.monitoring import ReportDue, add_months, final_report, reports_due

AWARDED = date(2026, 1, 31)
STAFFORDSHIRE = [
    {"up_to": "499.99", "require": [["note", "Receipts or photos", 2, True]]},
    {"require": [["note", "Receipts or photos", 2, False], ["note", "End-of-grant note", 12, True]]},
]


def test_months_are_counted_from_the_award_and_a_missing_day_is_the_months_last():
    assert add_months(AWARDED, 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(AWARDED, 12) == date(2027, 1, 31)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_the_default_rule_asks_more_of_larger_grants():
    assert reports_due(AWARDED, 49_999) == ()  # £499.99: nothing
    assert reports_due(AWARDED, 50_000) == (ReportDue("note", "A short note with evidence of spend",
                                                      date(2027, 1, 31), True),)
    assert reports_due(AWARDED, 250_000)[0].due_on == date(2027, 1, 31)  # £2,500.00 is still the middle band
    note, report = reports_due(AWARDED, 250_001)
    assert (note.due_on, note.final, report.kind, report.due_on, report.final) == (
        date(2026, 4, 30), False, "report", date(2027, 1, 31), True)


def test_a_funds_own_bands_replace_the_default_and_the_final_report_closes_the_grant():
    small = reports_due(AWARDED, 40_000, STAFFORDSHIRE)
    assert [(d.label, d.due_on, d.final) for d in small] == [("Receipts or photos", date(2026, 3, 31), True)]
    large = reports_due(AWARDED, 600_000, STAFFORDSHIRE)
    assert [d.due_on for d in large] == [date(2026, 3, 31), date(2027, 1, 31)]  # soonest first
    assert final_report(large).label == "End-of-grant note"
    assert final_report(()) is None


def test_a_band_that_names_an_unknown_kind_of_report_is_refused():
    with pytest.raises(ValidationError, match="“survey” is not a kind of report"):
        reports_due(AWARDED, 1_000, [{"require": [["survey", "A survey", 3, True]]}])
    with pytest.raises(ValidationError, match=r"\[kind, label, months, final\]"):
        reports_due(AWARDED, 1_000, [{"require": [["note", "Too short"]]}])
