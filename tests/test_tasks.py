import threading

from PySide6.QtWidgets import QPushButton

from ui.tasks import Cancelled, TaskRunner


def test_work_runs_off_the_gui_thread_and_the_result_arrives_on_it(qtbot):
    runner = TaskRunner()
    gui = threading.get_ident()
    seen = {}

    def work():
        seen["worker"] = threading.get_ident()
        return 42

    def done(value):
        seen["value"], seen["delivered_on"] = value, threading.get_ident()

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(work, done)
    assert seen == {"worker": seen["worker"], "value": 42, "delivered_on": gui}
    assert seen["worker"] != gui
    runner.shutdown()


def test_an_error_in_the_worker_reaches_the_error_callback(qtbot):
    runner = TaskRunner()
    errors = []
    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(lambda: 1 / 0, lambda _: None, errors.append)
    assert isinstance(errors[0], ZeroDivisionError)
    runner.shutdown()


def test_cancel_stops_a_job_at_its_next_progress_report(qtbot):
    runner = TaskRunner()
    started = threading.Event()
    proceed = threading.Event()
    outcome = {}

    def long_job(progress):
        started.set()
        proceed.wait(5)
        for i in range(100):
            progress.report(i, 100, f"Step {i}")
        return "finished"

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(long_job, lambda v: outcome.setdefault("done", v), lambda e: outcome.setdefault("error", e),
                   progress_title="Importing")
        assert started.wait(5)
        [dialog] = runner._dialogs.values()
        dialog.findChild(QPushButton).click()  # the person presses Cancel
        proceed.set()
    assert isinstance(outcome.get("error"), Cancelled)
    assert "done" not in outcome
    runner.shutdown()


def test_a_window_deleted_with_its_progress_dialog_does_not_stop_the_runner(qtbot):
    """The window that asked (and the progress dialog parented to it) is deleted while the job runs:
    the runner still finishes the job, reports idle, and serves the next job."""
    from PySide6.QtWidgets import QWidget
    from shiboken6 import delete

    runner = TaskRunner()
    window = QWidget()
    started, proceed = threading.Event(), threading.Event()

    def job(progress):
        started.set()
        proceed.wait(5)
        return "late"

    delivered = []
    runner.run(job, delivered.append, progress_title="Importing", parent_widget=window, owner=window)
    assert started.wait(5)
    qtbot.waitUntil(lambda: bool(runner._dialogs), timeout=5000)
    delete(window)  # the dialog goes with it
    with qtbot.waitSignal(runner.idle, timeout=5000):
        proceed.set()
    assert delivered == []  # nobody is waiting for the answer
    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(lambda: 7, delivered.append)
    assert delivered == [7]
    runner.shutdown()


def test_deleting_the_owner_cancels_its_job_at_the_next_progress_report(qtbot):
    """A window closed while its job waits: the job stops at its next step (nothing is written) and
    its callbacks never run."""
    from PySide6.QtWidgets import QWidget
    from shiboken6 import delete

    runner = TaskRunner()
    window = QWidget()
    started, proceed = threading.Event(), threading.Event()
    steps = []

    def job(progress):
        started.set()
        proceed.wait(5)
        for i in range(3):
            progress.report(i, 3, "step")
            steps.append(i)
        return "finished"

    delivered = []
    runner.run(job, delivered.append, delivered.append, owner=window)
    assert started.wait(5)
    delete(window)
    with qtbot.waitSignal(runner.idle, timeout=5000):
        proceed.set()
    assert steps == [] and delivered == []
    runner.shutdown()
