"""Timers a test leaves behind, found as the test ends (the ``no_leaked_timers`` fixture in conftest).

A timer left running outlives its test and fires in a later one: a window's one-minute
``--screenshot`` deadline once fired a minute into the run, in whichever test happened to be spinning
the event loop, and closed a window that test knew nothing about. So every test ends with:

- no single-shot timer still pending. ``QTimer.singleShot`` is wrapped (``install``) to note each
  call made with a Python callable, with where it was made. Such a timer is over once it has fired,
  or once its context object is deleted: the object passed with it or, for a bound method, the
  object the method belongs to (PySide cancels those with the object, as Qt does with a context).
- no ``QTimer`` running that belongs to a top-level widget still alive, or to one of its children.
- no top-level window still shown.

Before looking, the windows pytest-qt closed (``qtbot.addWidget``) are deleted, which ``deleteLater``
only asks for, and events are processed; what is left after that is a leak. Each leak found is
stopped (a pending single-shot will not run its callback; a running timer is stopped; a window is
hidden), so it cannot reach the next test, and the test that left it fails with where it came from
(unless it had already failed: a test stopped half-way leaves its windows open, and saying so again
would only hide the real failure).

Timers started with a slot name (``singleShot(ms, receiver, b"1slot()")``) are not seen; nothing in
GrantDesk uses that form.
"""

from __future__ import annotations

import traceback
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

CALL_FAILED = pytest.StashKey[bool]()  # set by conftest's pytest_runtest_makereport

_installed: Callable[..., Any] | None = None
_pending: list[Pending] = []


@dataclass(eq=False)
class Pending:
    msec: Any
    callback: Any
    context: weakref.ReferenceType | None
    where: list[str] = field(repr=False)
    fired: bool = False
    stopped: bool = False

    def live(self) -> bool:
        """Still due to run its callback (not fired, not stopped, its context object not deleted)."""
        if self.fired or self.stopped:
            return False
        if self.context is None:
            return True
        from shiboken6 import isValid

        obj = self.context()
        return obj is not None and isValid(obj)

    def describe(self) -> str:
        name = getattr(self.callback, "__qualname__", None) or repr(self.callback)
        return f"QTimer.singleShot({self.msec}, {name}) made at\n" + "".join(self.where)


def install() -> None:
    """Wrap ``QTimer.singleShot`` so each callable single-shot is noted until it fires (once per process)."""
    global _installed
    from PySide6.QtCore import QObject, QTimer

    if _installed is not None:
        return
    original = QTimer.singleShot

    def single_shot(*args, **kwargs):
        if kwargs or len(args) not in (2, 3):
            return original(*args, **kwargs)
        if len(args) == 2 and callable(args[1]) and not isinstance(args[1], QObject):
            msec, callback = args
            owner = getattr(callback, "__self__", None)  # PySide ties a bound method to its QObject
            context = owner if isinstance(owner, QObject) else None
        elif len(args) == 3 and isinstance(args[1], QObject) and callable(args[2]):
            msec, context, callback = args
        else:
            return original(*args)
        record = Pending(msec, callback, weakref.ref(context) if context is not None else None,
                         traceback.format_stack(limit=6)[:-1])

        def fire():
            record.fired = True
            try:
                _pending.remove(record)
            except ValueError:
                pass
            if not record.stopped:
                callback()

        _pending.append(record)
        if context is not None:
            return original(msec, context, fire)
        return original(msec, fire)

    QTimer.singleShot = single_shot
    _installed = original


def leaks() -> list[str]:
    """What the test leaves behind, each stopped as it is found (see the module's docstring)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    found: list[str] = []
    app = QApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for record in list(_pending):
        _pending.remove(record)
        if record.live():
            record.stopped = True
            found.append("a pending " + record.describe())
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            for timer in [t for t in widget.findChildren(QTimer) if t.isActive()]:
                timer.stop()
                found.append(f"a running QTimer {timer.objectName() or ''}(every {timer.interval()} ms) of a "
                             f"{type(widget).__name__} that is still alive")
            if widget.isVisible() and widget.isWindow():
                widget.hide()  # not close(): a window may refuse, or ask (a kiosk asks for its PIN)
                found.append(f"a {type(widget).__name__} still shown ({widget.windowTitle()!r})")
    return found
