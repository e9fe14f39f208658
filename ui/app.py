"""``grantdesk``: open the GrantDesk window.

    grantdesk                          # the default database (created empty on first run: the welcome page)
    grantdesk --db PATH                # a given SQLite file (or SQLAlchemy URL); a missing folder is offered
    grantdesk --fund PHP               # open on a fund
    grantdesk --lang cy                # in Welsh (Cymraeg) — remembered; View ▸ Language / Iaith changes it
    grantdesk --screenshot FILE.png    # open, wait until loaded, save a picture of the window, exit
                                       # (with no display: QT_QPA_PLATFORM=offscreen grantdesk --screenshot …)

The sample funds live in their own database, ``grantdesk-samples.db`` next to the default one: the
welcome page's *Explore the sample funds* opens it (loading them on first use), and any window on a
database holding them says SAMPLE DATA.

Only PySide6 and GrantDesk's light modules load before the window is shown; SQLAlchemy and the rest
load on the worker thread while the window is already on screen.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import Sequence

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from grantdesk import __version__
from grantdesk.config import APP_NAME, database_location
from grantdesk.i18n import _

SCREENSHOT_TIMEOUT_MS = 60_000


def no_display_message(environ: dict[str, str] | os._Environ, platform: str) -> str | None:
    """On Linux with no display (no X11 or Wayland, no Qt platform chosen), the sentence to print instead of
    Qt's own abort: GrantDesk is a window and needs a screen, or Qt's offscreen platform for a screenshot."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return _("GrantDesk is a desktop app and needs a display (there is no DISPLAY or WAYLAND_DISPLAY here). "
             "To take a picture of the window without one: QT_QPA_PLATFORM=offscreen grantdesk --screenshot "
             "FILE.png; for the same services without a window: python -m grantdesk --help.")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="grantdesk", description="GrantDesk: community funds and participatory grants.")
    parser.add_argument("--db", metavar="PATH", help="database file or SQLAlchemy URL")
    parser.add_argument("--fund", metavar="CODE", help="open on this fund (e.g. PHP)")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="open the window, wait until it has loaded, save a picture of it and exit")
    parser.add_argument("--lang", metavar="LANG", choices=("en", "cy"),
                        help="the interface's language: en (English) or cy (Cymraeg); remembered for next time")
    parser.add_argument("--size", metavar="WxH", default="1280x800", help="window size for --screenshot")
    parser.add_argument("--first-paint", action="store_true", help=argparse.SUPPRESS)  # tests/bench/startup.py
    parser.add_argument("--version", action="version", version=f"GrantDesk {__version__}")
    return parser.parse_args(argv)


class _OnFirstPaint(QObject):
    """Runs ``callback`` once, just after the window has first painted (or after ``fallback_ms`` if it
    is never painted, e.g. started minimised). Loading starts only then, so the worker's imports
    (SQLAlchemy alone is ~0.5 s) never compete with the first paint for the interpreter."""

    def __init__(self, window, callback, fallback_ms: int | None = None):
        super().__init__(window)
        self._callback = callback
        self._done = False
        window.installEventFilter(self)
        if fallback_ms is not None:
            QTimer.singleShot(fallback_ms, self._run)

    def _run(self) -> None:
        if not self._done:
            self._done = True
            self._callback()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and not self._done:
            QTimer.singleShot(0, self._run)
        return False


class _CollectorPaused(QObject):
    """Python's cyclic garbage collector off from launch until the first screen is complete (or its
    loading failed, or ``limit_ms`` passed). Start-up makes hundreds of thousands of long-lived objects,
    SQLAlchemy's and the ORM's among them; the collector's passes over that growing heap were about
    20 ms of a 10,000-application start (tests/bench/startup.py). Memory is still freed by reference
    counting meanwhile. On release the start-up's objects are frozen (``gc.freeze()``: moved to the
    permanent generation) before the collector is switched back on, so its first pass does not walk
    them all (another 30 ms, in the middle of the first thing the user does) and no later pass does
    either; the cost is that a cycle made garbage during start-up is never collected."""

    def __init__(self, window, limit_ms: int = 10_000):
        super().__init__(window)
        self._was_on = gc.isenabled()
        gc.disable()
        window.ready.connect(self.release)
        window.load_failed.connect(self.release)
        QTimer.singleShot(limit_ms, self.release)

    def release(self, *_args) -> None:
        if self._was_on and not gc.isenabled():
            gc.freeze()
            gc.enable()
        self._was_on = False  # once


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if QApplication.instance() is None:
        message = no_display_message(os.environ, sys.platform)
        if message:
            print(_("error: {0}").format(message), file=sys.stderr)
            return 2
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)

    from ui.i18n import install_language, remember_language, remembered_language

    if args.lang:
        if not (args.screenshot or args.first_paint):
            remember_language(args.lang)
        install_language(app, args.lang)
    elif not (args.screenshot or args.first_paint):
        install_language(app, remembered_language())

    from ui.main_window import MainWindow

    screenshot = args.screenshot
    location = database_location(args.db)
    folder = location.missing_folder()
    if screenshot and folder is not None and not location.in_app_folder:  # nobody there to ask
        print(_("error: the folder {folder} does not exist, so there is no database at {path}; nothing was "
                "created.").format(folder=folder, path=location.path), file=sys.stderr)
        return 2
    settings = None if screenshot or args.first_paint else QSettings()
    window = MainWindow(location, settings=settings, fund_code=args.fund, staged=True)
    exit_code = {"value": 0}

    if screenshot:
        try:
            width, height = (int(x) for x in args.size.lower().split("x"))
        except ValueError:
            print(_("error: --size must look like 1280x800, not {0}").format(args.size), file=sys.stderr)
            return 2
        window.resize(width, height)

        def save() -> None:  # at once, as the first screen completes: grab() renders it afresh
            if window.grab().save(screenshot):
                print(_("Saved a screenshot of GrantDesk to {0}").format(screenshot))
            else:
                print(_("error: could not write the screenshot to {0}").format(screenshot), file=sys.stderr)
                exit_code["value"] = 1
            QTimer.singleShot(0, window.close)

        def failed(message: str) -> None:
            print(_("error: {0}").format(message), file=sys.stderr)
            exit_code["value"] = 1
            window.close()

        def timed_out() -> None:
            print(_("error: the window did not finish loading within a minute"), file=sys.stderr)
            exit_code["value"] = 1
            window.close()

        deadline = QTimer(window)  # the window's own, stopped when the run ends: never left to fire later
        deadline.setSingleShot(True)
        deadline.timeout.connect(timed_out)
        window.ready.connect(save)
        window.load_failed.connect(failed)
        deadline.start(SCREENSHOT_TIMEOUT_MS)

    if not (screenshot or args.first_paint):
        from ui.sign_in import require_sign_in

        window.ready.connect(lambda: require_sign_in(window))  # a PIN or password, if the database asks
    collector = _CollectorPaused(window)
    if args.first_paint:  # tests/bench/startup.py: the process ends as the window first paints
        _OnFirstPaint(window, lambda: os._exit(0))
    else:
        _OnFirstPaint(window, window.start, fallback_ms=500)  # paint first, then load
    window.show()
    code = app.exec()
    collector.release()  # however it ended
    if screenshot:
        deadline.stop()
    window.deleteLater()  # and with it its timers, when a caller's event loop goes on (tests)
    return exit_code["value"] or code


def run() -> int:
    """The ``grantdesk`` command (and ``python -m ui.app``): ``main()``, then leave without the slow part.

    When ``main()`` returns, the window has closed its database and written its settings; atexit
    handlers still run as always. What is left is the interpreter's final collections over every object
    the app made: about 80 ms after a 10,000-application start (tests/bench/startup.py).
    ``gc.freeze()`` moves those objects to the permanent generation, which the final collections skip;
    their memory goes back with the process, as it always does."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
