"""The one way a window runs a service: ``Op`` for a user action that changes data, ``Query`` for a read.

After Anki's ``CollectionOp`` and ``QueryOp``: the service runs on the database worker (``TaskRunner``),
in one transaction; a progress dialog with Cancel appears if it is slow; a refusal from the core
(``GrantDeskError``) is shown by the window; anything else is a defect and is raised on the GUI thread.
When an ``Op`` commits, what it changed (``grantdesk.domain.changes.Changes``) is broadcast on the
runner's ``changed`` signal, and every open window that follows those kinds (``follow_changes``)
refreshes what it shows — except the window that made the change, which has its answer already::

    Op(self, lambda db: award_application(db, app_id, amount)).success(self._awarded).run()
    Query(self, lambda db: get_event(db, event_id)).success(self._show).run()
    follow_changes(self, {Kind.APPLICATIONS, Kind.AWARDS}, self._refresh)

A user action is one transaction: under ``GRANTDESK_STRICT_OPERATIONS=1`` (the tests set it) an
``Op`` that commits twice, or a ``Query`` that commits at all, fails loudly instead of passing.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from grantdesk.domain.changes import NOTHING, Changes, Kind
from grantdesk.domain.errors import GrantDeskError
from ui.tasks import Cancelled, Progress, TaskRunner

T = TypeVar("T")


class OperationError(RuntimeError):
    """A window ran a service the wrong way (two commits for one action; a read that wrote)."""


def _strict() -> bool:
    return os.environ.get("GRANTDESK_STRICT_OPERATIONS") == "1"


def refusal_text(error: BaseException) -> str:
    """The words for a refusal: the core's own message; for a file that could not be read or written,
    one plain sentence naming it."""
    if isinstance(error, OSError) and not isinstance(error, GrantDeskError):
        why = error.strerror or str(error)
        if error.filename:
            return QCoreApplication.translate("Operations", "The file could not be used: {why} ({file}). Nothing was "
                                              "written.").format(why=why, file=error.filename)
        return QCoreApplication.translate("Operations", "The file could not be used: {why}. Nothing was written.") \
            .format(why=why)
    return str(error) or type(error).__name__


def is_refusal(error: BaseException) -> bool:
    """A refusal the person can act on (the core said no; a file could not be used), not a defect."""
    return isinstance(error, (GrantDeskError, OSError))


class _Run(Generic[T]):
    """What ``Op`` and ``Query`` share: building the job, its callbacks, and delivering them."""

    writes = False

    def __init__(self, parent: QObject, work: Callable[..., T], *, db: Any = None, runner: TaskRunner | None = None):
        self.parent = parent
        self.work = work
        self.db = db if db is not None else getattr(parent, "db", None)
        self.runner = runner if runner is not None else parent.runner  # type: ignore[attr-defined]
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[GrantDeskError], Any] | None = None
        self._cancelled: Callable[[], Any] | None = None
        self._finally: Callable[[], Any] | None = None
        self._progress_title: str | None = None
        self._progress_parent: QWidget | None = None
        self._takes_progress = "progress" in inspect.signature(work).parameters

    # --- building ---------------------------------------------------------------------------------
    def success(self, fn: Callable[[T], Any]) -> _Run[T]:
        """Called with the service's result, on the GUI thread, if the window is still open."""
        self._success = fn
        return self

    def failure(self, fn: Callable[[GrantDeskError], Any]) -> _Run[T]:
        """Called with a refusal: the core's (a ``GrantDeskError``), or a file that could not be used
        (an ``OSError``). Without it the window's ``show_refusal(text)`` shows it, if the window has
        one; any other error is a defect and is raised."""
        self._failure = fn
        return self

    def cancelled(self, fn: Callable[[], Any]) -> _Run[T]:
        """Called when the person pressed Cancel (nothing was kept)."""
        self._cancelled = fn
        return self

    def finally_(self, fn: Callable[[], Any]) -> _Run[T]:
        """Called after success, refusal or cancellation (to re-enable a button, say)."""
        self._finally = fn
        return self

    def with_progress(self, title: str, parent_widget: QWidget | None = None) -> _Run[T]:
        """Show a progress dialog with Cancel if the work takes more than a moment."""
        self._progress_title = title
        self._progress_parent = parent_widget if parent_widget is not None else (
            self.parent if isinstance(self.parent, QWidget) else None)
        return self

    # --- running ------------------------------------------------------------------------------------
    def run(self) -> None:
        if self.db is None:  # no database open (yet): there is nothing to act on
            return
        db, work, takes_progress, writes = self.db, self.work, self._takes_progress, self.writes

        def job(progress: Progress):
            from grantdesk.store.unit_of_work import recording

            with recording() as record:
                result = work(db, progress=progress) if takes_progress else work(db)
            if _strict() and record.commits > (1 if writes else 0):
                raise OperationError(
                    f"{getattr(work, '__qualname__', work)} committed {record.commits} transactions; "
                    + ("a user action is one transaction." if writes else "a query must not write."))
            return result, record.changes

        self.runner.run(job, self._done, self._error, progress_title=self._progress_title,
                        parent_widget=self._progress_parent, owner=self.parent, deliver_without_owner=writes)

    def _alive(self) -> bool:
        return isValid(self.parent)

    def _done(self, outcome: tuple[T, Changes]) -> None:
        result, changes = outcome
        try:
            if self._alive() and self._success is not None:
                self._success(result)
        finally:
            if self._alive() and self._finally is not None:
                self._finally()
            if self.writes and changes:
                self.runner.changed.emit(changes, self.parent if self._alive() else None)

    def _error(self, error: BaseException) -> None:
        try:
            if not self._alive():
                if not (is_refusal(error) or isinstance(error, Cancelled)):
                    raise error
                return
            if isinstance(error, Cancelled):
                if self._cancelled is not None:
                    self._cancelled()
            elif is_refusal(error):
                if self._failure is not None:
                    self._failure(error)
                elif hasattr(self.parent, "show_refusal"):
                    self.parent.show_refusal(refusal_text(error))  # type: ignore[attr-defined]
                else:
                    raise error
            else:
                raise error
        finally:
            if self._alive() and self._finally is not None:
                self._finally()


class Op(_Run[T]):
    """A user action that changes data: ``work(db)`` is one service call, one transaction. Its
    changes are broadcast when it commits, even if the window that asked has closed meanwhile."""

    writes = True


class Query(_Run[T]):
    """A read for a window: ``work(db)`` reads and returns plain data; it writes nothing."""

    writes = False


# --- following what changes ---------------------------------------------------------------------------


def _window_of(obj: Any) -> QWidget | None:
    """The top-level window an object belongs to (a helper QObject: its nearest widget's window)."""
    node = obj
    while isinstance(node, QObject) and isValid(node) and not isinstance(node, QWidget):
        node = node.parent()
    if isinstance(node, QWidget) and isValid(node):
        return node.window()
    return None


class _Follower(QObject):
    """Refreshes one window when changes it shows are broadcast; waits until it is shown if hidden,
    and gathers changes that arrive together into one refresh."""

    def __init__(self, window: QWidget, kinds: frozenset[Kind], refresh: Callable[[Changes], Any]):
        super().__init__(window)
        self.window = window
        self.kinds = kinds
        self.refresh = refresh
        self.pending: Changes = NOTHING
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._flush)
        window.installEventFilter(self)

    def _mine(self, initiator: Any) -> bool:
        """Whether this window (or something inside it) made the change: its own echo. A dialog or
        window of its own (an editor opened from the main window) is another window, not an echo."""
        return _window_of(initiator) is _window_of(self.window)

    def _alive(self) -> bool:
        # While Qt tears a window down the Python side of this follower can be cleared before Qt
        # stops sending it events (a collected cycle empties the wrapper's attributes first).
        window = self.__dict__.get("window")
        return window is not None and isValid(window)

    def on_changed(self, changes: Changes, initiator: Any) -> None:
        if not self._alive() or not changes.touches(self.kinds) or self._mine(initiator):
            return
        self.pending = self.pending | changes
        if self.window.isVisible():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if self._alive() and watched is self.window and event.type() == QEvent.Type.Show and self.pending:
            self._timer.start()
        return False

    def _flush(self) -> None:
        if not self._alive():
            return
        changes, self.pending = self.pending, NOTHING
        if changes:
            self.refresh(changes)


def follow_changes(window: QWidget, kinds: Iterable[Kind], refresh: Callable[[Changes], Any],
                   runner: TaskRunner | None = None) -> None:
    """Call ``refresh(changes)`` when another window's action changes any of ``kinds`` (while this one
    is hidden, when it is next shown). Stops when ``window`` is deleted."""
    runner = runner if runner is not None else window.runner  # type: ignore[attr-defined]
    follower = _Follower(window, frozenset(kinds), refresh)
    runner.changed.connect(follower.on_changed)
