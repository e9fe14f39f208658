"""Attachments (constitutions, bank statements, quotes, photos) kept inside the database."""

from __future__ import annotations

import hashlib
import mimetypes
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
        raise ValidationError(f"{path.name} could not be read ({exc.strerror or exc}); nothing was saved.",
                              "attachment") from exc
    return NewDocument(path.name, kind, data)


def put_attachment(session: Session, *, actor: str, application: Application, filename: str, data: bytes,
                   kind: str = "other", media_type: str | None = None, at: datetime | None = None) -> Attachment:
    name = Path(filename).name.strip()
    if not name:
        raise ValidationError("The document needs a file name.", "attachment")
    if kind not in ATTACHMENT_KINDS:
        raise ValidationError(f"“{kind}” is not a kind of document; use one of {', '.join(ATTACHMENT_KINDS)}.",
                              "attachment")
    if not data:
        raise ValidationError(f"{name} is empty.", "attachment")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"{name} is {len(data) / 1048576:.1f} MB; documents can be up to {MAX_BYTES // 1048576} MB.", "attachment"
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
        raise NotFound(f"There is no application with id {application_id}.")
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
            raise NotFound("That document is no longer attached.")
        info = next(a for a in attachments_for(uow.session, row.application_id) if a.id == attachment_id)
        return info, row.data


@transactional
def remove_attachment(uow: UnitOfWork, attachment_id: int, *, actor: str | None = None) -> None:
    who = actor_or_default(actor)
    s = uow.session
    att = s.get(Attachment, attachment_id)
    if att is None:
        raise NotFound("That document is no longer attached.")
    app = s.get(Application, att.application_id)
    audit(s, actor=who, action="attachment.remove", entity="application", entity_id=att.application_id,
          summary=f"Removed “{att.filename}” from {app.reference if app else 'an application'}",
          before={"attachment_id": att.id, "sha256": att.sha256})
    s.delete(att)
