"""The operations layer: one service call per user action, its changes broadcast, other windows kept true."""

from __future__ import annotations

from helpers import build_fund
from PySide6.QtWidgets import QWidget

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import ValidationError
from grantdesk.services.applications import list_applications, transition_application
from ui.operations import Op, OperationError, Query, follow_changes

TIMEOUT = 10_000


class Window(QWidget):
    """A stand-in window: a database, the runner, a place for refusals, and what it refreshed."""

    def __init__(self, db, runner, kinds=(Kind.APPLICATIONS,)):
        super().__init__()
        self.db, self.runner = db, runner
        self.refusals: list[str] = []
        self.refreshed: list = []
        follow_changes(self, kinds, self.refreshed.append)

    def show_refusal(self, text: str) -> None:
        self.refusals.append(text)


def test_an_operation_runs_its_service_and_every_other_open_window_that_shows_it_refreshes(qtbot, db, runner):
    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    editor, main, payments = Window(db, runner), Window(db, runner), Window(db, runner, kinds=(Kind.AWARDS,))
    for w in (editor, main, payments):
        qtbot.addWidget(w)
        w.show()
    results = []
    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT) as signal:
        Op(editor, lambda d: transition_application(d, app.id, "submitted")).success(results.append).run()
    changes, initiator = signal.args
    assert initiator is editor and results[0].status == "submitted"
    assert Kind.APPLICATIONS in changes.kinds and app.id in changes.applications
    qtbot.waitUntil(lambda: len(main.refreshed) == 1, timeout=TIMEOUT)
    assert main.refreshed[0].applications == {app.id}
    assert editor.refreshed == []  # its own echo is ignored: it has its answer already
    assert payments.refreshed == []  # it shows awards, and none changed


def test_a_hidden_window_refreshes_when_it_is_shown_again(qtbot, db, runner):
    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    editor, hidden = Window(db, runner), Window(db, runner)
    qtbot.addWidget(editor)
    qtbot.addWidget(hidden)
    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT):
        Op(editor, lambda d: transition_application(d, app.id, "submitted")).run()
    qtbot.wait(20)
    assert hidden.refreshed == []
    hidden.show()
    qtbot.waitUntil(lambda: len(hidden.refreshed) == 1, timeout=TIMEOUT)


def test_a_refusal_from_the_core_is_shown_by_the_window_and_nothing_is_broadcast(qtbot, db, runner):
    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    window = Window(db, runner)
    qtbot.addWidget(window)
    seen = []
    runner.changed.connect(lambda *args: seen.append(args))
    with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
        Op(window, lambda d: transition_application(d, app.id, "awarded")).run()
    assert window.refusals and "cannot" in window.refusals[0]
    assert seen == [] and list_applications(db, "TST")[0].status == "draft"


def test_a_user_action_that_commits_twice_is_a_defect_and_fails_loudly(qtbot, db, runner):
    build_fund(db, applications_count=2)
    first, second = list_applications(db, "TST")
    window = Window(db, runner)
    qtbot.addWidget(window)

    def two_transactions(d):
        transition_application(d, first.id, "submitted")
        transition_application(d, second.id, "submitted")

    with qtbot.captureExceptions() as exceptions:
        with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
            Op(window, two_transactions).run()
    assert [type(e[1]) for e in exceptions] == [OperationError]
    assert "committed 2 transactions" in str(exceptions[0][1])


def test_a_query_that_writes_is_a_defect(qtbot, db, runner):
    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    window = Window(db, runner)
    qtbot.addWidget(window)
    with qtbot.captureExceptions() as exceptions:
        with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
            Query(window, lambda d: transition_application(d, app.id, "submitted")).run()
    assert [type(e[1]) for e in exceptions] == [OperationError]


def test_a_failure_handler_receives_the_refusal_and_finally_runs_either_way(qtbot, db, runner):
    window = Window(db, runner)
    qtbot.addWidget(window)
    got, done = [], []

    def refuse(_d):
        raise ValidationError("The amount must be more than £0.", "amount")

    with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
        Op(window, refuse).failure(got.append).finally_(lambda: done.append(True)).run()
    assert got[0].field == "amount" and done == [True] and window.refusals == []


def test_a_change_made_after_its_window_closed_is_still_announced(qtbot, db, runner):
    import threading

    from shiboken6 import isValid

    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    editor, main = Window(db, runner), Window(db, runner)
    qtbot.addWidget(main)
    main.show()
    closed = threading.Event()

    def submit_once_closed(d):
        assert closed.wait(5)
        return transition_application(d, app.id, "submitted")

    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT) as signal:
        Op(editor, submit_once_closed).success(lambda _row: main.refusals.append("editor saw it")).run()
        editor.deleteLater()
        qtbot.waitUntil(lambda: not isValid(editor), timeout=TIMEOUT)
        closed.set()
    assert signal.args[1] is None  # the window that asked has gone; the others still hear of it
    qtbot.waitUntil(lambda: len(main.refreshed) == 1, timeout=TIMEOUT)
    assert main.refusals == []  # the closed window's own callback was not run


def test_a_dialog_of_its_own_is_another_window_not_an_echo(qtbot, db, runner):
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QDialog

    build_fund(db, applications_count=2)
    first, second = list_applications(db, "TST")
    main = Window(db, runner)
    qtbot.addWidget(main)
    main.show()
    editor = QDialog(main)  # an editor opened from the main window
    editor.db, editor.runner = db, runner
    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT):
        Op(editor, lambda d: transition_application(d, first.id, "submitted")).run()
    qtbot.waitUntil(lambda: len(main.refreshed) == 1, timeout=TIMEOUT)
    helper = QObject(main)  # an object acting for the main window itself: its own echo
    helper.db, helper.runner = db, runner
    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT):
        Op(helper, lambda d: transition_application(d, second.id, "submitted")).run()
    qtbot.wait(20)
    assert len(main.refreshed) == 1


def test_a_window_being_torn_down_does_not_make_its_follower_raise(qtbot, db, runner):
    """CI saw this: during teardown the collector emptied a follower's Python side while Qt still sent
    it the window's events and the broadcast, and every event raised AttributeError in the event loop."""
    from ui.operations import _Follower

    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    editor, torn = Window(db, runner), Window(db, runner)
    qtbot.addWidget(editor)
    qtbot.addWidget(torn)
    [follower] = torn.findChildren(_Follower)
    for name in ("window", "kinds", "refresh", "pending"):
        delattr(follower, name)  # what the collector's clearing of a freed cycle left behind
    torn.show()  # a Show event reaches the follower's event filter
    with qtbot.waitSignal(runner.changed, timeout=TIMEOUT):
        Op(editor, lambda d: transition_application(d, app.id, "submitted")).run()
    qtbot.wait(20)  # pytest-qt fails the test on any exception raised inside the event loop
    assert torn.refreshed == []
