"""Opening attached documents: a private copy removed on exit, and files that can run code saved, never opened."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers import build_fund, opened_window
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from grantdesk.services import attachments
from grantdesk.store.models import Application

TIMEOUT = 10_000
PDF = b"%PDF-1.4\n% Kinver Knit and Natter constitution\n"
EXE = b"MZ\x90\x00 not really a program"

OPENS = ("constitution.pdf", "Bank statement.PDF", "photo.jpg", "hall.png", "quote.docx", "budget.xlsx", "notes.txt",
         "accounts.csv", "minutes.odt", "letter.rtf", "plan.tar.gz")
SAVED = ("setup.exe", "install.bat", "run.cmd", "old.com", "package.msi", "tidy.ps1", "macro.vbs", "page.js",
         "tool.jar", "screensaver.scr", "invite.html", "invite.htm", "logo.svg", "app.hta", "shortcut.lnk",
         "build.sh", "script.py", "letter.docm", "budget.xlsm", "slides.pptm", "addin.xlam", "launcher.desktop",
         "disk.iso", "report.pdf.exe", "Setup.EXE.", "invoice.pdf .exe", "README")


@pytest.fixture(autouse=True)
def private_runtime(tmp_path, monkeypatch):
    """Each test gets its own runtime folder, and this run's opened copies are gone after it."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    attachments.remove_opened_copies()
    yield runtime
    attachments.remove_opened_copies()


@pytest.mark.parametrize("name", OPENS)
def test_documents_open(name):
    assert attachments.opens_safely(name)


@pytest.mark.parametrize("name", SAVED)
def test_files_that_can_run_code_are_never_opened(name):
    assert not attachments.opens_safely(name)


def _attach(db, filename: str, data: bytes) -> int:
    build_fund(db, applications_count=1)
    with db.session() as s:
        app_id = s.scalar(select(Application.id))
    return attachments.add_attachment(db, app_id, filename, data, kind="constitution").id


def test_an_opened_copy_is_private_to_the_officer_and_removed_at_exit(db, private_runtime, monkeypatch):
    at_exit = []
    monkeypatch.setattr(attachments.atexit, "register", lambda fn: at_exit.append(fn))
    attachment_id = _attach(db, "Our constitution.pdf", PDF)
    copy = attachments.copy_to_open(db, attachment_id)
    assert copy.opens and copy.path.read_bytes() == PDF and copy.path.name == "Our constitution.pdf"
    folder = attachments.opened_copies_folder()
    assert folder.parent == private_runtime and copy.path.is_relative_to(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(copy.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(copy.path.stat().st_mode) == 0o600
    again = attachments.copy_to_open(db, attachment_id)  # the same run: the same folder, registered once
    assert again.path == copy.path and at_exit == [attachments.remove_opened_copies]
    at_exit[0]()  # what happens at exit
    assert not folder.exists()
    assert attachments.copy_to_open(db, attachment_id).path.read_bytes() == PDF  # a new folder if opened again


def test_without_a_runtime_folder_the_copy_goes_in_the_users_cache_folder(db, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = attachments.copy_to_open(db, _attach(db, "photo.jpg", b"\xff\xd8\xff"))
    assert copy.path.is_relative_to(tmp_path / "cache")
    assert stat.S_IMODE(attachments.opened_copies_folder().stat().st_mode) == 0o700


def test_a_program_is_not_written_to_be_opened_but_can_be_saved(db, tmp_path):
    attachment_id = _attach(db, "setup.exe", EXE)
    copy = attachments.copy_to_open(db, attachment_id)
    assert not copy.opens and copy.path is None and copy.filename == "setup.exe"
    assert attachments._folder is None  # nothing was written anywhere
    target = attachments.save_attachment_as(db, attachment_id, tmp_path / "saved.exe")
    assert target.read_bytes() == EXE


# --- in the app -------------------------------------------------------------------------------------------


@pytest.fixture
def window(qtbot, sample_path):
    return opened_window(qtbot, sample_path, "PHP")


@pytest.fixture
def desktop(monkeypatch, tmp_path):
    """The desktop and the Save dialog, recorded: nothing real is opened or asked."""
    seen = {"opened": [], "asked": [], "told": []}
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: seen["opened"].append(url.toLocalFile()) or True)

    def save_dialog(parent, title, proposed, *args, **kwargs):
        seen["asked"].append((title, proposed))
        return str(tmp_path / "kept" / Path(proposed).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: seen["told"].append(text))
    (tmp_path / "kept").mkdir()
    return seen


def _stored(window, filename: str, data: bytes) -> int:
    app_id = window.current_detail.row.id
    return attachments.add_attachment(window.db, app_id, filename, data, kind="other").id


def test_a_program_attached_to_an_application_is_offered_for_saving_not_opened(qtbot, window, desktop, tmp_path):
    attachment_id = _stored(window, "setup.exe", EXE)
    window.detail.anchorClicked.emit(QUrl(f"attachment:{attachment_id}"))  # the link in the detail pane
    qtbot.waitUntil(lambda: (tmp_path / "kept" / "setup.exe").exists(), timeout=TIMEOUT)
    assert (tmp_path / "kept" / "setup.exe").read_bytes() == EXE
    [(title, proposed)] = desktop["asked"]
    assert "does not open files that can run programs" in title and Path(proposed).name == "setup.exe"
    assert desktop["opened"] == []


def test_a_pdf_opens_from_the_private_folder_which_goes_when_the_app_quits(qtbot, window, desktop):
    attachment_id = _stored(window, "constitution.pdf", PDF)
    window.detail.anchorClicked.emit(QUrl(f"attachment:{attachment_id}"))
    qtbot.waitUntil(lambda: bool(desktop["opened"]), timeout=TIMEOUT)
    opened = Path(desktop["opened"][0])
    assert opened.read_bytes() == PDF and opened.is_relative_to(attachments.opened_copies_folder())
    assert desktop["asked"] == []
    QCoreApplication.instance().aboutToQuit.emit()  # what quitting the app does
    assert not opened.exists() and not opened.parent.parent.exists()


def test_the_editor_saves_a_program_instead_of_opening_it_stored_or_not(qtbot, window, desktop, tmp_path,
                                                                       monkeypatch):
    from ui.editor import ApplicationEditor

    monkeypatch.setattr(ApplicationEditor, "ask_unsaved", lambda self: "discard")
    attachment_id = _stored(window, "macro.xlsm", b"PK\x03\x04 a workbook with macros")
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as signal:
        window.actions.edit_application()  # the selected application, with its stored documents
    editor = signal.args[0]
    editor.refresh_documents()  # (an editor opened on a saved application does not list its documents by itself)

    def row_of(wanted):
        return next((i for i in range(editor.documents.count())
                     if tuple(editor.documents.item(i).data(Qt.ItemDataRole.UserRole)) == wanted), None)

    qtbot.waitUntil(lambda: row_of(("stored", attachment_id)) is not None, timeout=TIMEOUT)
    editor.documents.setCurrentRow(row_of(("stored", attachment_id)))
    editor.open_document()
    qtbot.waitUntil(lambda: (tmp_path / "kept" / "macro.xlsm").exists(), timeout=TIMEOUT)
    assert desktop["opened"] == [] and len(desktop["asked"]) == 1

    program = tmp_path / "tidy.ps1"  # chosen in a new application, not saved yet: where it was chosen from
    program.write_text("Remove-Item -Recurse C:\\")
    editor.close()
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as signal:
        window.actions.new_application()
    editor = signal.args[0]
    editor.attach(program, "other")
    editor.documents.setCurrentRow(row_of(("pending", str(program))))
    editor.open_document()
    assert desktop["opened"] == [] and "can run programs" in desktop["told"][0]
