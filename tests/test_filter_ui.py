"""Narrowing the list by status, area and member, and saving the view for everyone using the fund."""

import pytest
from helpers import opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from grantdesk.domain.workflow import Status
from grantdesk.services import views
from grantdesk.services.applications import list_application_rows

TIMEOUT = 20_000


@pytest.fixture
def window(qtbot, sample_path):
    return opened_window(qtbot, sample_path, "PHP")


def shown(window):
    return [window.app_model.row_at(i) for i in range(window.app_model.rowCount())]


def choose(qtbot, window, combo, text):
    """Type the start of a choice into a list, as people do (after a pause, so it is a new search)."""
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    with qtbot.waitSignal(window.filters_applied, timeout=TIMEOUT):
        qtbot.keyClicks(combo, text)


def test_status_and_area_filters_narrow_the_list(qtbot, window, sample_db):
    rows = list_application_rows(sample_db, "PHP")
    bar = window.filter_bar
    choose(qtbot, window, bar.status_combo, "Open")
    open_statuses = {s.value for s in Status if s.is_open}
    assert {r.id for r in shown(window)} == {r.id for r in rows if r.status in open_statuses}
    choose(qtbot, window, bar.area_combo, "Kinver")
    assert {r.id for r in shown(window)} == {r.id for r in rows if r.status in open_statuses and r.area == "Kinver"}
    assert window.count_label.text().endswith(f"of {len(rows)} applications shown")


def test_a_member_filter_shows_their_area_and_their_decisions(qtbot, window, sample_db):
    options = views.filter_options(sample_db, "PHP")
    member = next(m for m in options.members if m.area and m.area.startswith("Lichfield City North"))
    expected = views.member_application_ids(sample_db, member.id)
    combo = window.filter_bar.member_combo
    combo.setFocus()
    with qtbot.waitSignal(window.filters_applied, timeout=TIMEOUT):
        for _ in range(combo.findData(member.id)):  # arrow down the list to the member, as people do
            qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == member.id
    assert {r.id for r in shown(window)} == set(expected) and len(expected) >= 1


def test_a_saved_view_is_offered_again_and_restores_the_filters(qtbot, window, sample_db, monkeypatch):
    bar = window.filter_bar
    choose(qtbot, window, bar.status_combo, "Shortlisted")
    narrowed = {r.id for r in shown(window)}
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Waiting for approval", True))
    bar.save_button.click()
    qtbot.waitUntil(lambda: bar.views_combo.count() == 2, timeout=TIMEOUT)
    assert [v.name for v in views.filter_options(sample_db, "PHP").views] == ["Waiting for approval"]

    choose(qtbot, window, bar.status_combo, "All")
    assert len(shown(window)) > len(narrowed)
    choose(qtbot, window, bar.views_combo, "Waiting")
    assert bar.status_combo.currentText() == "Shortlisted"
    assert {r.id for r in shown(window)} == narrowed
