"""One-time ballot codes: issued in batches (with their printed cards, in one transaction), typed at
the kiosk, used once. The register records only that a code was issued and used, and on which day."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.services.events.common import CODE_ALPHABET, CODE_LENGTH, CodeRefused, VotingClosed, event_by_id
from grantdesk.services.events.views import EventView, view_of
from grantdesk.store.database import Database
from grantdesk.store.models import BallotCode, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _

CardDrawer = Callable[[EventView, list[str], Path], Any]
"""Draws the code cards for the codes (formatted) to a PDF at the path: ``grantdesk.reports.ballot_cards.
ballot_cards_pdf``, handed in by the window, so that the services never import the reports."""


def normalise_code(text: str) -> str:
    """What a voter typed, as stored: capitals, no spaces or dashes; O read as 0 is not possible (the
    alphabet has neither), but a typed 0 or O, 1 or I or L are common slips and are left to fail."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``"K7M2Q9XH"`` → ``"K7M2-Q9XH"``, as printed on the cards."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def add_codes(session: Session, event: VotingEvent, count: int, *, actor: str, at: datetime | None = None) -> list[str]:
    """Make ``count`` new one-time codes for the event in ``session``; returns them unformatted."""
    if not 1 <= count <= 20_000:
        raise ValidationError(_("Issue between 1 and 20,000 codes at a time."), "count")
    if event.closed_at is not None:
        raise VotingClosed(_("Voting at “{name}” has closed: no more codes can be issued.").format(name=event.name))
    existing = set(session.scalars(select(BallotCode.code).where(BallotCode.event_id == event.id)))
    made: list[str] = []
    now = at or utcnow()
    while len(made) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in existing:
            existing.add(code)
            made.append(code)
    session.execute(BallotCode.__table__.insert(),
                    [{"event_id": event.id, "code": c, "issued_at": now, "used": False} for c in made])
    audit(session, actor=actor, action="event.codes", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Issued {count} ballot codes for “{event.name}”")
    return made


@transactional
def issue_codes(uow: UnitOfWork, event_id: int, count: int, *, actor: str | None = None) -> list[str]:
    """Make ``count`` new one-time codes for the event; returns them formatted, as printed."""
    made = add_codes(uow.session, event_by_id(uow.session, event_id), count, actor=actor_or_default(actor))
    return [format_code(c) for c in made]


@dataclass(frozen=True)
class CodeCards:
    """What ``issue_code_cards`` made: the codes (formatted) and the PDF of their cards."""

    codes: tuple[str, ...]
    path: Path


@transactional
def issue_code_cards(uow: UnitOfWork, event_id: int, count: int, target: str | Path, *, draw: CardDrawer,
                     actor: str | None = None) -> CodeCards:
    """Issue ``count`` new codes and draw their cards to the PDF ``target`` — one action, all or nothing.

    The codes are made and written (not yet kept), the cards drawn under a temporary name beside
    ``target`` and moved into place only once drawing has finished; the codes are kept only then. If
    drawing fails (or the file cannot be written), no codes exist and no file is left."""
    codes = issue_codes(uow, event_id, count, actor=actor)
    uow.flush()  # a code the database refuses stops here, before any file is drawn
    view = view_of(uow.session, event_by_id(uow.session, event_id))
    path = Path(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        draw(view, codes, Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return CodeCards(tuple(codes), path)


def event_codes(db: Database, event_id: int, *, unused_only: bool = True) -> list[str]:
    with db.session() as s:
        query = select(BallotCode.code).where(BallotCode.event_id == event_id).order_by(BallotCode.id)
        if unused_only:
            query = query.where(BallotCode.used.is_(False))
        return [format_code(c) for c in s.scalars(query)]


def code_row(session: Session, event: VotingEvent, text: str) -> BallotCode:
    """The code's row, if it can vote: ``CodeRefused`` for none typed, an unknown code or a used one."""
    code = normalise_code(text)
    if not code:
        raise CodeRefused(_("Type the code from your card."))
    row = session.scalar(select(BallotCode).where(BallotCode.event_id == event.id, BallotCode.code == code))
    if row is None:
        raise CodeRefused(_("“{format_code}” is not a code for this vote. Check the card and try again, or ask a "
                            "volunteer for help.").format(format_code=format_code(code)))
    if row.used:
        raise CodeRefused(_("The code {format_code} has already been used to vote. Each code can be used once; "
                            "please ask a volunteer.").format(format_code=format_code(code)))
    return row


def open_for_ballots(event: VotingEvent, now: datetime) -> None:
    """``VotingClosed`` unless the event takes kiosk ballots at ``now``."""
    if event.confirmed_at is not None or event.closed_at is not None:
        raise VotingClosed(_("Voting at “{name}” has closed.").format(name=event.name))
    if event.opens_at and now < event.opens_at:
        raise VotingClosed(_("Voting at “{name}” opens at {opens_at:%H:%M on %d/%m/%Y}.").format(
                             name=event.name, opens_at=event.opens_at))
    if event.closes_at and now > event.closes_at:
        raise VotingClosed(_("Voting at “{name}” closed at {closes_at:%H:%M on %d/%m/%Y}.").format(
                             name=event.name, closes_at=event.closes_at))
