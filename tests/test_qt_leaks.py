"""The leaked-timer guard (tests/qt_leaks.py, run after every test by conftest) finds what a test leaves
behind and stops it, and does not mistake a finished or cancelled timer for a leak; ``grantdesk
--screenshot`` leaves nothing behind (its one-minute deadline once fired in a later test)."""

from __future__ import annotations

import qt_leaks
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget


class Counter(QObject):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def bump(self):
        self.calls += 1


def test_a_single_shot_left_pending_is_found_with_where_it_was_made_and_never_runs(qtbot):
    ran = []

    def later():
        ran.append(True)

    QTimer.singleShot(50, later)
    found = qt_leaks.leaks()
    assert len(found) == 1
    assert "QTimer.singleShot(50," in found[0] and "later" in found[0] and "test_qt_leaks.py" in found[0]
    qtbot.wait(150)  # had it not been stopped it would have run by now
    assert ran == [] and qt_leaks.leaks() == []


def test_a_single_shot_that_fired_or_whose_object_was_deleted_is_not_a_leak(qtbot):
    fired, ours, gone = Counter(), Counter(), Counter()
    QTimer.singleShot(10, fired.bump)
    QTimer.singleShot(10, lambda: None)
    QTimer.singleShot(60_000, ours, ours.bump)  # explicit context object
    QTimer.singleShot(60_000, gone.bump)  # bound method: tied to its object, as PySide ties it
    qtbot.waitUntil(lambda: fired.calls == 1)
    ours.deleteLater()
    gone.deleteLater()
    assert qt_leaks.leaks() == []  # the deletes are carried out first


def test_single_shots_still_run_as_pyside_runs_them_through_the_wrapper(qtbot):
    kept, dropped, ctx = Counter(), Counter(), Counter()
    QTimer.singleShot(20, kept.bump)
    QTimer.singleShot(20, ctx, kept.bump)
    QTimer.singleShot(20, dropped.bump)
    dropped.deleteLater()  # PySide cancels a bound method's timer with its object
    qtbot.wait(100)
    assert kept.calls == 2
    assert qt_leaks.leaks() == []


def test_a_running_timer_of_a_live_window_and_a_window_left_shown_are_found_and_stopped(qtbot):
    window = QWidget()
    window.setWindowTitle("Left open")
    timer = QTimer(window)
    timer.start(60_000)
    window.show()
    found = qt_leaks.leaks()
    assert any("running QTimer (every 60000 ms) of a QWidget" in f for f in found), found
    assert any("QWidget still shown ('Left open')" in f for f in found), found
    assert not timer.isActive() and not window.isVisible()
    window.deleteLater()
    assert qt_leaks.leaks() == []


def test_closed_windows_from_qtbot_are_deleted_with_their_timers_before_looking(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    QTimer(window).start(60_000)
    QTimer.singleShot(60_000, window, lambda: None)
    window.show()
    window.close()
    window.deleteLater()  # what pytest-qt does with the widgets it was given, as a test ends
    assert qt_leaks.leaks() == []


def test_the_screenshot_run_leaves_no_timer_or_window_behind(qtbot, sample_path, tmp_path):
    """The one-minute deadline was a free single-shot that outlived the run, and the window (with its
    start-up timers) was never deleted; now the deadline is the window's, stopped as the run ends, and
    the window is deleted."""
    from ui.app import SCREENSHOT_TIMEOUT_MS, main

    assert SCREENSHOT_TIMEOUT_MS == 60_000
    assert main(["--db", str(sample_path), "--screenshot", str(tmp_path / "shot.png")]) == 0
    assert qt_leaks.leaks() == []
