"""Start-up order: the window paints before any loading starts."""

from PySide6.QtWidgets import QWidget

from ui.app import _OnFirstPaint


def test_loading_starts_only_after_the_window_has_painted(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    calls = []
    _OnFirstPaint(window, lambda: calls.append("start"), fallback_ms=10_000)
    qtbot.wait(50)
    assert calls == []  # not shown, not painted: nothing loads yet
    window.show()
    qtbot.waitUntil(lambda: calls == ["start"], timeout=5000)
    window.update()
    qtbot.wait(50)
    assert calls == ["start"]  # once only, however often it paints


def test_a_window_that_never_paints_still_loads_after_the_fallback(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    calls = []
    _OnFirstPaint(window, lambda: calls.append("start"), fallback_ms=100)
    qtbot.waitUntil(lambda: calls == ["start"], timeout=5000)


# --- the staged window: its frame paints first, the rest is built when it starts ----------------------

FRAME_ONLY = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from grantdesk.config import database_location
from ui.main_window import MainWindow
window = MainWindow(database_location(sys.argv[1]), staged=True)
window.show()
app.processEvents()
heavy = ("sqlalchemy", "babel", "reportlab", "ui.detail", "ui.filter_bar", "ui.models", "ui.workspace", "ui.tasks")
print(" ".join(name for name in heavy if name in sys.modules) or "none")
"""


def test_the_staged_frame_needs_neither_the_database_nor_the_rest_of_the_window(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", FRAME_ONLY, str(tmp_path / "x.db")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "none"  # what the first paint would wait for, were it imported


def test_a_staged_window_paints_its_frame_then_builds_the_rest_when_started(qtbot, sample_path):
    from grantdesk.config import database_location
    from ui.main_window import FUND_ROLE, MENUS, MainWindow

    window = MainWindow(database_location(sample_path), staged=True)
    qtbot.addWidget(window)
    assert not window.is_complete
    assert [a.text() for a in window.menuBar().actions()] == list(MENUS)
    assert window.fund_model.rowCount() == 1 and window.fund_model.item(0).text() == "Loading funds…"
    assert window.list_stack.currentWidget() is window.loading_label
    assert window.loading_label.text() == "Opening the database…"
    assert str(sample_path.name) in window.windowTitle() and str(sample_path) in window.db_label.text()
    assert window.splitter.count() == 2  # the fund list and the loading state; the detail pane comes later
    window.show()
    qtbot.waitExposed(window)

    with qtbot.waitSignal(window.ready, timeout=30_000):
        window.start()
    assert window.is_complete
    assert window.splitter.count() == 3
    assert window.fund_model.index(0, 0).data(FUND_ROLE) is not None  # the real funds replaced the placeholder
    assert window.list_stack.currentWidget() is window.table and window.app_model.rowCount() > 0
    file_menu = [a.text() for a in window.menus["&File"].actions()]
    assert "Publish Open &Data…" in file_menu and "&Quit" in file_menu
    assert window.publish_action.shortcut().toString() == "Ctrl+Shift+P"
    window.complete()  # a second call changes nothing
    assert window.splitter.count() == 3 and len(window.menuBar().actions()) == len(MENUS)


def test_a_staged_window_closed_before_it_starts_closes_quietly(qtbot, tmp_path):
    from grantdesk.config import database_location
    from ui.main_window import MainWindow

    path = tmp_path / "never-opened.db"
    window = MainWindow(database_location(path), staged=True)
    qtbot.addWidget(window)
    window.show()
    assert window.close()
    assert not path.exists()  # nothing was opened, so nothing was created


class Remembered:
    """Settings in a dict, noting which keys are read."""

    def __init__(self, values=None):
        self.values, self.read = dict(values or {}), []

    def value(self, key):
        self.read.append(key)
        return self.values.get(key)

    def setValue(self, key, value):  # noqa: N802 (QSettings' name)
        self.values[key] = value


def test_a_staged_window_comes_back_where_it_was_left(qtbot, sample_path):
    from grantdesk.config import database_location
    from ui.main_window import MainWindow

    first = MainWindow(database_location(sample_path), settings=Remembered(), staged=True)
    qtbot.addWidget(first)
    first.show()
    with qtbot.waitSignal(first.ready, timeout=30_000):
        first.start()
    first.resize(first.width(), 560)  # not the 800 a new window has (offscreen, a restored width is clamped)
    assert first.close()
    saved = first.settings.values
    assert {"mainWindow/geometry", "mainWindow/splitter", "mainWindow/fund"} <= set(saved)

    settings = Remembered(saved)
    again = MainWindow(database_location(sample_path), settings=settings, staged=True)
    qtbot.addWidget(again)
    assert again.height() == 560  # restored before it is shown: the frame never jumps
    assert settings.read == ["mainWindow/geometry"]
    again.show()
    with qtbot.waitSignal(again.ready, timeout=30_000):
        again.start()
    assert settings.read[:2] == ["mainWindow/geometry", "mainWindow/splitter"]  # once the detail pane is in
    assert again.current_fund == saved["mainWindow/fund"]


class _Loads(QWidget):
    from PySide6.QtCore import Signal

    ready = Signal()
    load_failed = Signal(str)


def test_the_collector_is_paused_until_the_first_screen_is_complete(qtbot):
    import gc

    from ui.app import _CollectorPaused

    assert gc.isenabled()
    for finish in (lambda w: w.ready.emit(), lambda w: w.load_failed.emit("no database")):
        window = _Loads()
        qtbot.addWidget(window)
        try:
            gc.unfreeze()
            _CollectorPaused(window)
            assert not gc.isenabled()
            assert gc.get_freeze_count() == 0
            finish(window)
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects are not walked by every later pass
        finally:
            gc.unfreeze()
            gc.enable()


def test_the_collector_comes_back_after_the_limit_even_if_loading_never_ends(qtbot):
    import gc

    from ui.app import _CollectorPaused

    window = _Loads()
    qtbot.addWidget(window)
    try:
        _CollectorPaused(window, limit_ms=50)
        assert not gc.isenabled()
        qtbot.waitUntil(gc.isenabled, timeout=5000)
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_collector_that_was_off_stays_off(qtbot):
    import gc

    from ui.app import _CollectorPaused

    window = _Loads()
    qtbot.addWidget(window)
    gc.disable()
    try:
        _CollectorPaused(window).release()
        assert not gc.isenabled()  # someone else switched it off; not ours to switch on
    finally:
        gc.enable()


def test_the_grantdesk_command_freezes_what_is_left_before_the_interpreter_ends(monkeypatch):
    import gc

    import ui.app

    monkeypatch.setattr(ui.app, "main", lambda: 3)
    try:
        gc.unfreeze()
        assert ui.app.run() == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_once_the_first_screen_is_complete_the_rest_loads_on_the_worker_when_idle(qtbot, sample_path, monkeypatch):
    import threading

    import ui.main_window
    from grantdesk.config import database_location
    from grantdesk.services import overview
    from ui.main_window import MainWindow

    ran = []
    monkeypatch.setattr(overview, "warm_up", lambda: ran.append(threading.current_thread() is threading.main_thread()))
    monkeypatch.setattr(ui.main_window, "WARM_UP_AFTER_MS", 50)
    window = MainWindow(database_location(sample_path), staged=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=30_000):
        window.start()
    assert ran == []  # not while the first screen is being made
    qtbot.waitUntil(lambda: ran == [False], timeout=5000)  # once, and not on the GUI thread


def test_warming_up_maps_the_orm():
    import sqlalchemy.orm

    from grantdesk.services.overview import warm_up

    warm_up()
    from grantdesk.store.models import Application

    assert sqlalchemy.orm.class_mapper(Application).configured
