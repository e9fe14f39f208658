"""Opening an attached document from any window, the one safe way.

A document of a type that opens safely is copied into GrantDesk's private folder for this run and handed
to the desktop's viewer; the folder is removed when the app quits (and at exit). A document of a type that
can run code (a program, a script, a web page, a shortcut, an Office file with macros) is never opened:
the officer is offered a Save dialog instead. The rules are ``grantdesk.services.attachments``'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui.operations import Query

_cleanup_connected = False


def _remove_when_the_app_quits() -> None:
    global _cleanup_connected
    app = QCoreApplication.instance()
    if app is None or _cleanup_connected:
        return
    from grantdesk.services.attachments import remove_opened_copies

    app.aboutToQuit.connect(remove_opened_copies)
    _cleanup_connected = True


def _widget(owner: Any) -> QWidget | None:
    """The widget a dialog belongs to: the owner itself, or the window of a window's helper."""
    if isinstance(owner, QWidget):
        return owner
    window = getattr(owner, "window", None)
    return window if isinstance(window, QWidget) else None


def open_attachment(owner: Any, attachment_id: int, *, failure: Any = None) -> None:
    """Open a stored attachment: a private copy shown in the desktop's viewer, or for a type that can run
    code, a Save dialog. ``owner`` runs the reads (a window, or a window's helper with ``db`` and
    ``runner``); ``failure`` shows a refusal (else the owner's ``show_refusal``)."""
    def work(db):
        from grantdesk.services.attachments import copy_to_open

        return copy_to_open(db, attachment_id)

    _remove_when_the_app_quits()
    query = Query(owner, work).success(lambda copy: _opened(owner, copy, failure))
    if failure is not None:
        query.failure(failure)
    query.run()


def _opened(owner: Any, copy: Any, failure: Any) -> None:
    if copy.path is not None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy.path)))
        return
    save_instead(owner, copy.attachment_id, copy.filename, failure=failure)


def save_instead(owner: Any, attachment_id: int, filename: str, *, failure: Any = None) -> None:
    """Offer to save a document GrantDesk will not open, because opening it could run a program."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation) or str(Path.home())
    title = QCoreApplication.translate(
        "AttachmentOpen", "Save %1: GrantDesk does not open files that can run programs").replace("%1", filename)
    chosen, _ = QFileDialog.getSaveFileName(_widget(owner), title, str(Path(folder) / filename))
    if not chosen:
        return

    def work(db):
        from grantdesk.services.attachments import save_attachment_as

        return save_attachment_as(db, attachment_id, Path(chosen))

    query = Query(owner, work)
    if failure is not None:
        query.failure(failure)
    query.run()


def open_local_file(parent: QWidget, path: str | Path) -> None:
    """Open a file the officer chose and has not saved yet (still where it was chosen from), unless it is
    of a type that can run code."""
    from grantdesk.services.attachments import opens_safely

    if opens_safely(str(path)):
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return
    text = QCoreApplication.translate(
        "AttachmentOpen", "GrantDesk does not open %1: files of this type can run programs. It is still where "
        "you chose it from: %2").replace("%1", Path(path).name).replace("%2", str(Path(path).parent))
    QMessageBox.information(parent, QCoreApplication.translate("AttachmentOpen", "Not opened"), text)
