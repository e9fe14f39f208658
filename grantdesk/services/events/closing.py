"""The officer's steps after a vote: reveal the results on the projector, close voting, and confirm
the results — which moves the applications (funded ones awarded what they asked for, the others
declined with the vote as the reason), all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services.applications import do_transition
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.services.decisions import add_award
from grantdesk.services.events.common import ballots_in, event_by_id, sheet_key
from grantdesk.services.events.counting import count_results
from grantdesk.store.models import Application, CastBallotRow, PaperEntry, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _


def mark_revealed(session: Session, event: VotingEvent, *, actor: str, at: datetime | None = None) -> None:
    if event.revealed_at is None:
        event.revealed_at = at or utcnow()
        audit(session, actor=actor, action="event.reveal", entity="voting_event", entity_id=event.id, at=at,
              summary=f"Revealed the results of “{event.name}”")


@transactional
def reveal_results(uow: UnitOfWork, event_id: int, *, actor: str | None = None) -> None:
    """Show the results on the projector (for an event that hides them until an officer says so)."""
    mark_revealed(uow.session, event_by_id(uow.session, event_id), actor=actor_or_default(actor))


def mark_closed(session: Session, event: VotingEvent, *, actor: str, at: datetime | None = None) -> None:
    if event.closed_at is None:
        event.closed_at = at or utcnow()
        audit(session, actor=actor, action="event.close", entity="voting_event", entity_id=event.id, at=at,
              summary=f"Closed voting at “{event.name}”")


@transactional
def close_voting(uow: UnitOfWork, event_id: int, *, actor: str | None = None) -> None:
    """Stop taking kiosk ballots and issuing codes. Paper ballots can still be keyed and counted.

    Only a vote that is open can be closed: refused for one still being set up (no ballot cast or
    keyed yet) and for one closed already."""
    event = event_by_id(uow.session, event_id)
    if event.closed_at is not None:
        raise ValidationError(_("Voting at “{name}” is closed already.").format(name=event.name))
    if not ballots_in(uow.session, event.id):
        raise ValidationError(_("Voting at “{name}” has not started: it is still being set up, with no ballot "
                                "cast or keyed, so there is nothing to close.").format(name=event.name))
    mark_closed(uow.session, event, actor=actor_or_default(actor))


@dataclass(frozen=True, slots=True)
class Confirmation:
    awarded: tuple[str, ...]
    declined: tuple[str, ...]
    funded_pence: int


def confirm(session: Session, event: VotingEvent, *, actor: str, on: date | None = None,
            at: datetime | None = None) -> Confirmation:
    """Confirm the event's results in ``session`` (see ``confirm_results``)."""
    who = actor
    s = session
    event_id = event.id
    if event.confirmed_at is not None:
        raise ValidationError(_("The results of “{name}” were confirmed already.").format(name=event.name))
    if event.closed_at is None:
        raise ValidationError(_("Close voting before confirming the results."))
    results = count_results(s, event)
    if not results.tally.accepted:
        raise ValidationError(_("No ballot has been counted, so there is no result to confirm."))
    keyed = set(s.scalars(select(PaperEntry.sheet).where(PaperEntry.event_id == event_id)))
    counted = set(s.scalars(select(CastBallotRow.paper_sheet).where(CastBallotRow.event_id == event_id)))
    open_sheets = sorted(keyed - counted, key=sheet_key)
    if open_sheets:
        raise ValidationError(_("Paper sheets not yet counted (keyed once, or a mismatch): {open_sheets}. Finish "
                                "keying them before confirming.").format(open_sheets=', '.join(open_sheets)))
    day = on or (at or utcnow()).date()
    awarded, declined = [], []
    total = len(results.projects)
    for p in results.projects:
        app = s.scalar(select(Application).where(Application.reference == p.reference))
        if app is None or app.status != Status.SHORTLISTED.value:
            continue  # withdrawn since the vote, say: left as it is
        if p.funded:
            do_transition(s, app, Status.AWARDED, actor=who, on=day, at=at,
                          reason=f"Funded by the community vote “{event.name}”")
            add_award(s, actor=who, application=app, amount_pence=app.amount_requested_pence, awarded_on=day,
                      spend_by=app.round.spend_by if app.round else None)
            awarded.append(p.reference)
        else:
            do_transition(s, app, Status.DECLINED, actor=who, at=at,
                          reason=f"Not funded by the community vote “{event.name}”: ranked {p.rank} of {total} "
                                 "by residents' votes, and the pot was spent on the projects funded.")
            declined.append(p.reference)
    event.confirmed_at = at or utcnow()
    event.confirmed_by = who
    audit(s, actor=who, action="event.confirm", entity="voting_event", entity_id=event_id, at=at,
          summary=f"Confirmed the results of “{event.name}”: {len(awarded)} funded, {len(declined)} declined",
          after={"awarded": awarded, "declined": declined})
    return Confirmation(tuple(awarded), tuple(declined), results.funded_pence)


@transactional
def confirm_results(uow: UnitOfWork, event_id: int, *, actor: str | None = None, on: date | None = None
                    ) -> Confirmation:
    """Feed the result back into the applications: each funded one is awarded its requested amount,
    each other one declined with the reason in words. Only after voting has closed, with every paper
    mismatch resolved; all in one transaction."""
    return confirm(uow.session, event_by_id(uow.session, event_id), actor=actor_or_default(actor), on=on)
