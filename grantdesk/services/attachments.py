"""Attachments (constitutions, bank statements, quotes, photos) kept inside the database.

Opening one (``copy_to_open``) writes a copy into a private folder (``opened_copies_folder``: made once
per run with ``tempfile.mkdtemp`` under the user's runtime or cache folder, readable by the officer
alone, 0700) that is removed when GrantDesk ends (``remove_opened_copies``: at exit, and when the app
quits). A file of a type that can run code — a program, a script, a web page, a shortcut, an Office file
with macros (``RUNS_CODE``) — is never written there to be opened: the caller offers to save it
(``save_attachment_as``), so nothing an applicant sent runs by a double-click.
"""

from __future__ import annotations

import atexit
import hashlib
import mimetypes
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.eligibility import ATTACHMENT_KINDS
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.store.queries import AttachmentInfo, attachments_for  # read without the ORM
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import Application, Attachment
from grantdesk.i18n import _

MAX_BYTES = 25 * 1024 * 1024  # an e-mail attachment's worth; scans of a constitution are well under


@dataclass(frozen=True)
class NewDocument:
    """A document to attach, read into memory: its file name, kind and bytes."""

    filename: str
    kind: str
    data: bytes


def read_document(path: str | Path, kind: str = "other") -> NewDocument:
    """Read a file the officer chose to attach; a file that cannot be read is a refusal, by name."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(_("{name} could not be read ({value}); nothing was saved.").format(
                                name=path.name, value=exc.strerror or exc),
                              "attachment") from exc
    return NewDocument(path.name, kind, data)


def put_attachment(session: Session, *, actor: str, application: Application, filename: str, data: bytes,
                   kind: str = "other", media_type: str | None = None, at: datetime | None = None) -> Attachment:
    name = Path(filename).name.strip()
    if not name:
        raise ValidationError(_("The document needs a file name."), "attachment")
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError(_("“{kind}” is not a kind of document; use one of {attachment_kinds}.").format(
                                kind=kind, attachment_kinds=', '.join(ATTACHMENT_KINDS)),
                              "attachment")
    if not data:
        raise ValidationError(_("{name} is empty.").format(name=name), "attachment")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("{name} is {count:.1f} MB; documents can be up to {max_bytes} MB.").format(
              name=name, count=len(data) / 1048576, max_bytes=MAX_BYTES // 1048576), "attachment"
        )
    attachment = Attachment(
        application_id=application.id, kind=kind, filename=name,
        media_type=media_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
        added_at=at or utcnow(), added_by=actor,
    )
    session.add(attachment)
    session.flush()
    audit(session, actor=actor, action="attachment.add", entity="application", entity_id=application.id,
          summary=f"Attached {ATTACHMENT_KINDS[kind].lower()} “{name}” to {application.reference}",
          after={"attachment_id": attachment.id, "sha256": attachment.sha256, "size_bytes": len(data)})
    return attachment


@transactional
def add_attachment(uow: UnitOfWork, application_id: int, filename: str, data: bytes, *, kind: str = "other",
                   actor: str | None = None) -> AttachmentInfo:
    app = uow.session.get(Application, application_id)
    if app is None:
        raise NotFound(_("There is no application with id {application_id}.").format(application_id=application_id))
    att = put_attachment(uow.session, actor=actor_or_default(actor), application=app, filename=filename,
                         data=data, kind=kind)
    return next(a for a in attachments_for(uow.session, application_id) if a.id == att.id)


def list_attachments(db: Database, application_id: int) -> tuple[AttachmentInfo, ...]:
    with db.unit_of_work() as uow:
        return attachments_for(uow.session, application_id)


def read_attachment(db: Database, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
    with db.unit_of_work() as uow:
        row = uow.session.execute(select(Attachment.application_id, Attachment.data)
                                  .where(Attachment.id == attachment_id)).one_or_none()
        if row is None:
            raise NotFound(_("That document is no longer attached."))
        info = next(a for a in attachments_for(uow.session, row.application_id) if a.id == attachment_id)
        return info, row.data


@transactional
def remove_attachment(uow: UnitOfWork, attachment_id: int, *, actor: str | None = None) -> None:
    who = actor_or_default(actor)
    s = uow.session
    att = s.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_("That document is no longer attached."))
    app = s.get(Application, att.application_id)
    audit(s, actor=who, action="attachment.remove", entity="application", entity_id=att.application_id,
          summary=f"Removed “{att.filename}” from {app.reference if app else 'an application'}",
          before={"attachment_id": att.id, "sha256": att.sha256})
    s.delete(att)


# --- opening a copy --------------------------------------------------------------------------------------

# Types that can run code when opened with the desktop's default application: programs and installers,
# scripts, web pages and pictures that can carry script (HTML, SVG, HTA, XML with XSLT), shortcuts and
# launchers, disk images, and Office files that carry macros. Such a file is saved, never opened.
RUNS_CODE = frozenset({
    # programs, installers and libraries
    "exe", "com", "scr", "pif", "cpl", "msi", "msp", "mst", "msix", "msixbundle", "appx", "appxbundle",
    "appref-ms", "application", "gadget", "dll", "ocx", "sys", "drv", "jar", "class", "apk", "app", "dmg",
    "pkg", "mpkg", "deb", "rpm", "appimage", "snap", "flatpakref", "run", "bin", "elf", "out", "so", "dylib",
    # scripts
    "bat", "cmd", "btm", "ps1", "psm1", "psd1", "ps1xml", "psc1", "vbs", "vbe", "js", "jse", "mjs", "cjs",
    "wsf", "wsh", "wsc", "sct", "sh", "bash", "zsh", "ksh", "csh", "fish", "command", "tool", "py", "pyw", "pyc",
    "pyz", "pl", "rb", "php", "lua", "tcl", "applescript", "scpt", "scptd", "workflow", "ahk", "au3", "vb",
    "ws", "msc", "reg", "inf", "scf", "ins", "isp", "job", "xbap", "xll",
    # web pages and documents that carry script
    "html", "htm", "xhtml", "shtml", "mht", "mhtml", "hta", "svg", "svgz", "xml", "xsl", "xslt", "chm", "hlp",
    # shortcuts, launchers and links
    "lnk", "url", "website", "desktop", "webloc", "inetloc", "fileloc", "library-ms", "searchconnector-ms",
    "settingcontent-ms", "theme", "themepack",
    # disk images (open as a drive that can autorun)
    "iso", "img", "vhd", "vhdx",
    # Office files with macros, add-ins and databases that run VBA
    "docm", "dotm", "xlsm", "xltm", "xlam", "xla", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm", "ppa",
    "accdb", "accde", "accdr", "mdb", "mde", "ade", "adp", "mda",
})


def extension_of(filename: str) -> str:
    """The extension the desktop goes by, lower case, without the dot ("Setup.EXE." → "exe")."""
    name = Path(str(filename).replace("\\", "/")).name.rstrip(". ")  # Windows ignores trailing dots/spaces
    return name.rpartition(".")[2].lower() if "." in name else ""


def opens_safely(filename: str) -> bool:
    """Whether GrantDesk may hand this file to the desktop to open: it has an extension, and not one of a
    type that can run code (``RUNS_CODE``). Anything else is saved instead."""
    ext = extension_of(filename)
    return bool(ext) and ext not in RUNS_CODE


_folder_lock = threading.Lock()
_folder: Path | None = None


def _base_folder() -> Path | None:
    """Where the private folder goes: the session's runtime folder (``$XDG_RUNTIME_DIR``: private, in
    memory, emptied at log-out) if there is one, else the user's cache folder, else the system's temp."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK):
        return Path(runtime)
    try:
        from platformdirs import user_cache_path

        cache = user_cache_path("GrantDesk", appauthor=False)
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cache
    except OSError:
        return None


def opened_copies_folder() -> Path:
    """This run's private folder for opened copies: made on first use (0700, with ``tempfile.mkdtemp``),
    removed at exit."""
    global _folder
    with _folder_lock:
        if _folder is None or not _folder.is_dir():
            _folder = Path(tempfile.mkdtemp(prefix="grantdesk-opened-", dir=_base_folder()))
            os.chmod(_folder, 0o700)
            atexit.register(remove_opened_copies)
        return _folder


def remove_opened_copies() -> None:
    """Remove this run's opened copies and their folder (at exit and when the app quits; safe to repeat)."""
    global _folder
    with _folder_lock:
        folder, _folder = _folder, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _safe_name(filename: str, attachment_id: int) -> str:
    name = Path(str(filename).replace("\\", "/")).name.strip().strip(".") or f"document-{attachment_id}"
    return "".join("_" if c in '<>:"|?*' or ord(c) < 32 else c for c in name)


@dataclass(frozen=True)
class AttachmentCopy:
    """What opening an attachment gave: ``path`` is a private copy to hand to the desktop, or None when
    the file is of a type that can run code and must be saved instead (``save_attachment_as``)."""

    attachment_id: int
    filename: str
    path: Path | None

    @property
    def opens(self) -> bool:
        return self.path is not None


def copy_to_open(db: Database, attachment_id: int) -> AttachmentCopy:
    """A copy of the attachment in this run's private folder, ready to open — unless its type can run
    code: then nothing is written and ``path`` is None."""
    info, data = read_attachment(db, attachment_id)
    if not opens_safely(info.filename):
        return AttachmentCopy(attachment_id, info.filename, None)
    folder = opened_copies_folder() / str(attachment_id)
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / _safe_name(info.filename, attachment_id)
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as fh:
        fh.write(data)
    return AttachmentCopy(attachment_id, info.filename, target)


def save_attachment_as(db: Database, attachment_id: int, target: str | Path) -> Path:
    """Save the attachment where the officer chose (the way to look at a file GrantDesk will not open)."""
    _info, data = read_attachment(db, attachment_id)
    target = Path(target)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise ValidationError(_("{name} could not be saved ({value}).").format(
                                name=target.name, value=exc.strerror or exc), "attachment") from exc
    return target
