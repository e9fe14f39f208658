"""Applications: record them, list them, read one, and move them through the workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from grantdesk.domain.eligibility import EligibilityReport
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.questions import Question
from grantdesk.domain.money import plain_amount
from grantdesk.domain.references import format_reference
from grantdesk.domain.workflow import Status, allowed_next, check_transition
from grantdesk.domain.dates import financial_year_of
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.attachments import AttachmentInfo, attachments_for
from grantdesk.services.decisions import add_award
from grantdesk.services.eligibility import report_for, require_eligible
from grantdesk.services.questions import questions_for
from grantdesk.store.database import Database
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

# Field names of ``applications list --json``, in order. The application importer (issue 3) reads a
# CSV whose header uses these names; the read-only ones are ignored there.
READ_ONLY_FIELDS = ("id", "reference", "fund", "status", "created_at", "updated_at")


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """One application as lists, the CLI and exports see it: plain values, money in pence."""

    id: int
    reference: str
    fund: str
    round: str | None
    status: str
    title: str
    summary: str
    organisation: str
    organisation_type: str
    charity_number: str | None
    company_number: str | None
    contact_name: str | None
    contact_email: str | None
    contact_language: str | None
    amount_requested_pence: int
    area: str | None
    project_start: date | None
    project_end: date | None
    submitted_on: date | None
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        """Keyed by field name; money as a pounds string (``"1250.00"``), dates as ISO 8601."""
        return {
            "id": self.id,
            "reference": self.reference,
            "fund": self.fund,
            "round": self.round,
            "status": self.status,
            "title": self.title,
            "summary": self.summary,
            "organisation": self.organisation,
            "organisation_type": self.organisation_type,
            "charity_number": self.charity_number,
            "company_number": self.company_number,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "contact_language": self.contact_language,
            "amount_requested": plain_amount(self.amount_requested_pence),
            "area": self.area,
            "project_start": _iso(self.project_start),
            "project_end": _iso(self.project_end),
            "submitted_on": _iso(self.submitted_on),
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class StatusEvent:
    from_status: str | None
    to_status: str
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class ApplicationDetail:
    row: ApplicationRow
    version: int
    contact_phone: str | None
    org_id: str | None
    answers: dict[str, Any]
    history: tuple[StatusEvent, ...]
    award_pence: int | None
    awarded_on: date | None
    allowed_next: tuple[str, ...] = field(default=())
    eligibility: EligibilityReport | None = None
    attachments: tuple[AttachmentInfo, ...] = ()
    questions: tuple[Question, ...] = ()


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row_query():
    rnd = aliased(Round)
    return (
        select(
            Application.id,
            Application.reference,
            Fund.code,
            rnd.name,
            Application.status,
            Application.title,
            Application.summary,
            Organisation.name,
            Organisation.org_type,
            Organisation.charity_number,
            Organisation.company_number,
            Contact.name,
            Contact.email,
            Contact.letter_language,
            Application.amount_requested_pence,
            Area.name,
            Application.project_start,
            Application.project_end,
            Application.submitted_on,
            Application.created_at,
            Application.updated_at,
        )
        .join(Fund, Fund.id == Application.fund_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(Contact, Contact.id == Application.contact_id)
        .outerjoin(Area, Area.id == Application.area_id)
        .outerjoin(rnd, rnd.id == Application.round_id)
    )


class ApplicationListRow(NamedTuple):
    """The slim row a list shows: fetched for 100,000 applications in well under a second."""

    id: int
    reference: str
    title: str
    status: str
    amount_requested_pence: int
    organisation: str
    area: str | None
    submitted_on: date | None
    round_id: int | None
    area_id: int | None


def _list_query():
    return (
        select(
            Application.id, Application.reference, Application.title, Application.status,
            Application.amount_requested_pence, Organisation.name, Area.name, Application.submitted_on,
            Application.round_id, Application.area_id,
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(Area, Area.id == Application.area_id)
    )


def list_application_rows(db: Database, fund_code: str, round_id: int | None = None) -> list[ApplicationListRow]:
    """A fund's applications (optionally one round) for the list view, by reference."""
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, fund_code)
        query = _list_query().where(Application.fund_id == fund.id)
        if round_id is not None:
            query = query.where(Application.round_id == round_id)
        make = ApplicationListRow._make
        return [make(r) for r in uow.session.execute(query.order_by(Application.reference))]


def list_application_row(db: Database, application_id: int) -> ApplicationListRow:
    """One list row, fresh, after an edit or a move (the list updates that row, not everything)."""
    with db.unit_of_work() as uow:
        row = uow.session.execute(_list_query().where(Application.id == application_id)).one_or_none()
        if row is None:
            raise NotFound(f"There is no application with id {application_id}.")
        return ApplicationListRow._make(row)


def application_row(session: Session, application_id: int) -> ApplicationRow:
    """One application as an ``ApplicationRow``, read in the caller's transaction."""
    row = session.execute(_row_query().where(Application.id == application_id)).one_or_none()
    if row is None:
        raise NotFound(f"There is no application with id {application_id}.")
    return ApplicationRow(*row)


def list_applications(db: Database, fund_code: str, round_id: int | None = None) -> list[ApplicationRow]:
    """Every application in the fund (optionally one round), by reference. Unknown fund → NotFound."""
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, fund_code)
        query = _row_query().where(Application.fund_id == fund.id)
        if round_id is not None:
            query = query.where(Application.round_id == round_id)
        query = query.order_by(Application.reference)
        return [ApplicationRow(*r) for r in uow.session.execute(query)]


def get_application(db: Database, application_id: int) -> ApplicationDetail:
    with db.unit_of_work() as uow:
        s = uow.session
        row = application_row(s, application_id)
        app = s.get(Application, application_id)
        assert app is not None
        award = s.scalar(select(Award).where(Award.application_id == application_id))
        history = tuple(
            StatusEvent(h.from_status, h.to_status, h.at, h.by, h.reason) for h in app.history
        )
        return ApplicationDetail(
            row=row,
            version=app.version,
            contact_phone=app.contact.phone if app.contact else None,
            org_id=app.organisation.org_id,
            answers=dict(app.answers or {}),
            history=history,
            award_pence=award.amount_pence if award else None,
            awarded_on=award.awarded_on if award else None,
            allowed_next=tuple(st.value for st in allowed_next(Status(app.status))),
            eligibility=report_for(s, app),
            attachments=attachments_for(s, app.id),
            questions=questions_for(s, app.fund_id),
        )


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
        raise ValidationError("The application needs a title.", "title")
    if amount_requested_pence <= 0:
        raise ValidationError("The amount requested must be more than £0.", "amount_requested")
    if project_start and project_end and project_end < project_start:
        raise ValidationError("The project ends before it starts.", "project_end")
    if contact is not None and contact.organisation_id != organisation.id:
        raise ValidationError("The contact belongs to a different organisation.", "contact_name")
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


def do_transition(
    session: Session,
    app: Application,
    target: Status | str,
    *,
    actor: str,
    reason: str = "",
    at: datetime | None = None,
    on: date | None = None,
    by: str | None = None,
) -> StatusChange:
    """Move ``app`` to ``target`` if the workflow allows it, recording who, when and why.

    ``by`` is the person the history credits when it differs from the one at the keyboard (a
    decision made on paper and keyed in later); the audit entry always names ``actor``.
    """
    target = Status(target)
    check_transition(app.status, target, reason)
    moment = at or utcnow()
    before = app.status
    change = StatusChange(
        from_status=before, to_status=target.value, at=moment, by=by or actor, reason=reason.strip()
    )
    app.history.append(change)
    app.status = target.value
    app.updated_at = moment
    if target is Status.SUBMITTED and app.submitted_on is None:
        app.submitted_on = on or moment.date()
    session.flush()
    audit(session, actor=actor, action="application.transition", entity="application", entity_id=app.id,
          summary=f"{app.reference}: {Status(before).label} → {target.label}" + (f" ({reason.strip()})" if reason.strip() else ""),
          before={"status": before}, after={"status": target.value})
    return change


# --- use cases --------------------------------------------------------------------------------


def application_for_change(session: Session, application_id: int, expected_version: int | None) -> Application:
    """The application to change, refusing if someone else changed it since the caller last looked
    (``expected_version``): a decision is never made on stale information."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(f"There is no application with id {application_id}.")
    if expected_version is not None and app.version != expected_version:
        raise ValidationError(
            f"{app.reference} was changed by someone else since you opened it; reload it and try again."
        )
    return app


def transition_application(
    db: Database,
    application_id: int,
    target: Status | str,
    *,
    reason: str = "",
    actor: str | None = None,
    expected_version: int | None = None,
) -> ApplicationRow:
    """Move an application through the workflow; an impossible move raises ``InvalidTransition``.

    ``expected_version`` is the version the caller last saw; if someone else changed the application
    since, the move is refused rather than made on stale information.
    """
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        app = application_for_change(s, application_id, expected_version)
        if Status(target) is Status.ELIGIBLE:
            require_eligible(s, app)
        do_transition(s, app, target, actor=who, reason=reason)
        uow.commit()
        return application_row(s, application_id)


def award_application(
    db: Database,
    application_id: int,
    amount_pence: int,
    *,
    awarded_on: date | None = None,
    purpose: str = "",
    actor: str | None = None,
    expected_version: int | None = None,
) -> ApplicationRow:
    """Award a shortlisted application: the move and the award record, in one transaction."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        app = application_for_change(s, application_id, expected_version)
        day = awarded_on or utcnow().date()
        do_transition(s, app, Status.AWARDED, actor=who, on=day)
        add_award(s, actor=who, application=app, amount_pence=amount_pence, awarded_on=day, purpose=purpose,
                  spend_by=app.round.spend_by if app.round else None)
        uow.commit()
        return application_row(s, application_id)
