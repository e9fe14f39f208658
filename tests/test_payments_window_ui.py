"""The payments and monitoring window: overdue and due-soon reports, awards with where each stands,
payments that never exceed the award, money back, reports received."""

from datetime import date

import pytest
from helpers import build_vote_fund

from grantdesk.services import payments
from grantdesk.services.applications import award_application
from ui.payments_window import PaymentsWindow

TIMEOUT = 20_000


@pytest.fixture
def fund(db):
    vote = build_vote_fund(db, costs_pence=(200_000, 500_000), budget_pence=1_000_000)
    for app_id, amount in zip(vote.application_ids, (200_000, 500_000), strict=True):
        award_application(db, app_id, amount, awarded_on=date(2026, 7, 1))
    for line in payments.fund_awards(db, "VOT"):
        payments.set_monitoring(db, line.award_id)
    return vote


def open_window(qtbot, db, runner, today):
    window = PaymentsWindow(db, runner, "VOT", today=today)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.start()
    return window


def select(view, row):
    view.selectRow(row)


def test_overdue_reports_show_and_are_marked_received(qtbot, db, runner, fund):
    window = open_window(qtbot, db, runner, date(2026, 10, 20))
    assert window.due_model.rows == [(fund.references[1], "Testville Residents", "3-month note", "1 Oct 2026",
                                      "overdue by 19 days")]
    select(window.due_view, 0)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.received_button.click()
    assert window.due_model.rowCount() == 0 and "marked received" in window.notice.text()


def test_a_payment_is_recorded_and_an_over_payment_refused_with_the_reason(qtbot, db, runner, fund):
    window = open_window(qtbot, db, runner, date(2026, 7, 20))
    row = next(i for i, line in enumerate(window.award_model.items) if line.reference == fund.references[0])
    select(window.award_view, row)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.record_payment(150_000, date(2026, 7, 20), "BACS", "PAY-1")
    line = next(x for x in payments.fund_awards(db, "VOT") if x.reference == fund.references[0])
    assert line.position.paid_pence == 150_000
    row = next(i for i, x in enumerate(window.award_model.items) if x.reference == fund.references[0])
    assert window.award_model.rows[row][3:5] == ("£1,500.00", "£500.00")
    select(window.award_view, row)
    window.record_payment(60_000, date(2026, 7, 21))
    qtbot.waitUntil(lambda: "at most £500.00 more" in window.notice.text(), timeout=TIMEOUT)
    select(window.award_view, row)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.record_return("underspend", 10_000, date(2027, 4, 1), "Hall hire cost less")
    assert payments.award_position(db, line.award_id).returned_pence == 10_000


def test_evidence_of_spend_is_kept_with_the_application(qtbot, db, runner, fund, tmp_path):
    from grantdesk.services.attachments import list_attachments

    receipt = tmp_path / "receipt-hall-hire.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    window = open_window(qtbot, db, runner, date(2026, 9, 1))
    row = next(i for i, x in enumerate(window.award_model.items) if x.reference == fund.references[0])
    select(window.award_view, row)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.add_evidence(str(receipt))
    [kept] = [a for a in list_attachments(db, fund.application_ids[0]) if a.kind == "evidence_of_spend"]
    assert kept.filename == "receipt-hall-hire.pdf" and "Evidence of spend" in kept.kind_label


def test_a_payment_recorded_in_one_window_appears_in_another_open_one(qtbot, db, runner, fund):
    """Payments tell everyone: a second payments window (another officer's, or one left open) shows
    the new paid and outstanding figures without being reopened, and keeps the row that was chosen."""
    one = open_window(qtbot, db, runner, date(2026, 7, 20))
    other = open_window(qtbot, db, runner, date(2026, 7, 20))
    first = next(i for i, x in enumerate(one.award_model.items) if x.reference == fund.references[0])
    second = next(i for i, x in enumerate(other.award_model.items) if x.reference == fund.references[1])
    select(one.award_view, first)
    select(other.award_view, second)
    with qtbot.waitSignal(other.loaded, timeout=TIMEOUT):
        one.record_payment(50_000, date(2026, 7, 20), "BACS", "PAY-2")
    row = next(i for i, x in enumerate(other.award_model.items) if x.reference == fund.references[0])
    assert other.award_model.rows[row][3:5] == ("£500.00", "£1,500.00")
    assert other._selected(other.award_view, other.award_model).reference == fund.references[1]
    assert not other.notice.isVisible()  # it was told, not asked: nothing to say


def test_a_report_received_elsewhere_leaves_the_due_list_of_an_open_window(qtbot, db, runner, fund):
    watching = open_window(qtbot, db, runner, date(2026, 10, 20))
    assert watching.due_model.rowCount() == 1
    [due] = payments.overdue_and_due_soon(db, "VOT", today=date(2026, 10, 20))
    acting = open_window(qtbot, db, runner, date(2026, 10, 20))
    select(acting.due_view, 0)
    with qtbot.waitSignal(watching.loaded, timeout=TIMEOUT):
        acting.mark_received(date(2026, 10, 20))
    assert watching.due_model.rowCount() == 0 and due.label in acting.notice.text()
