"""Voting at the kiosk: a code is checked before the ballot paper is shown, and the ballot cast with
it — the code marked used and the ballot stored in one transaction, the ballot carrying no code,
voter or time. Leaving kiosk mode needs the officer's PIN."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grantdesk.services.common import utcnow
from grantdesk.services.events.codes import code_row, open_for_ballots
from grantdesk.services.events.common import event_by_id, new_receipt, stored_marks
from grantdesk.services.events.setup import pin_matches
from grantdesk.services.events.views import view_of
from grantdesk.store.database import Database
from grantdesk.store.models import CastBallotRow, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.voting.ballots import BallotRejected, BallotRules, CastBallot, ballot_problems


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
    mark the code used and store the ballot; returns the receipt."""
    now = now or utcnow()
    open_for_ballots(event, now)
    row = code_row(session, event, code)
    problems = ballot_problems(rules or view_of(session, event).rules,
                               CastBallot("kiosk", ballot.choices, ballot.points))
    if problems:
        raise BallotRejected(problems)
    row.used = True
    row.used_on = now.date()
    receipt = new_receipt(session, event.id)
    choices, points = stored_marks(ballot)
    session.add(CastBallotRow(event_id=event.id, receipt=receipt, source="kiosk", choices=choices, points=points))
    session.flush()
    return receipt


@transactional
def cast_ballot(uow: UnitOfWork, event_id: int, code: str, ballot: CastBallot) -> str:
    """Cast a kiosk ballot with a one-time code; returns the receipt number shown to the voter.

    The code is marked used and the ballot stored in one transaction. The stored ballot carries no
    code, voter or time. Raises ``CodeRefused``, ``VotingClosed`` or ``BallotRejected`` (every problem).
    """
    return record_ballot(uow.session, event_by_id(uow.session, event_id), code, ballot)


def check_kiosk_pin(db: Database, event_id: int, pin: str) -> bool:
    with db.session() as s:
        return pin_matches(event_by_id(s, event_id).kiosk_pin_hash, pin)
