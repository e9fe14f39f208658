"""Letter templates edited in the app: the services that read, save (refusing an unknown merge field)
and reset a fund's templates, and the editor driven through its widgets — problems named as you type,
Save disabled until they are fixed, a live preview of the merged letter, Welsh texts, reset."""

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.letters import TemplateError
from grantdesk.services import letters
from grantdesk.services.letter_templates import preview_letter, reset_template, save_template, template_for
from grantdesk.store.models import AuditEntry, Fund
from ui.template_editor import TemplateEditor

TIMEOUT = 60_000
DAY = date(2026, 8, 3)


def settings(db, code):
    with db.session() as s:
        return s.scalar(select(Fund).where(Fund.code == code)).settings


def template_audit(db):
    with db.session() as s:
        return [(a.actor, a.summary, a.before, a.after) for a in
                s.scalars(select(AuditEntry).where(AuditEntry.action == "letters.template").order_by(AuditEntry.id))]


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


# --- services ---------------------------------------------------------------------------------------


def test_save_template_refuses_an_unknown_field_and_saves_nothing(sample_db):
    before = settings(sample_db, "PHP")
    default = template_for(sample_db, "PHP", "award", "en")
    wrong = default.__class__(**{**default.__dict__, "paragraphs": default.paragraphs + ("Thanks, {organisaton}.",)})
    with pytest.raises(TemplateError, match=r"paragraph 8: “\{organisaton\}” is not a merge field"):
        save_template(sample_db, "PHP", wrong, actor="Rachel Bateman")
    assert settings(sample_db, "PHP") == before and template_for(sample_db, "PHP", "award", "en") == default
    assert template_audit(sample_db) == []


def test_save_then_reset_are_audited_and_letters_use_the_saved_texts(sample_db):
    default = template_for(sample_db, "PHP", "award", "en")
    mine = default.__class__(**{**default.__dict__, "subject": "Good news for {organisation} ({reference})"})
    save_template(sample_db, "PHP", mine, actor="Rachel Bateman")
    assert template_for(sample_db, "PHP", "award", "en") == mine
    assert template_for(sample_db, "PHP", "award", "cy") == letters.fund_templates(Fund(settings={}))[("award", "cy")]
    [letter, *_] = letters.build_letters(sample_db, "PHP", "award", day=DAY).letters
    assert letter.texts[0].subject == f"Good news for {letter.organisation} ({letter.reference})"
    assert reset_template(sample_db, "PHP", "award", "en", actor="Rachel Bateman") is True
    assert template_for(sample_db, "PHP", "award", "en") == default
    assert "templates" not in (settings(sample_db, "PHP").get("letters") or {})
    assert reset_template(sample_db, "PHP", "award", "en") is False  # nothing of its own: nothing recorded
    saved, reset = template_audit(sample_db)
    assert saved[0] == "Rachel Bateman" and "award letter (en) template saved" in saved[1]
    assert saved[2]["texts"] is None and saved[3]["texts"]["subject"] == mine.subject
    assert reset[2]["texts"]["subject"] == mine.subject and reset[3]["texts"] is None


def test_a_preview_merges_an_unsaved_template_for_the_first_application_in_the_kinds_state(sample_db):
    default = template_for(sample_db, "PHP", "decline", "en")
    draft = default.__class__(**{**default.__dict__, "subject": "Sorry, {organisation}"})
    letter = preview_letter(sample_db, "PHP", draft, day=DAY)
    assert letter.kind == "decline" and letter.texts[0].subject == f"Sorry, {letter.organisation}"
    assert template_for(sample_db, "PHP", "decline", "en") == default  # not saved
    with pytest.raises(ValidationError, match="no application to preview with"):
        preview_letter(sample_db, "RHYL", template_for(sample_db, "RHYL", "deferral", "en"), day=DAY)


# --- the editor --------------------------------------------------------------------------------------


def open_editor(qtbot, db, runner, code):
    editor = TemplateEditor(db, runner, code)
    qtbot.addWidget(editor)
    editor.show()
    with qtbot.waitSignals([editor.loaded, editor.preview_ready], timeout=TIMEOUT):
        editor.start()
    editor.preview_delay_ms = 0
    return editor


def problems(editor):
    return [editor.problems_list.item(i).text() for i in range(editor.problems_list.count())]


def test_typing_names_problems_live_saves_when_fixed_and_previews_the_change(qtbot, sample_db, runner):
    editor = open_editor(qtbot, sample_db, runner, "PHP")
    default = template_for(sample_db, "PHP", "award", "en")
    assert editor.subject_edit.text() == default.subject and editor.current_template() == default
    assert editor.document.pageCount() >= 1 and editor.save_button.isEnabled()
    assert editor.save_button.shortcut().toString() == "Ctrl+S"
    assert all(w.accessibleName() for w in (*editor.editors, editor.fields_list, editor.problems_list, editor.view))

    # an unknown field in a new paragraph: named in the problems panel, Save disabled
    paragraphs = editor.paragraphs_edit
    paragraphs.setFocus()
    qtbot.keyClick(paragraphs, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(paragraphs, Qt.Key.Key_Return)
    qtbot.keyClick(paragraphs, Qt.Key.Key_Return)
    qtbot.keyClicks(paragraphs, "With thanks to {organisaton}")
    assert any("paragraph 8" in p and "{organisaton}" in p for p in problems(editor))
    assert not editor.save_button.isEnabled()
    # fixed: no problems, Save enabled
    for _ in range(3):
        qtbot.keyClick(paragraphs, Qt.Key.Key_Backspace)
    qtbot.keyClicks(paragraphs, "ion}")
    assert not editor.problems and editor.save_button.isEnabled()
    # a field from the list goes in at the cursor (Enter on the list)
    qtbot.keyClicks(paragraphs, ", ")
    editor.fields_list.setFocus()
    editor.fields_list.setCurrentRow(next(i for i in range(editor.fields_list.count())
                                          if editor.fields_list.item(i).data(Qt.ItemDataRole.UserRole) == "fund"))
    qtbot.keyClick(editor.fields_list, Qt.Key.Key_Return)
    assert paragraphs.toPlainText().endswith("With thanks to {organisation}, {fund}")

    # a new subject, typed: the preview shows it
    subject = editor.subject_edit
    subject.setFocus()
    with qtbot.waitSignal(editor.preview_ready, timeout=TIMEOUT,
                          check_params_cb=lambda pages: "Blodyn news for" in pdf_text(editor.preview_path)):
        qtbot.keyClick(subject, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(subject, "Blodyn news for {organisation} ({reference})")
    assert editor.document.pageCount() >= 1
    assert "With thanks to" in pdf_text(editor.preview_path)
    assert template_for(sample_db, "PHP", "award", "en") == default  # previewed, not saved

    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT):
        qtbot.keyClick(subject, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = template_for(sample_db, "PHP", "award", "en")
    assert saved.subject == "Blodyn news for {organisation} ({reference})"
    assert saved.paragraphs[-1] == "With thanks to {organisation}, {fund}"
    [letter, *_] = letters.build_letters(sample_db, "PHP", "award", day=DAY).letters
    assert letter.texts[0].subject == f"Blodyn news for {letter.organisation} ({letter.reference})"
    assert [a[0] for a in template_audit(sample_db)] == ["Test Officer"]


def test_a_welsh_template_loads_its_welsh_texts(qtbot, sample_db, runner):
    editor = open_editor(qtbot, sample_db, runner, "RHYL")
    assert editor.language == "en"
    editor.language_combo.setFocus()
    with qtbot.waitSignals([editor.loaded, editor.preview_ready], timeout=TIMEOUT):
        qtbot.keyClick(editor.language_combo, Qt.Key.Key_Down)
    assert editor.language == "cy"
    welsh = template_for(sample_db, "RHYL", "award", "cy")
    assert editor.current_template() == welsh
    assert editor.subject_edit.text().startswith("Eich grant gan") and editor.closing_edit.text() == "Yn gywir"
    assert "at y diben hwnnw yn unig" in editor.paragraphs_edit.toPlainText()
    assert "at y diben hwnnw yn unig" in pdf_text(editor.preview_path)


def test_reset_asks_then_puts_the_default_back(qtbot, sample_db, runner):
    editor = open_editor(qtbot, sample_db, runner, "PHP")
    default = template_for(sample_db, "PHP", "award", "en")
    closing = editor.closing_edit
    closing.setFocus()
    qtbot.keyClick(closing, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(closing, "With best wishes")
    with qtbot.waitSignal(editor.saved, timeout=TIMEOUT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert template_for(sample_db, "PHP", "award", "en").closing == "With best wishes"

    with qtbot.waitSignal(editor.reset_button.clicked, timeout=TIMEOUT):  # a button's shortcut clicks it next
        qtbot.keyClick(closing, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    box = editor.confirmation
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert template_for(sample_db, "PHP", "award", "en").closing == "With best wishes"  # Cancel keeps it

    qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(editor.confirmation.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert template_for(sample_db, "PHP", "award", "en") == default
    assert editor.closing_edit.text() == default.closing and editor.current_template() == default
    assert [a[1].endswith("reset to the default") for a in template_audit(sample_db)] == [False, True]


def test_closing_the_editor_while_a_preview_renders_is_quiet(qtbot, sample_path):
    """The preview's folder goes with the editor; a render still running has nowhere to write, and
    that is not an error anyone needs to see."""
    from ui.tasks import TaskRunner
    from ui.template_editor import TemplateEditor

    from grantdesk.config import database_location
    from grantdesk.store.database import open_database

    db = open_database(database_location(sample_path))
    runner = TaskRunner()
    try:
        editor = TemplateEditor(db, runner, "PHP")
        qtbot.addWidget(editor)
        editor.preview_delay_ms = 0
        editor.show()
        with qtbot.waitSignal(editor.loaded, timeout=20_000):
            editor.start()
        editor.render_preview()
        editor.close()  # while the render may still be running
        qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
        assert not editor._rendering
    finally:
        runner.shutdown()
        db.close()
