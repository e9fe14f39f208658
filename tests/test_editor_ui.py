"""Typing applications in, correcting them and moving them through the workflow, as an officer would."""

import pytest
from helpers import opened_window
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QComboBox, QMessageBox
from shiboken6 import isValid

from grantdesk.services import applications
from ui.models import ROW_ROLE

TIMEOUT = 10_000


@pytest.fixture
def window(qtbot, sample_path):
    return opened_window(qtbot, sample_path, "PHP")


@pytest.fixture(autouse=True)
def unsaved_work_is_discarded_at_teardown(monkeypatch):
    """Tests that leave an editor with unsaved changes must not meet a real question box when the
    window closes; tests about that question set their own answers on the editor."""
    from ui.editor import ApplicationEditor

    monkeypatch.setattr(ApplicationEditor, "ask_unsaved", lambda self: "discard")


def closed(widget) -> bool:
    return not isValid(widget) or not widget.isVisible()  # closing deletes the editor


def open_new_editor(qtbot, window):
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as opened:
        qtbot.keySequence(window, "Ctrl+N")
    editor = opened.args[0]
    return editor


def type_into(qtbot, editor, name, text):
    widget = editor.widgets[name]
    widget.setFocus()
    if isinstance(widget, QComboBox):
        qtbot.keyClicks(widget, text)  # keyboard search picks the item, as a person would
    else:
        widget.clear() if hasattr(widget, "clear") and not widget.text() == "" else None
        qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)


def fill_application(qtbot, editor, **overrides):
    rnd = editor.context.rounds[0]  # the current round: received while it was open
    received = (rnd.opens_on + (rnd.closes_on - rnd.opens_on) / 2).strftime("%d/%m/%Y")
    values = {
        "organisation": "Kinver Knit and Natter", "organisation_type": "Constituted", "contact_name": "Mair Jones",
        "contact_email": "mair@example.org", "contact_language": "Cymraeg", "title": "Wool and needles for beginners",
        "amount_requested": "£1,250.50", "area": "Kinver", "project_start": "01/09/2026",
        "project_end": "31/03/2027", "submitted_on": received,
    }
    values.update(overrides)
    for name, text in values.items():
        type_into(qtbot, editor, name, text)


def save(qtbot, window, editor):
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        qtbot.keySequence(editor, "Ctrl+S")


def move(qtbot, window, status):
    """A workflow move from the Application menu; a move that needs no reason asks first, and is confirmed."""
    action = window.actions.move_actions[status]
    assert action.isEnabled(), f"{action.text()} is not offered"
    asked = []
    window.actions.dialog_opened.connect(asked.append)
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT, raising=False) as blocker:
        action.trigger()
        [box] = asked
        assert box.objectName() == "moveConfirm" and f"to {status.label}." in box.text()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    window.actions.dialog_opened.disconnect(asked.append)
    assert blocker.signal_triggered, f"no refresh; notice: {window.notice.text()!r}"
    qtbot.waitUntil(lambda: window.current_detail.row.status == status, timeout=TIMEOUT)


def assess_and_confirm(qtbot, window):
    """Application ▸ Assess Eligibility shows the rules' result and asks; the officer confirms it."""
    with qtbot.waitSignal(window.actions.dialog_opened, timeout=TIMEOUT) as opened:
        window.actions.assess_action.trigger()
    dialog = opened.args[0]
    assert dialog.objectName() == "assessmentDialog" and dialog.isVisible()
    shown = dialog.question.text(), dialog.reason()
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    return shown


def test_an_officer_types_an_application_in_saves_it_and_moves_it_to_an_award(qtbot, window, sample_db):
    from grantdesk.domain.workflow import Status

    before = window.app_model.total_count
    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor)
    assert editor.isWindowModified()
    save(qtbot, window, editor)
    assert not editor.isWindowModified() and editor.reference.startswith("PHP-")
    assert window.app_model.total_count == before + 1
    detail = window.current_detail
    assert detail.row.title == "Wool and needles for beginners" and detail.row.status == "draft"
    assert detail.row.amount_requested_pence == 125050 and detail.row.contact_language == "cy"
    assert "Wool and needles for beginners" in window.detail.toPlainText()

    move(qtbot, window, Status.SUBMITTED)
    assess_and_confirm(qtbot, window)
    assert window.current_detail.row.status == "eligible", window.current_detail.history[-1].reason
    move(qtbot, window, Status.SHORTLISTED)
    row = window.app_model.row_at(window.table.currentIndex().row())
    assert row.status == "shortlisted"  # the list row updated in place
    # PHP is decided by its councillors: Award leads to the member decision, where the award is made
    award = window.actions.move_actions[Status.AWARDED]
    assert award.isEnabled() and award.text() == "&Award through Member Decision…"
    award.trigger()
    qtbot.waitUntil(lambda: getattr(window, "member_decision_dialog", None) is not None
                    and isValid(window.member_decision_dialog) and window.member_decision_dialog.isVisible(),
                    timeout=TIMEOUT)
    decision = window.member_decision_dialog
    assert decision.application_id == row.id
    assert "awarded through the members' decisions" in window.notice.text()
    qtbot.waitUntil(lambda: decision.context is not None, timeout=TIMEOUT)
    decision.close()
    assert window.current_detail.award_pence is None
    history = [h.to_status for h in applications.get_application(sample_db, row.id).history]
    assert history == ["draft", "submitted", "eligible", "shortlisted"]


def test_an_ineligible_application_is_explained_rule_by_rule(qtbot, window):
    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, organisation="Mrs Ada Lovell", organisation_type="Individual",
                     title="A new mobility scooter")
    save(qtbot, window, editor)
    from grantdesk.domain.workflow import Status

    move(qtbot, window, Status.SUBMITTED)
    question, reason = assess_and_confirm(qtbot, window)
    assert "as ineligible?" in question and "individuals" in reason  # shown, and confirmed, before the change
    qtbot.waitUntil(lambda: window.current_detail.row.status == "ineligible", timeout=TIMEOUT)
    text = window.detail.toPlainText()
    assert "Does not meet the fund's rules" in text
    assert "does not give grants to individuals or for private gain" in text
    assert "Override…" in text  # an ineligible decision can still be overridden
    assert "individuals" in window.current_detail.history[-1].reason


def test_a_failed_rule_can_be_overridden_with_a_written_reason(qtbot, window):
    from grantdesk.domain.workflow import Status

    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, organisation="Kinver Sole Trader", organisation_type="Individual")
    save(qtbot, window, editor)
    move(qtbot, window, Status.SUBMITTED)
    asked = []
    window.actions.ask_reason = lambda title, prompt, prefill="": asked.append(prompt) or "Runs a community stall"
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        window.detail.anchorClicked.emit(QUrl("override:organisation_type"))
    qtbot.waitUntil(lambda: window.current_detail.eligibility.eligible, timeout=TIMEOUT)
    assert "individuals" in asked[0]
    assert "Overridden: Runs a community stall" in window.detail.toPlainText()


def test_problems_show_next_to_their_field_and_nothing_is_saved(qtbot, window):
    editor = open_new_editor(qtbot, window)
    type_into(qtbot, editor, "amount_requested", "12.345")
    assert editor.errors["amount_requested"].isVisible()
    assert "two decimal places" in editor.errors["amount_requested"].text()
    assert editor.widgets["amount_requested"].accessibleDescription() == editor.errors["amount_requested"].text()
    qtbot.keySequence(editor, "Ctrl+S")
    assert editor.errors["title"].isVisible() and "title" in editor.errors["title"].text().lower()
    assert editor.errors["organisation"].isVisible()
    assert editor.banner.isVisible() and editor.application_id is None


def test_undo_and_redo_step_through_edits_across_fields(qtbot, window):
    editor = open_new_editor(qtbot, window)
    type_into(qtbot, editor, "title", "Choir")
    type_into(qtbot, editor, "amount_requested", "500")
    editor.widgets["title"].setFocus()
    qtbot.keySequence(editor, "Ctrl+Z")
    assert editor.value("amount_requested") == "" and editor.value("title") == "Choir"
    qtbot.keySequence(editor, "Ctrl+Z")
    assert editor.value("title") == ""
    qtbot.keySequence(editor, "Ctrl+Shift+Z")
    assert editor.value("title") == "Choir"
    assert not editor.undo_stack.isClean()


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_work(qtbot, window):
    editor = open_new_editor(qtbot, window)
    type_into(qtbot, editor, "title", "Unsaved idea")
    answers = iter(["cancel", "discard"])
    editor.ask_unsaved = lambda: next(answers)
    editor.close()
    assert editor.isVisible() and editor.value("title") == "Unsaved idea"
    editor.close()
    qtbot.waitUntil(lambda: closed(editor), timeout=TIMEOUT)


def test_choosing_save_when_closing_saves_then_closes(qtbot, window):
    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, title="Saved on the way out")
    editor.ask_unsaved = lambda: "save"
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        editor.close()
    qtbot.waitUntil(lambda: closed(editor), timeout=TIMEOUT)
    assert window.current_detail.row.title == "Saved on the way out"


def test_an_organisation_is_found_as_you_type_and_fills_its_details(qtbot, window):
    editor = open_new_editor(qtbot, window)
    org = editor.widgets["organisation"]
    org.setFocus()
    qtbot.keyClicks(org, "Burton Grow")
    qtbot.waitUntil(lambda: editor._completer_model.rowCount() > 0, timeout=TIMEOUT)
    choice = editor._completer_model.stringList()[0]
    editor.organisation_completer.activated.emit(choice)
    assert editor.value("organisation").startswith("Burton Grow Together")
    assert editor.value("organisation_type") == "community_group"
    assert editor.value("contact_name")  # the organisation's contact came with it


def test_editing_an_existing_application_updates_its_row_without_a_reload(qtbot, window):
    target = next(r for r in (window.app_model.row_at(i) for i in range(window.app_model.rowCount()))
                  if r.status == "draft")
    window.table.selectRow(window.app_model.row_for_id(target.id))
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.id == target.id,
                    timeout=TIMEOUT)
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as opened:
        qtbot.keyClick(window.table, Qt.Key.Key_Return)
    editor = opened.args[0]
    assert editor.value("title") == target.title
    title = editor.widgets["title"]
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "A better title")
    save(qtbot, window, editor)
    row = window.app_model.index(window.app_model.row_for_id(target.id), 0).data(ROW_ROLE)
    assert row.title == "A better title"


def test_quitting_with_an_unsaved_editor_asks_first(qtbot, window):
    editor = open_new_editor(qtbot, window)
    type_into(qtbot, editor, "title", "Half-typed")
    editor.ask_unsaved = lambda: "cancel"
    window.close()
    assert window.isVisible() and editor.isVisible()
    editor.ask_unsaved = lambda: "discard"
    window.close()
    assert not window.isVisible()


def test_documents_attached_before_the_first_save_are_stored_with_it_and_open_in_the_system_viewer(
        qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, title="Bunting for the gala")
    constitution = tmp_path / "Our constitution.pdf"
    constitution.write_bytes(b"%PDF-1.4\n% Kinver Knit and Natter constitution\n")
    editor.attach(constitution, "constitution")
    assert editor.documents.count() == 1 and "attached when you save" in editor.documents.item(0).text()
    save(qtbot, window, editor)
    qtbot.waitUntil(lambda: editor.documents.count() == 1
                    and "attached when you save" not in editor.documents.item(0).text(), timeout=TIMEOUT)
    assert "Constitution or governing document — Our constitution.pdf" in editor.documents.item(0).text()
    assert "Our constitution.pdf" in window.detail.toPlainText()

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    editor.documents.setCurrentRow(0)
    editor.open_document()
    qtbot.waitUntil(lambda: bool(opened), timeout=TIMEOUT)
    from pathlib import Path

    assert Path(opened[0]).read_bytes() == constitution.read_bytes()  # the copy kept in the database


def test_a_refused_document_saves_nothing_and_the_next_save_makes_one_application_not_two(qtbot, window, tmp_path):
    """Saving a new application whose pending document is refused used to keep the application and leave
    the editor "new", so the next Save made a second one (73 → 74 → 75 rows)."""
    from grantdesk.services.applications import list_applications

    before = len(list_applications(window.db, "PHP"))
    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, title="Bunting for the gala")
    empty = tmp_path / "bank statement.pdf"
    empty.write_bytes(b"")
    editor.attach(empty, "bank_statement")
    with qtbot.waitSignal(window.runner.idle, timeout=TIMEOUT):
        qtbot.keySequence(editor, "Ctrl+S")
    assert "bank statement.pdf is empty" in editor.banner.text() and editor.banner.isVisible()
    assert editor.application_id is None and editor.status_label.text() == "Not saved."
    assert len(list_applications(window.db, "PHP")) == before  # nothing was kept

    empty.write_bytes(b"%PDF-1.4\n% statement\n")  # the officer fixes the file and saves again
    save(qtbot, window, editor)
    assert editor.reference.startswith("PHP-")
    titles = [a.title for a in list_applications(window.db, "PHP")]
    assert len(titles) == before + 1 and titles.count("Bunting for the gala") == 1


def test_the_fund_tree_counts_a_new_application(qtbot, window):
    from ui.main_window import FUND_ROLE

    def round_label():
        fund = next(window.fund_model.item(r) for r in range(window.fund_model.rowCount())
                    if window.fund_model.item(r).data(FUND_ROLE) == ("PHP", None))
        return fund.child(0).text()

    before = round_label()
    editor = open_new_editor(qtbot, window)
    fill_application(qtbot, editor, title="Counted")
    save(qtbot, window, editor)
    qtbot.waitUntil(lambda: round_label() != before, timeout=TIMEOUT)
    count = int(before.rsplit("(", 1)[1].rstrip(")"))
    assert round_label().endswith(f"({count + 1})")
