"""Two officers saving the same application (issue 21.2): the second is told who changed it and when,
keeps what they typed, and can save it by pressing Save again."""

from __future__ import annotations

from dataclasses import replace

from helpers import opened_window
from PySide6.QtCore import Qt
from test_editor_ui import TIMEOUT, save, unsaved_work_is_discarded_at_teardown  # noqa: F401

from grantdesk.config import database_location
from grantdesk.services.editing import editable_application, save_application
from grantdesk.store.database import open_database


def test_the_second_officer_is_told_who_saved_first_and_keeps_their_typing_to_save_again(qtbot, sample_path):
    window = opened_window(qtbot, sample_path, "PHP")
    target = next(r for r in (window.app_model.row_at(i) for i in range(window.app_model.rowCount()))
                  if r.status == "draft")
    window.table.selectRow(window.app_model.row_for_id(target.id))
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.id == target.id,
                    timeout=TIMEOUT)
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as opened:
        qtbot.keyClick(window.table, Qt.Key.Key_Return)
    editor = opened.args[0]

    # Meanwhile, on another machine, Officer Khan saves a change to the same application.
    with open_database(database_location(sample_path)) as other:
        theirs = editable_application(other, target.id)
        save_application(other, "PHP", replace(theirs.draft, summary="Changed by the other officer."),
                         application_id=target.id, expected_version=theirs.version, actor="Officer Khan")

    title = editor.widgets["title"]
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "My better title")
    qtbot.keySequence(editor, "Ctrl+S")
    qtbot.waitUntil(lambda: editor.banner.isVisible() and not editor._saving, timeout=TIMEOUT)
    words = editor.banner.text()
    assert f"{target.reference} was changed by Officer Khan on " in words
    assert "What you typed is still here" in words and "press Save again" in words
    assert editor.value("title") == "My better title"  # kept, not reloaded over
    assert editor.status_label.text() == "Not saved."

    # The retry goes over the version there now.
    qtbot.waitUntil(lambda: editor.version == theirs.version + 1, timeout=TIMEOUT)
    save(qtbot, window, editor)
    with open_database(database_location(sample_path)) as db:
        now = editable_application(db, target.id)
    assert now.draft.title == "My better title" and now.version == theirs.version + 2
