"""Outcome notes and the learning library, driven through their widgets: record a note in the grantee's
words (themes ticked and added, a figure, a photo) with Ctrl+S, find it in the library by its theme with
what was learned side by side, and narrow the library by text and by what did not go to plan."""

from datetime import date

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QDate, Qt

from grantdesk.services import outcomes
from grantdesk.services.applications import award_application
from grantdesk.services.outcomes import LibraryFilter, NoteDraft
from ui.learning_library import LearningLibrary
from ui.outcome_note import OutcomeNoteDialog

TIMEOUT = 30_000
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def award_ids(db):
    vote = build_vote_fund(db, costs_pence=(100_000, 200_000, 150_000), budget_pence=500_000)
    for app_id in vote.application_ids:
        award_application(db, app_id, 100_000, awarded_on=date(2026, 7, 1))
    return [award_id for award_id, *_rest in outcomes.awards_for_notes(db, "VOT")]


def open_dialog(qtbot, db, runner, award_id):
    dialog = OutcomeNoteDialog(db, runner, award_id, "VOT")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.start()
    return dialog


def open_library(qtbot, db, runner):
    library = LearningLibrary(db, runner)
    qtbot.addWidget(library)
    library.resize(1280, 800)
    library.show()
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        library.start()
    return library


def save(qtbot, dialog):
    qtbot.keyClick(dialog.what_happened_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_a_note_is_recorded_through_the_form_and_found_in_the_library_by_its_theme(qtbot, db, runner, award_ids,
                                                                                   tmp_path):
    first, second, _third = award_ids
    outcomes.record_note(db, second, NoteDraft(recorded_on=date(2026, 9, 1), what_happened="A lunch club",
                                               learned="Soup brings people back.", themes=("loneliness",)))
    dialog = open_dialog(qtbot, db, runner, first)
    assert "Testville Residents" in dialog.heading.text()
    assert [dialog.theme_list.item(r).text() for r in range(dialog.theme_list.count())] == ["loneliness"]
    assert dialog.save_button.shortcut().toString() == "Ctrl+S"
    assert all(e.tabChangesFocus() and e.accessibleName() for e in dialog.text_edits.values())
    assert dialog.figure_spins["people_involved"].text() == "not given"

    # Words are needed, not only figures: the service's sentence is shown and the dialog stays open.
    dialog.date_edit.setDate(QDate(2026, 10, 1))
    with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
        save(qtbot, dialog)
    assert "Say what happened" in dialog.error_label.text() and dialog.error_label.isVisible()
    assert dialog.isVisible() and len(outcomes.learning_library(db).notes) == 1

    qtbot.keyClicks(dialog.what_happened_edit, "Twelve cook-and-eat sessions at the hall.")
    qtbot.keyClicks(dialog.not_to_plan_edit, "The oven broke in week four.")
    qtbot.keyClicks(dialog.learned_edit, "Start with one-pot meals.")
    qtbot.keyClicks(dialog.stage_combo.lineEdit(), "3 months")
    qtbot.keyClicks(dialog.author_edit, "Ann Other, secretary")
    dialog.theme_list.item(0).setCheckState(Qt.CheckState.Checked)  # tick the fund's existing theme
    qtbot.keyClicks(dialog.new_themes_edit, "Healthy Food, cooking")
    qtbot.keyClick(dialog.new_themes_edit, Qt.Key.Key_Return)
    spin = dialog.figure_spins["people_involved"]
    spin.selectAll()
    qtbot.keyClicks(spin, "40")
    photo = tmp_path / "pantry.png"
    photo.write_bytes(PNG)
    dialog.add_photo(str(photo), "The first session")
    with qtbot.waitSignal(dialog.recorded, timeout=TIMEOUT) as saved:
        save(qtbot, dialog)
    note_id = saved.args[0]
    assert dialog.result() == dialog.DialogCode.Accepted

    [note] = outcomes.learning_library(db, LibraryFilter(themes=("healthy food",))).notes
    assert note.id == note_id and note.stage == "3 months" and note.author == "Ann Other, secretary"
    assert note.themes == ("cooking", "healthy food", "loneliness")
    assert note.figures == {"people_involved": 40, "volunteers": None, "volunteer_hours": None}
    assert note.texts["learned"] == "Start with one-pot meals." and note.recorded_on == date(2026, 10, 1)
    assert outcomes.note_photos(db, note_id)[0][:2] == ("pantry.png", "The first session")

    library = open_library(qtbot, db, runner)
    assert library.count_label.text() == "2 notes"
    combo = library.theme_combo
    assert combo.itemText(0) == "All themes" and "loneliness (2)" in [combo.itemText(i) for i in range(combo.count())]
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        combo.setCurrentIndex(combo.findData("healthy food"))
    assert library.listed_references() == [note.reference]
    words = library.view.toPlainText()
    assert "Start with one-pot meals." in words and "The oven broke in week four." in words
    assert "Ann Other, secretary" in words and "Soup brings people back." not in words


def test_the_library_narrows_by_text_and_by_what_did_not_go_to_plan(qtbot, db, runner, award_ids):
    first, second, third = award_ids
    outcomes.record_note(db, first, NoteDraft(recorded_on=date(2026, 10, 1), what_happened="Walks by the brook",
                                              learned="Go at the same time every week.", themes=("getting active",)))
    outcomes.record_note(db, second, NoteDraft(recorded_on=date(2026, 11, 1), what_happened="A lunch club",
                                               not_to_plan="Fewer came in winter.", themes=("loneliness",)))
    outcomes.record_note(db, third, NoteDraft(recorded_on=date(2026, 12, 1), what_changed="Teenagers run the café",
                                              not_to_plan="The grant arrived late.", themes=("young people",)))
    library = open_library(qtbot, db, runner)
    assert len(library.listed_references()) == 3
    assert library.theme_combo.accessibleName() and library.text_edit.accessibleName()

    library.debounce_ms = 0
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        qtbot.keyClicks(library.text_edit, "BROOK")
    assert [n.texts.get("what_happened") for n in library.library.notes] == ["Walks by the brook"]
    assert "Go at the same time every week." in library.view.toPlainText()
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        library.text_edit.clear()
    assert len(library.listed_references()) == 3

    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(library.not_to_plan_check, Qt.MouseButton.LeftButton)
    assert library.count_label.text() == "2 notes"
    plain = library.view.toPlainText()
    assert "What did not go to plan: Fewer came in winter." in plain and "brook" not in plain
    assert "Teenagers run the café" in plain

    # Changing the filters while a query runs queues no second query: one more runs when it comes back.
    before = library.queries
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        library.not_to_plan_check.setChecked(False)  # a query starts
        library.year_combo.setCurrentIndex(library.year_combo.findData(2026))  # waits for it
        library.refresh()
    assert library.queries == before + 2 and len(library.listed_references()) == 3


def test_a_note_recorded_in_its_form_appears_in_the_open_library_and_the_other_open_form(qtbot, db, runner, award_ids):
    """Recording a note is broadcast: the library that is already open shows it, and another note form
    open at the same time offers the theme it added — nobody reopens anything."""
    first, second, _third = award_ids
    library = open_library(qtbot, db, runner)
    assert library.count_label.text() == "No notes"
    other_form = open_dialog(qtbot, db, runner, second)
    assert other_form.theme_list.count() == 0

    dialog = open_dialog(qtbot, db, runner, first)
    qtbot.keyClicks(dialog.what_happened_edit, "A community fridge, open five days a week.")
    qtbot.keyClicks(dialog.new_themes_edit, "food waste")
    with qtbot.waitSignal(library.loaded, timeout=TIMEOUT):
        save(qtbot, dialog)
    assert library.count_label.text() == "1 note" and library.listed_references() == [
        outcomes.learning_library(db).notes[0].reference]
    assert "A community fridge" in library.view.toPlainText()
    qtbot.waitUntil(lambda: other_form.theme_list.count() == 1, timeout=TIMEOUT)
    assert other_form.theme_list.item(0).text() == "food waste"
    assert other_form.theme_list.item(0).checkState() == Qt.CheckState.Unchecked
