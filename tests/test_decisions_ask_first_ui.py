"""Decisions that ask first, in the main window, on the sample funds: Assess Eligibility shows each
rule's result and asks before the status changes (Cancel writes nothing) and Override stays offered
after an ineligible decision; Award shows the request, the fund's maximum and the round's budget, says
when an amount goes beyond them and shows the refusal until a written reason is given; a member fund's
Award leads to the member decision (tests/test_editor_ui.py)."""

import pytest
from helpers import opened_window
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from grantdesk.domain.workflow import Status
from grantdesk.services import applications
from grantdesk.store.models import AuditEntry, Fund

TIMEOUT = 20_000


def audit_count(db) -> int:
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry))


def select_reference(qtbot, window, reference: str):
    row = next(i for i in range(window.app_model.rowCount()) if window.app_model.index(i, 0).data() == reference)
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.reference == reference,
                    timeout=TIMEOUT)
    return window.current_detail


def opened_dialog(qtbot, window, action):
    """Trigger ``action``; the dialog (or question) it opens, waiting for the officer."""
    assert action.isEnabled(), f"{action.text()} is not offered"
    with qtbot.waitSignal(window.actions.dialog_opened, timeout=TIMEOUT) as opened:
        action.trigger()
    dialog = opened.args[0]
    assert dialog.isVisible()
    return dialog


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def rhyl_with_a_lower_maximum(sample_path, sample_db):
    """Rhyl's fund with its maximum award lowered to £500, so RHYL-2026-0006 (£720) fails a rule."""
    with sample_db.unit_of_work() as uow:
        uow.session.scalar(select(Fund).where(Fund.code == "RHYL")).max_amount_pence = 50_000
        uow.commit()
    return sample_path


def test_assess_shows_each_rule_and_asks_and_cancel_changes_nothing(qtbot, rhyl_with_a_lower_maximum, sample_db):
    window = opened_window(qtbot, rhyl_with_a_lower_maximum, "RHYL")
    detail = select_reference(qtbot, window, "RHYL-2026-0006")
    assert detail.row.status == "submitted" and "Override…" in window.detail.toPlainText()
    before = audit_count(sample_db)

    dialog = opened_dialog(qtbot, window, window.actions.assess_action)
    rules = [tuple(dialog.rules.topLevelItem(i).text(c) for c in range(3))
             for i in range(dialog.rules.topLevelItemCount())]
    amount = next(r for r in rules if r[1] == "Amount within the fund's limits")
    assert amount[0] == "✗ Fails" and "£500.00" in amount[2]
    assert ("✓ Passes", "Submitted while the round was open") == next(r for r in rules if r[0] == "✓ Passes"
                                                                       and "round" in r[1])[:2]
    assert "ineligible" in dialog.verdict.text() and "one rule fails" in dialog.verdict.text()
    assert dialog.question.text().startswith("Mark RHYL-2026-0006 as ineligible?")
    assert dialog.confirm_button.text() == "Mark as &Ineligible" and dialog.cancel_button.isDefault()
    assert "£500.00" in dialog.reason()  # the reason the applicant would read, shown before anything changes

    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: window.actions.assessment_dialog is None, timeout=TIMEOUT)
    assert audit_count(sample_db) == before
    assert applications.get_application(sample_db, detail.row.id).row.status == "submitted"
    assert window.current_detail.row.status == "submitted" and "Override…" in window.detail.toPlainText()

    # Assessed again and confirmed, in the officer's own words for the applicant.
    dialog = opened_dialog(qtbot, window, window.actions.assess_action)
    dialog.reason_edit.clear()
    qtbot.keyClicks(dialog.reason_edit, "Grants this year are up to £500; you may apply again for less.")
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        click(qtbot, dialog.confirm_button)
    qtbot.waitUntil(lambda: window.current_detail.row.status == "ineligible", timeout=TIMEOUT)
    assert window.current_detail.history[-1].reason == "Grants this year are up to £500; you may apply again for less."

    # Override is still offered for the ineligible application, and leads back to eligible.
    assert "Override…" in window.detail.toPlainText()
    window.actions.ask_reason = lambda title, prompt, prefill="": "The panel agreed £720 for a residential."
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        window.detail.anchorClicked.emit(QUrl("override:amount"))
    qtbot.waitUntil(lambda: window.current_detail.eligibility.eligible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "Mark Eligible" in window.notice.text(), timeout=TIMEOUT)
    assert window.current_detail.row.status == "ineligible"
    asked = []
    window.actions.ask_reason = lambda title, prompt, prefill="": asked.append(prefill) or prefill
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        window.actions.move_actions[Status.ELIGIBLE].trigger()
    qtbot.waitUntil(lambda: window.current_detail.row.status == "eligible", timeout=TIMEOUT)
    assert "The panel agreed £720 for a residential." in asked[0]  # the override, offered as the reason


def test_an_eligible_result_asks_too_and_a_move_without_a_reason_can_be_cancelled(qtbot, sample_path, sample_db):
    window = opened_window(qtbot, sample_path, "RHYL")
    detail = select_reference(qtbot, window, "RHYL-2026-0006")
    before = audit_count(sample_db)
    dialog = opened_dialog(qtbot, window, window.actions.assess_action)
    assert "eligible" in dialog.verdict.text() and not dialog.reason_edit.isVisible()
    assert dialog.question.text() == "Mark RHYL-2026-0006 as eligible? Its status changes to Eligible."
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: window.actions.assessment_dialog is None, timeout=TIMEOUT)

    box = opened_dialog(qtbot, window, window.actions.move_actions[Status.ELIGIBLE])
    assert box.text().startswith("Mark RHYL-2026-0006 as eligible? Its status changes from Submitted to Eligible.")
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert audit_count(sample_db) == before
    assert applications.get_application(sample_db, detail.row.id).row.status == "submitted"


def test_award_shows_the_limits_and_needs_a_reason_to_go_beyond_them(qtbot, sample_path, sample_db):
    window = opened_window(qtbot, sample_path, "RHYL")
    detail = select_reference(qtbot, window, "RHYL-2026-0005")  # eligible, £850 asked for
    box = opened_dialog(qtbot, window, window.actions.move_actions[Status.SHORTLISTED])
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: window.current_detail.row.status == "shortlisted", timeout=TIMEOUT)

    award = window.actions.move_actions[Status.AWARDED]
    assert award.text() == "&Award…"
    dialog = opened_dialog(qtbot, window, award)
    assert dialog.objectName() == "awardDialog"
    assert dialog.requested_label.text() == "£850.00" and dialog.maximum_label.text() == "£1,500.00"
    assert dialog.budget_label.text() == "£7,950.00 left of £12,000.00 (£4,050.00 awarded already)"
    assert not dialog.error.isVisible()
    assert dialog.amount_edit.text() == "£850.00" and not dialog.beyond.isVisible()
    assert "moves RHYL-2026-0005 to Awarded and records £850.00" in dialog.consequence.text()

    dialog.amount_edit.clear()
    qtbot.keyClicks(dialog.amount_edit, "99,999")
    assert dialog.beyond.isVisible()
    said = dialog.beyond.text()
    assert "more than it asked for (£850.00)" in said and "the fund's maximum award (£1,500.00)" in said
    assert "more than is left of the round's budget (£7,950.00)" in said and "written reason" in said

    dialog.amount_edit.clear()
    qtbot.keyClicks(dialog.amount_edit, "900")
    before = audit_count(sample_db)
    with qtbot.waitSignal(window.actions.failed, timeout=TIMEOUT):
        click(qtbot, dialog.award_button)  # no reason: the service refuses, and the dialog says why
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == ("Awarding £900.00 to RHYL-2026-0005 is more than it asked for (£850.00). "
                                   "That needs a written reason, which is kept with the decision.")
    assert audit_count(sample_db) == before and dialog.award_button.isEnabled()
    assert applications.get_application(sample_db, detail.row.id).award_pence is None

    qtbot.keyClicks(dialog.reason_edit, "The hall hire went up by £50 after they applied.")
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        click(qtbot, dialog.award_button)
    qtbot.waitUntil(lambda: window.actions.award_dialog is None, timeout=TIMEOUT)
    shown = window.current_detail
    assert shown.row.status == "awarded" and shown.award_pence == 90_000
    assert shown.history[-1].reason == "The hall hire went up by £50 after they applied."
