"""The Retention and People (subject access) windows (issue 23.1-23.3), driven through their widgets:
the plan for a day, the periods saved, a run after asking; a search, an export, an erasure refused with
its reason and one done after asking."""

import json
from datetime import date, datetime

from helpers import ACTOR, build_fund
from people_helpers import build_people
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from grantdesk.domain.retention import REMOVED, REMOVED_ON_REQUEST
from grantdesk.services import applications
from grantdesk.services.workflow import do_transition
from grantdesk.store.models import Application, Contact, Fund, Organisation
from ui.people_window import PeopleWindow
from ui.retention_window import RetentionWindow

TIMEOUT = 20_000


def _old_withdrawn(db):
    built = build_fund(db, "RET")
    with db.unit_of_work() as uow:
        s = uow.session
        fund, org = s.get(Fund, built.fund_id), s.get(Organisation, built.organisation_id)
        app = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org,
                                           contact=s.get(Contact, built.contact_id), title="Old bid",
                                           amount_requested_pence=5000)
        do_transition(s, app, "submitted", actor=ACTOR, at=datetime(2023, 5, 1))
        do_transition(s, app, "withdrawn", actor=ACTOR, reason="no longer needed", at=datetime(2023, 5, 2))
        uow.commit()
        return app.id, app.reference, built.contact_id


def _retention(qtbot, db, runner, today):
    window = RetentionWindow(db, runner, "RET", today=today)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.start()
    return window


def test_the_plan_shows_what_is_due_and_a_run_removes_it_after_asking(qtbot, db, runner):
    app_id, reference, contact_id = _old_withdrawn(db)
    window = _retention(qtbot, db, runner, date(2025, 1, 1))
    assert window.model.rows == [] and not window.run_button.isEnabled()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.as_of_edit.setDate(QDate(2025, 6, 1))
    assert window.model.rows == [("Unsuccessful application", reference, "02/05/2025", "03/05/2025")]
    assert "1 unsuccessful" in window.summary.text()
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    box = window.confirm_box
    assert box is not None and "1 application" in box.text()
    with qtbot.waitSignal(window.ran, timeout=TIMEOUT):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rows == [], timeout=TIMEOUT)
    assert "Removed the personal details of 1 application" in window.notice.text()
    with db.session() as s:
        assert s.get(Application, app_id).erased_at is not None
        assert s.get(Contact, contact_id).name == REMOVED
    window.close()


def test_cancel_removes_nothing_and_the_periods_are_saved_from_the_window(qtbot, db, runner):
    app_id, _reference, _contact = _old_withdrawn(db)
    window = _retention(qtbot, db, runner, date(2025, 6, 1))
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.confirm_box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert s.get(Application, app_id).erased_at is None
    window.unsuccessful_spin.selectAll()
    qtbot.keyClicks(window.unsuccessful_spin, "3")
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    assert window.plan.periods.unsuccessful_years == 3 and window.model.rows == []  # now kept until 2026
    assert window.notice.text() == "Saved the retention periods."
    window.close()


def _people_window(qtbot, db, runner):
    window = PeopleWindow(db, runner)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.start()
    return window


def _search(qtbot, window, text):
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, text)
    with qtbot.waitSignal(window.found, timeout=TIMEOUT):
        qtbot.mouseClick(window.find_button, Qt.MouseButton.LeftButton)


def test_find_a_person_and_save_everything_held_about_them(qtbot, db, runner, tmp_path):
    ids = build_people(db)
    window = _people_window(qtbot, db, runner)
    assert not window.pdf_button.isEnabled()
    _search(qtbot, window, "ANN")
    assert [r[:3] for r in window.model.rows] == [(f"contact:{ids['ann']}", "Contact", "Ann Other")]
    assert window.pdf_button.isEnabled() and window.erase_button.isEnabled()
    target = tmp_path / "ann.json"
    with qtbot.waitSignal(window.exported, timeout=TIMEOUT):
        window.export_json(str(target))
    got = json.loads(target.read_text())
    assert got["person"] == f"contact:{ids['ann']}" and got["applications"][0]["reference"] == ids["awarded_ref"]
    with qtbot.waitSignal(window.exported, timeout=TIMEOUT):
        window.export_pdf(str(tmp_path / "ann"))
    assert (tmp_path / "ann.pdf").read_bytes().startswith(b"%PDF")
    _search(qtbot, window, "nobody here")
    assert window.model.rows == [] and "Nobody found" in window.notice.text()
    window.close()


def test_erasure_is_refused_with_the_reason_or_done_after_asking(qtbot, db, runner):
    ids = build_people(db)
    window = _people_window(qtbot, db, runner)
    _search(qtbot, window, "ann other")
    qtbot.mouseClick(window.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "legal basis" in window.notice.text(), timeout=TIMEOUT)
    assert "31 March 2033" in window.notice.text() and window.confirm_box is None
    _search(qtbot, window, "bob@example.org")
    qtbot.mouseClick(window.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.confirm_box is not None, timeout=TIMEOUT)
    assert "Bob Example" in window.confirm_box.text()
    with qtbot.waitSignal(window.erased, timeout=TIMEOUT):
        qtbot.mouseClick(window.confirm_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rows == [], timeout=TIMEOUT)  # searched again: erased people are not found
    with db.session() as s:
        assert s.get(Contact, ids["bob"]).name == REMOVED_ON_REQUEST
    window.close()


def test_the_main_window_opens_both_from_its_menus(qtbot, tmp_path):
    from helpers import opened_window

    from grantdesk.config import database_location
    from grantdesk.store.database import open_database

    path = tmp_path / "menus.db"
    with open_database(database_location(path), create=True) as database:
        _old_withdrawn(database)
    window = opened_window(qtbot, path, fund_code="RET")
    assert window.retention_action in window.menus["F&und"].actions()
    assert window.people_action in window.menus["&File"].actions()
    retention = window.retention_action.trigger() or window._fund_windows["retention"]["RET"]
    qtbot.waitUntil(lambda: retention.plan is not None, timeout=TIMEOUT)
    assert retention.fund_code == "RET"
    window.people_action.trigger()
    people = window._people_window
    assert people.isVisible()
    retention.close()
    people.close()
    window.close()
