"""Applications: record them, list them, read one, and move them through the workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grantdesk.domain.awards import AwardLimits
from grantdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.references import format_reference
from grantdesk.domain.workflow import Status, check_transition, status_of
from grantdesk.domain.dates import financial_year_of
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.services.decisions import add_award
from grantdesk.services.eligibility import require_eligible
from grantdesk.services.workflow import application_for_change, do_transition
from grantdesk.services.overview import get_application, list_application_row, list_application_rows
from grantdesk.store.queries import (  # read without the ORM
    READ_ONLY_FIELDS,
    ApplicationDetail,
    ApplicationListRow,
    ApplicationRow,
    StatusEvent,
    application_row,
    application_rows,
    fund_id_for,
)
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Application,
    Area,
    Award,
    Contact,
    Fund,
    Organisation,
    ReferenceCounter,
    Round,
    StatusChange,
)
from grantdesk.i18n import _

__all__ = [
    "READ_ONLY_FIELDS", "ApplicationDetail", "ApplicationListRow", "ApplicationRow", "StatusEvent",
    "application_row", "application_rows", "get_application", "list_application_row", "list_application_rows",
    "list_applications", "next_reference", "add_application", "do_transition", "application_for_change",
    "transition_application", "award_application", "award_context", "AwardContext",
]


def list_applications(db: Database, fund_code: str, round_id: int | None = None) -> list[ApplicationRow]:
    """Every application in the fund (optionally one round), by reference. Unknown fund → NotFound."""
    with db.reading() as conn:
        return application_rows(conn, fund_id_for(conn, fund_code), round_id)


# --- building blocks that share a caller's transaction ------------------------------------------


def next_reference(session: Session, fund: Fund, year: int) -> str:
    """Take the next reference number for ``fund`` in ``year``; numbers are never given out twice."""
    counter = session.get(ReferenceCounter, (fund.id, year))
    if counter is None:
        counter = ReferenceCounter(fund_id=fund.id, year=year, last_number=0)
        session.add(counter)
        session.flush()
    # An UPDATE … SET n = n + 1 takes SQLite's write lock at once, so two writers cannot share a number.
    session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.fund_id == fund.id, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
    )
    session.refresh(counter)
    return format_reference(fund.code, year, counter.last_number)


def add_application(
    session: Session,
    *,
    actor: str,
    fund: Fund,
    organisation: Organisation,
    title: str,
    amount_requested_pence: int,
    round: Round | None = None,
    contact: Contact | None = None,
    area: Area | None = None,
    summary: str = "",
    project_start: date | None = None,
    project_end: date | None = None,
    answers: dict[str, Any] | None = None,
    created_on: date | None = None,
    at: datetime | None = None,
    by: str | None = None,
) -> Application:
    """Record a new application as a draft, with its reference and first history entry."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("The application needs a title."), "title")
    if amount_requested_pence <= 0:
        raise ValidationError(_("The amount requested must be more than £0."), "amount_requested")
    if project_start and project_end and project_end < project_start:
        raise ValidationError(_("The project ends before it starts."), "project_end")
    if contact is not None and contact.organisation_id != organisation.id:
        raise ValidationError(_("The contact belongs to a different organisation."), "contact_name")
    moment = at or utcnow()
    year = round.financial_year if round is not None else financial_year_of((created_on or moment.date()))
    app = Application(
        reference=next_reference(session, fund, year),
        fund_id=fund.id,
        round_id=round.id if round else None,
        organisation_id=organisation.id,
        contact_id=contact.id if contact else None,
        area_id=area.id if area else None,
        title=title,
        summary=summary.strip(),
        amount_requested_pence=amount_requested_pence,
        project_start=project_start,
        project_end=project_end,
        status=Status.DRAFT.value,
        answers=answers or {},
        created_at=moment,
        updated_at=moment,
    )
    app.history.append(
        StatusChange(from_status=None, to_status=Status.DRAFT.value, at=moment, by=by or actor, reason="")
    )
    session.add(app)
    session.flush()
    audit(session, actor=actor, action="application.create", entity="application", entity_id=app.id,
          summary=f"Recorded application {app.reference}: {title}",
          after={"reference": app.reference, "amount_requested_pence": amount_requested_pence})
    return app


# --- use cases --------------------------------------------------------------------------------


@transactional
def transition_application(
    uow: UnitOfWork,
    application_id: int,
    target: Status | str,
    *,
    reason: str = "",
    actor: str | None = None,
    expected_version: int | None = None,
    reason_cy: str = "",
) -> ApplicationRow:
    """Move an application through the workflow; an impossible move raises ``InvalidTransition``.
    ``reason_cy`` is the reason in Welsh, for a Welsh letter (``grantdesk.services.welsh_texts``).

    ``expected_version`` is the version the caller last saw; if someone else changed the application
    since, the move is refused rather than made on stale information.
    """
    s = uow.session
    app = application_for_change(s, application_id, expected_version)
    if status_of(target) is Status.ELIGIBLE:
        require_eligible(s, app)
    do_transition(s, app, target, actor=actor_or_default(actor), reason=reason, reason_cy=reason_cy)
    return application_row(s, application_id)


@dataclass(frozen=True, slots=True)
class AwardContext:
    """What the award dialog shows before an officer awards: the request, the fund's maximum, the
    round's budget and what it has awarded already — and whether awards are made here at all (a
    member fund's are made through the members' decisions)."""

    application_id: int
    reference: str
    title: str
    version: int
    fund_code: str
    fund_name: str
    member_fund: bool
    round_name: str | None
    limits: AwardLimits


def _limits(session: Session, app: Application) -> AwardLimits:
    budget = app.round.budget_pence if app.round is not None else None
    awarded = 0
    if budget is not None:
        awarded = int(session.scalar(
            select(func.coalesce(func.sum(Award.amount_pence), 0))
            .join(Application, Application.id == Award.application_id)
            .where(Application.round_id == app.round_id, Application.id != app.id)) or 0)
    return AwardLimits(app.amount_requested_pence, app.fund.max_amount_pence, budget, awarded)


def award_context(db: Database, application_id: int) -> AwardContext:
    """The limits an award to this application is checked against — a read; nothing is written."""
    with db.unit_of_work() as uow:
        s = uow.session
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound.of("application.not_found", application_id=application_id)
        fund = app.fund
        return AwardContext(app.id, app.reference, app.title, app.version, fund.code, fund.name,
                            fund.decision_model == "member", app.round.name if app.round else None,
                            _limits(s, app))


@transactional
def award_application(
    uow: UnitOfWork,
    application_id: int,
    amount_pence: int,
    *,
    awarded_on: date | None = None,
    purpose: str = "",
    reason: str = "",
    actor: str | None = None,
    expected_version: int | None = None,
    purpose_cy: str = "",
    conditions: str = "",
    conditions_cy: str = "",
) -> ApplicationRow:
    """Award a shortlisted application: the move and the award record, in one transaction.

    An award more than the application asked for, more than the fund's maximum, or more than is left
    of the round's budget is refused unless ``reason`` says why in writing; the reason is kept in the
    history and the audit log. A member fund's awards are refused here: they are made through the
    members' decisions (``allocations.record_member_decision`` and the officer's approval), so that
    every councillor's pot and the members' report include them."""
    who = actor_or_default(actor)
    s = uow.session
    app = application_for_change(s, application_id, expected_version)
    fund = app.fund
    if fund.decision_model == "member":
        raise InvalidTransition.of("award.member_fund", reference=app.reference, fund=fund.name)
    check_transition(app.status, Status.AWARDED)
    if amount_pence <= 0:
        raise ValidationError(_("An award must be more than £0."), "amount")
    why = " ".join(reason.split())
    crossed = _limits(s, app).crossed(amount_pence)
    if crossed and not why:
        raise ValidationError.of("award.reason_needed", "reason", reference=app.reference,
                                 amount_pence=amount_pence, crossed=crossed)
    day = awarded_on or utcnow().date()
    do_transition(s, app, Status.AWARDED, actor=who, on=day, reason=why)
    add_award(s, actor=who, application=app, amount_pence=amount_pence, awarded_on=day, purpose=purpose,
              spend_by=app.round.spend_by if app.round else None, purpose_cy=purpose_cy,
              conditions=conditions, conditions_cy=conditions_cy)
    if crossed:
        audit(s, actor=who, action="award.beyond_limits", entity="application", entity_id=app.id,
              summary=f"{app.reference}: awarded {format_money(amount_pence)}, "
                      + ", ".join(f"beyond the {c.limit.value} ({format_money(c.limit_pence)})" for c in crossed)
                      + f" — {why}",
              after={"amount_pence": amount_pence, "reason": why,
                     "beyond": {c.limit.value: c.limit_pence for c in crossed}})
    return application_row(s, application_id)
