"""The decision screen for a member-decided application, driven through its widgets on the Staffordshire
sample: a member's recommendation with a declared interest, the officer's approval that awards the
application, a recommendation beyond the member's pot, and a disclosable pecuniary interest with and
without a dispensation."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from grantdesk.domain.interests import Declaration
from grantdesk.domain.money import format_money
from grantdesk.services import allocations
from grantdesk.services.applications import list_application_rows
from ui.member_decision import DecisionsModel, MemberDecisionDialog

TIMEOUT = 20_000
TODAY = date(2026, 9, 15)  # inside PHP's 2026–27 year, after this year's applications were submitted
YEAR = 2026


def open_dialog(qtbot, db, runner, application_id):
    dialog = MemberDecisionDialog(db, runner, application_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.start()
    return dialog


def open_applications(db, statuses=("submitted", "shortlisted")):
    """PHP's applications open for decisions with no member decision yet, with their contexts."""
    out = []
    for row in list_application_rows(db, "PHP"):
        if row.status in statuses:
            context = allocations.decision_context(db, row.id, today=TODAY)
            if not context.decisions:
                out.append(context)
    assert out, "the sample has undecided applications"
    return out


def positions(db):
    return {p.member_id: p for p in allocations.member_positions(db, "PHP", YEAR)}


def type_into(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)


def record(qtbot, dialog):
    """Press Record and wait for the answer: a change, or the refusal shown."""
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=TIMEOUT)


def test_a_member_recommends_and_the_officer_approval_awards_the_application(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db)
                   if c.area_member_ids and c.members[0].remaining_pence >= c.amount_requested_pence)
    member = context.members[0]  # the member for the application's own division comes first
    assert member.member_id in context.area_member_ids
    before = positions(sample_db)[member.member_id]
    amount = context.amount_requested_pence - 5_000  # part of the request
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    assert context.reference in dialog.facts.text() and context.organisation in dialog.facts.text()
    assert dialog.member_combo.currentData() == member.member_id
    assert "left" in dialog.member_combo.currentText()
    assert dialog.amount_edit.text() == format_money(context.amount_requested_pence)  # min(needed, pot)
    dialog.choose_member(member.member_id)
    dialog.choose_interest("other_registrable")
    assert dialog.nature_edit.isEnabled() and not dialog.dispensation_edit.isVisible()
    qtbot.keyClicks(dialog.nature_edit, "My daughter helps at the group")
    type_into(qtbot, dialog.amount_edit, f"{amount // 100}")
    qtbot.keyClicks(dialog.reasons_edit, "A well-run group that reaches people nobody else does.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)

    after = allocations.decision_context(sample_db, context.application_id, today=TODAY)
    [view] = after.decisions
    assert (view.member_id, view.decision, view.amount_pence, view.decided_on) == \
        (member.member_id, "recommended", amount, TODAY)
    assert view.interest == Declaration("other_registrable", "My daughter helps at the group")
    assert dialog.decisions_model.index(0, DecisionsModel.INTEREST).data() == \
        "Other registrable interest: My daughter helps at the group"
    assert view.reasons == "A well-run group that reaches people nobody else does."
    assert after.pending_pence == amount and view.officer_outcome is None
    mid = positions(sample_db)[member.member_id]
    assert mid.committed_pence == before.committed_pence + amount
    assert mid.remaining_pence == before.remaining_pence - amount
    assert dialog.decisions_model.rowCount() == 1 and dialog.reasons_edit.toPlainText() == ""
    assert "Recorded" in dialog.message_label.text()

    # The officer's approval, a separate dated event on the same screen.
    dialog.decisions_view.selectRow(0)
    assert dialog.approve_button.isEnabled() and dialog.return_button.isEnabled()
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)  # asks first: approving awards money
    assert "awarded" in dialog.approve_box.text() and format_money(amount) in dialog.approve_box.text()
    qtbot.mouseClick(dialog.approve_box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions[0] \
        .officer_outcome is None  # Cancel approves nothing
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.approve_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    done = allocations.decision_context(sample_db, context.application_id, today=TODAY)
    assert done.decisions[0].officer_outcome == "approved" and done.decisions[0].officer_on == TODAY
    assert done.status == "awarded" and done.awarded_pence == amount  # the only recommendation
    final = positions(sample_db)[member.member_id]
    assert (final.approved_pence, final.committed_pence) == (before.approved_pence + amount, before.committed_pence)
    assert not dialog.approve_button.isEnabled() and not dialog.form.isEnabled()
    assert "awarded" in dialog.message_label.text()


def test_a_recommendation_beyond_the_members_pot_is_refused_with_what_is_left(qtbot, sample_db, runner):
    pairs = [(c, p) for c in open_applications(sample_db, ("submitted", "eligible", "shortlisted")) for p in c.members
             if 0 < p.remaining_pence < c.amount_requested_pence]
    context, member = pairs[0]
    before = positions(sample_db)[member.member_id]
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(member.member_id)
    assert dialog.amount_edit.text() == format_money(member.remaining_pence)  # the most they can give
    type_into(qtbot, dialog.amount_edit, format_money(context.amount_requested_pence))
    qtbot.keyClicks(dialog.reasons_edit, "I would like to fund all of it.")
    record(qtbot, dialog)
    assert dialog.error_label.isVisible()
    assert f"{format_money(member.remaining_pence)} left" in dialog.error_label.text()
    # the form is kept as typed, and nothing was recorded
    assert dialog.reasons_edit.toPlainText() == "I would like to fund all of it."
    assert dialog.amount_edit.text() == format_money(context.amount_requested_pence)
    assert allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions == ()
    assert positions(sample_db)[member.member_id] == before


def test_a_disclosable_pecuniary_interest_needs_a_recorded_dispensation(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db) if c.members[0].remaining_pence >= 10_000)
    member = context.members[0]
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(member.member_id)
    dialog.choose_interest("dpi")
    assert dialog.dispensation_edit.isVisible() and dialog.dpi_note.isVisible()
    qtbot.keyClicks(dialog.nature_edit, "I am a paid trustee of the applicant")
    type_into(qtbot, dialog.amount_edit, "100")
    qtbot.keyClicks(dialog.reasons_edit, "Supporting it.")
    record(qtbot, dialog)
    assert dialog.error_label.isVisible() and "no dispensation" in dialog.error_label.text()
    assert allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions == ()
    assert dialog.interest_combo.currentData() == "dpi"  # kept

    qtbot.keyClicks(dialog.dispensation_edit, "DISP-2026-07")
    qtbot.keyClicks(dialog.dispensation_date_edit, "01/09/2026")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)
    [view] = allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions
    assert view.amount_pence == 10_000 and view.member_id == member.member_id
    assert view.interest == Declaration("dpi", "I am a paid trustee of the applicant", "DISP-2026-07",
                                        date(2026, 9, 1))
    dialog.decisions_view.selectRow(0)
    assert "Disclosable pecuniary interest" in dialog.decision_detail.text()
    assert "DISP-2026-07, granted 1 Sept 2026" in dialog.decision_detail.text()


def test_a_refusal_needs_reasons_and_the_officer_can_return_a_recommendation(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db) if len(c.members) > 1)
    first, second = context.members[0], context.members[1]
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(second.member_id)
    dialog.refuse_radio.setChecked(True)
    assert not dialog.amount_edit.isEnabled()
    record(qtbot, dialog)
    assert "reasons" in dialog.error_label.text()
    qtbot.keyClicks(dialog.reasons_edit, "Not in my division and my pot is promised elsewhere.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)
    dialog.choose_member(first.member_id)
    type_into(qtbot, dialog.amount_edit, "50")
    qtbot.keyClicks(dialog.reasons_edit, "A small contribution.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)
    views = allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions
    assert [v.decision for v in views] == ["refused", "recommended"]
    dialog.decisions_view.selectRow(0)  # a refusal cannot be approved
    assert not dialog.approve_button.isEnabled()
    dialog.decisions_view.selectRow(1)
    reason = dialog.return_selected()
    qtbot.keyClicks(reason.reason_edit, "Please say what the £50 pays for.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        reason.accept()
    views = allocations.decision_context(sample_db, context.application_id, today=TODAY).decisions
    assert (views[1].officer_outcome, views[1].officer_reason) == ("returned", "Please say what the £50 pays for.")
    assert positions(sample_db)[first.member_id].committed_pence == first.committed_pence  # back in the pot


def test_match_funding_and_repeat_bids_are_flagged_on_the_screen(qtbot, db, runner):
    from test_allocations import build, last_years_award

    (ash, _, _), (_, small, third) = build(db, org_type="parish_council")
    last = last_years_award(db, ash, small)
    reference = allocations.decision_context(db, last, today=TODAY).reference
    dialog = open_dialog(qtbot, db, runner, third)
    texts = dialog.flag_texts()
    assert len(texts) == 2 and dialog.flags_box.isVisible()
    assert any("Repeat bid" in t and "last year" in t and reference in t and "£800.00" in t for t in texts)
    assert any("Match funding" in t and "50%" in t and "parish or town council" in t for t in texts)
    assert all(t.count("Repeat bid") <= 1 and t.count("Match funding") <= 1 for t in texts)  # named once
    assert {label.objectName() for label in dialog.flag_labels} == {"flag_repeat", "flag_match_funding"}
    # the own-division members come first in the chooser, each with what they have left
    assert dialog.member_combo.itemData(0) == ash and "£2,500.00 left" in dialog.member_combo.itemText(0)


def test_an_approval_whose_award_cannot_be_made_is_refused_on_the_screen_and_keeps_nothing(
        qtbot, sample_db, runner, monkeypatch):
    from grantdesk.domain.errors import GrantDeskError

    context = next(c for c in open_applications(sample_db)
                   if c.area_member_ids and c.members[0].remaining_pence >= c.amount_requested_pence)
    member = context.members[0]
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(member.member_id)
    qtbot.keyClicks(dialog.reasons_edit, "All of it.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)

    def broken(*_args, **_kwargs):
        raise GrantDeskError("The award could not be written.")

    monkeypatch.setattr(allocations, "add_award", broken)  # the approval's second step
    dialog.decisions_view.selectRow(0)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.approve_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible() and not dialog._busy, timeout=TIMEOUT)
    assert "award could not be written" in dialog.error_label.text()
    after = allocations.decision_context(sample_db, context.application_id, today=TODAY)
    assert after.decisions[0].officer_outcome is None and after.status == context.status  # nothing kept
    assert after.awarded_pence is None and positions(sample_db)[member.member_id].approved_pence == \
        member.approved_pence
    assert dialog.approve_button.isEnabled()  # still waiting: the officer can try again
