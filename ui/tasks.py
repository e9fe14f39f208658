"""Background work for the GUI: database calls run on one worker thread, results come back on the GUI
thread, and slow jobs show a progress dialog (after a short delay) with a Cancel button.

The shape follows Anki's task manager: one worker for all database work (SQLite is happiest with one
writer, and jobs never race each other), callbacks delivered through a queued Qt signal, and the
worker never touches a widget.
"""

from __future__ import annotations

import inspect
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

SHOW_PROGRESS_AFTER_MS = 600


class Cancelled(Exception):
    """Raised inside a job when the person pressed Cancel; the job's transaction is rolled back."""


class Progress:
    """Handed to a job that accepts a ``progress`` argument: report steps, and check for Cancel."""

    def __init__(self, emit: Callable[[int, int, str], None]):
        self._emit = emit
        self._cancelled = threading.Event()

    def report(self, done: int, total: int, label: str = "") -> None:
        if self._cancelled.is_set():
            raise Cancelled()
        self._emit(done, total, label)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled()


@dataclass
class _Job:
    """What the GUI thread keeps for a job until its outcome is delivered. The worker reads ``fn`` and
    ``progress`` from here and keeps no reference to the callbacks or the owner, so the last reference
    to a window or dialog is never dropped on the worker thread (where deleting a Qt object crashes)."""

    fn: Callable[..., Any]
    takes_progress: bool
    progress: Progress
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    owner: QObject | None
    deliver_without_owner: bool = False


@dataclass
class _Outcome:
    job: int
    result: Any
    error: BaseException | None


class TaskRunner(QObject):
    """Run callables on the database worker thread and deliver their results on the GUI thread."""

    finished = Signal(int)  # internal: a job is done; its _Outcome waits in _outcomes
    _progress = Signal(int, int, int, str)  # job, done, total, label
    idle = Signal()  # no job pending any more (tests and --screenshot wait on it)
    # What a user action changed (grantdesk.domain.changes.Changes) and the window that made it (or
    # None): emitted by ui.operations.Op after it commits; windows follow it with follow_changes.
    changed = Signal(object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grantdesk-worker")
        self._pending = 0
        self._next_job = 0
        self._dialogs: dict[int, QProgressDialog] = {}
        self._jobs: dict[int, _Job] = {}  # touched by the worker only to read its own entry
        self._outcomes: dict[int, _Outcome] = {}  # written by the worker, taken by the GUI thread
        self._closed = False
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress_title: str | None = None,
        parent_widget: QWidget | None = None,
        owner: QObject | None = None,
        deliver_without_owner: bool = False,
    ) -> Future:
        """Run ``fn()`` (or ``fn(progress)`` if it takes a ``progress`` argument) in the background.

        With ``progress_title``, a progress dialog with Cancel appears if the job takes longer than
        0.6 s; Cancel makes the job's next ``progress.report`` raise ``Cancelled``. With ``owner``
        (a window or dialog), deleting the owner cancels the job the same way (a job that reports
        progress stops at its next step and writes nothing), and the callbacks are skipped — unless
        ``deliver_without_owner`` (a change that did commit must still be announced to other windows).
        """
        if self._closed:  # the window is closing: nothing more will be done or shown
            future: Future = Future()
            future.cancel()
            return future
        self._next_job += 1
        job = self._next_job
        self._pending += 1
        takes_progress = "progress" in inspect.signature(fn).parameters
        progress = Progress(lambda d, t, label: self._progress.emit(job, d, t, label))
        if progress_title is not None:
            self._dialogs[job] = self._make_dialog(progress_title, progress, parent_widget)
        if owner is not None:  # nobody will see the answer: stop at the next progress report
            owner.destroyed.connect(progress.cancel)
        self._jobs[job] = _Job(fn, takes_progress, progress, on_done, on_error, owner, deliver_without_owner)
        return self._pool.submit(self._work, job)

    def _work(self, job: int) -> None:
        """On the worker: run the job, drop every reference to it, then hand the outcome over."""
        entry = self._jobs[job]
        fn, takes_progress, progress = entry.fn, entry.takes_progress, entry.progress
        del entry
        try:
            result, error = (fn(progress=progress) if takes_progress else fn()), None
        except BaseException as exc:  # delivered to on_error on the GUI thread
            result, error = None, exc
        del fn, progress
        self._outcomes[job] = _Outcome(job, result, error)  # the GUI thread takes it (and the last reference)
        del result, error
        self.finished.emit(job)

    def _make_dialog(self, title: str, progress: Progress, parent: QWidget | None) -> QProgressDialog:
        dialog = QProgressDialog(title, QCoreApplication.translate("TaskRunner", "Cancel"), 0, 0, parent)
        dialog.setWindowTitle(title)
        # Not modal: a modal QProgressDialog runs the event loop inside setValue(), so a job's result
        # could be delivered (and its dialog closed) in the middle of a progress update.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setAccessibleName(QCoreApplication.translate("TaskRunner", "{0} progress").format(title))
        dialog.canceled.connect(progress.cancel)
        dialog.setValue(0)
        return dialog

    def _on_progress(self, job: int, done: int, total: int, label: str) -> None:
        dialog = self._dialogs.get(job)
        if dialog is None:
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if label:
            dialog.setLabelText(label)

    def _deliver(self, job_id: int) -> None:
        outcome = self._outcomes.pop(job_id)
        dialog = self._dialogs.pop(outcome.job, None)
        if dialog is not None and isValid(dialog):  # its parent window may have been deleted with it
            # Blocked, not disconnected: QObject::disconnect can deadlock on Qt's connection mutex when
            # called from a queued slot (seen with PySide6 6.11 in the full suite); a blocked dialog
            # calls no Python when it hides or is deleted.
            dialog.blockSignals(True)
            dialog.hide()
            dialog.deleteLater()
        self._pending -= 1
        job = self._jobs.pop(outcome.job)
        try:
            if job.owner is not None and not job.deliver_without_owner and not isValid(job.owner):
                return  # the window that asked has gone; nobody is waiting for this answer
            if outcome.error is None:
                if job.on_done is not None:
                    job.on_done(outcome.result)
            elif job.on_error is not None:
                job.on_error(outcome.error)
            else:
                raise outcome.error
        finally:
            if self._pending == 0:  # callbacks that queued more work have raised the count again
                self.idle.emit()

    def shutdown(self) -> None:
        """Finish the queued jobs (short transactions, and closing the database) and stop the worker."""
        self._closed = True
        self._pool.shutdown(wait=True)
