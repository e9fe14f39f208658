"""Voting at the kiosk: a code is checked before the ballot paper is shown, and the ballot cast with
it — the code marked used, the ballot stored and its receipt kept in one transaction. Nothing joins
the three: the ballot row carries no code, receipt, voter or time and takes a random key; the receipt
is kept in a table of its own, under a random key of its own (``ReceiptRow``); the code register
keeps only that the code was used, and on which day; the audit log says that a ballot was cast in
the event, and when, but not which ballot, code or receipt, nor any choice. Leaving kiosk mode needs
the officer's PIN."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grantdesk.services.common import audit, utcnow
from grantdesk.services.events.codes import code_row, open_for_ballots
from grantdesk.services.events.common import event_by_id, new_receipt, stored_marks
from grantdesk.services.events.setup import pin_matches
from grantdesk.services.events.views import view_of
from grantdesk.store.database import Database
from grantdesk.store.models import CastBallotRow, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.voting.ballots import BallotRejected, BallotRules, CastBallot, ballot_problems

KIOSK_ACTOR = "Kiosk"  # who the audit log says cast a ballot: not the officer signed in, not the voter


def check_code(db: Database, event_id: int, text: str) -> str:
    """The code, normalised, if it can vote now; ``CodeRefused`` or ``VotingClosed`` otherwise. The
    kiosk asks this before showing the ballot paper; ``cast_ballot`` checks again when it is cast."""
    with db.session() as s:
        event = event_by_id(s, event_id)
        open_for_ballots(event, utcnow())
        return code_row(s, event, text).code


def record_ballot(session: Session, event: VotingEvent, code: str, ballot: CastBallot, *,
                  now: datetime | None = None, rules: BallotRules | None = None) -> str:
    """Cast a kiosk ballot in ``session``: check the event is open, the code good and the ballot valid,
    mark the code used, store the ballot and, apart from it, its receipt; audit that a ballot was cast
    (``event.ballot_cast``: the event, nothing of the ballot); returns the receipt."""
    now = now or utcnow()
    open_for_ballots(event, now)
    row = code_row(session, event, code)
    problems = ballot_problems(rules or view_of(session, event).rules,
                               CastBallot("kiosk", ballot.choices, ballot.points))
    if problems:
        raise BallotRejected(problems)
    row.used = True
    row.used_on = now.date()
    receipt = new_receipt(session, event)
    choices, points = stored_marks(ballot)
    session.add(CastBallotRow(event_id=event.id, source="kiosk", choices=choices, points=points))
    audit(session, actor=KIOSK_ACTOR, action="event.ballot_cast", entity="voting_event", entity_id=event.id, at=now,
          summary=f"A ballot was cast at the kiosk in “{event.name}”")
    session.flush()
    return receipt


@transactional
def cast_ballot(uow: UnitOfWork, event_id: int, code: str, ballot: CastBallot) -> str:
    """Cast a kiosk ballot with a one-time code; returns the receipt number shown to the voter.

    The code is marked used, the ballot stored and its receipt kept in one transaction. The stored
    ballot carries no code, receipt, voter or time, and nothing else stored joins it to them. Raises ``CodeRefused``, ``VotingClosed`` or ``BallotRejected`` (every problem).
    """
    return record_ballot(uow.session, event_by_id(uow.session, event_id), code, ballot)


def check_kiosk_pin(db: Database, event_id: int, pin: str) -> bool:
    with db.session() as s:
        return pin_matches(event_by_id(s, event_id).kiosk_pin_hash, pin)
