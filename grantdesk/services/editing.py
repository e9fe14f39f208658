"""Recording and editing applications: what the form needs to know about a fund, finding an
organisation as you type, and saving a draft through the one validation path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grantdesk.domain.applications import ApplicationDraft, CleanApplication, FieldErrors, clean_draft
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.money import plain_amount
from grantdesk.domain.organisations import name_key
from grantdesk.domain.questions import Question
from grantdesk.domain.workflow import Status
from grantdesk.services import organisations
from grantdesk.services.applications import ApplicationRow, add_application, application_row
from grantdesk.services.attachments import NewDocument, put_attachment
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.questions import questions_for
from grantdesk.services.workflow import refuse_if_changed
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import Application, Area, Contact, Fund, FundArea, Organisation, Round
from grantdesk.i18n import _


@dataclass(frozen=True, slots=True)
class RoundChoice:
    id: int
    name: str
    financial_year: int
    opens_on: date
    closes_on: date


@dataclass(frozen=True, slots=True)
class FundContext:
    """What the application form needs to know about a fund."""

    code: str
    name: str
    currency: str
    default_language: str
    decision_model: str
    questions: tuple[Question, ...]
    areas: tuple[str, ...]
    rounds: tuple[RoundChoice, ...]
    required_attachments: tuple[str, ...]
    min_amount_pence: int | None
    max_amount_pence: int | None

    def round_for(self, day: date) -> RoundChoice | None:
        """The round open on ``day``, else the most recent round."""
        for r in self.rounds:
            if r.opens_on <= day <= r.closes_on:
                return r
        return max(self.rounds, key=lambda r: r.opens_on, default=None)


@dataclass(frozen=True, slots=True)
class ContactChoice:
    id: int
    name: str
    email: str
    phone: str
    letter_language: str


@dataclass(frozen=True, slots=True)
class OrganisationMatch:
    id: int
    name: str
    org_type: str
    charity_number: str | None
    company_number: str | None
    postcode: str
    contacts: tuple[ContactChoice, ...]


@dataclass(frozen=True, slots=True)
class EditableApplication:
    id: int
    reference: str
    status: str
    version: int
    draft: ApplicationDraft


class FundLookups:
    """A fund's areas and rounds by name (any case), for resolving what a form or file says."""

    def __init__(self, session: Session, fund: Fund):
        self.fund = fund
        self.areas = {a.name.casefold(): a for a in session.scalars(
            select(Area).join(FundArea).where(FundArea.fund_id == fund.id))}
        self.rounds = {r.name.casefold(): r for r in session.scalars(select(Round).where(Round.fund_id == fund.id))}

    def area(self, name: str | None) -> Area | None:
        if not name:
            return None
        area = self.areas.get(name.casefold())
        if area is None:
            known = ", ".join(sorted(a.name for a in self.areas.values())) or "none"
            raise ValidationError(_("“{name}” is not one of the fund's areas ({known}).").format(
                                    name=name, known=known), "area")
        return area

    def round(self, name: str | None, day: date) -> Round | None:
        if name:
            rnd = self.rounds.get(name.casefold())
            if rnd is None:
                known = ", ".join(sorted(r.name for r in self.rounds.values())) or "none"
                raise ValidationError(_("“{name}” is not one of the fund's rounds ({known}).").format(
                                        name=name, known=known), "round")
            return rnd
        for rnd in self.rounds.values():
            if rnd.opens_on <= day <= rnd.closes_on:
                return rnd
        return max(self.rounds.values(), key=lambda r: r.opens_on, default=None)


def fund_context(db: Database, fund_code: str) -> FundContext:
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        areas = tuple(sorted(s.scalars(select(Area.name).join(FundArea).where(FundArea.fund_id == fund.id))))
        rounds = tuple(
            RoundChoice(r.id, r.name, r.financial_year, r.opens_on, r.closes_on)
            for r in s.scalars(select(Round).where(Round.fund_id == fund.id).order_by(Round.opens_on.desc()))
        )
        return FundContext(
            code=fund.code, name=fund.name, currency=fund.currency, default_language=fund.default_language,
            decision_model=fund.decision_model, questions=questions_for(s, fund.id), areas=areas, rounds=rounds,
            required_attachments=settings_of(fund.settings).required_attachments,
            min_amount_pence=fund.min_amount_pence, max_amount_pence=fund.max_amount_pence,
        )


def search_organisations(db: Database, text: str, limit: int = 12) -> list[OrganisationMatch]:
    """Organisations whose name contains ``text``, or whose charity or company number starts with it."""
    needle = " ".join(text.split())
    if len(needle) < 2:
        return []
    compact = needle.replace(" ", "").upper()
    with db.unit_of_work() as uow:
        s = uow.session
        orgs = s.scalars(
            select(Organisation)
            .where(or_(
                Organisation.name_key.contains(name_key(needle), autoescape=True),
                Organisation.charity_number.startswith(compact),
                Organisation.company_number.startswith(compact.zfill(8) if compact.isdigit() else compact),
                Organisation.company_number.startswith(compact),
            ))
            .order_by(func.lower(Organisation.name))
            .limit(limit)
        ).all()
        return [
            OrganisationMatch(
                o.id, o.name, o.org_type, o.charity_number, o.company_number, o.postcode,
                tuple(ContactChoice(c.id, c.name, c.email, c.phone, c.letter_language) for c in o.contacts),
            )
            for o in orgs
        ]


def editable_application(db: Database, application_id: int) -> EditableApplication:
    """An application as the form shows it: every field as text people can edit."""
    with db.unit_of_work() as uow:
        s = uow.session
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound(_("There is no application with id {application_id}.").format(
                             application_id=application_id))
        org, contact = app.organisation, app.contact
        draft = ApplicationDraft(
            organisation=org.name,
            organisation_type=org.org_type,
            charity_number=org.charity_number or org.umbrella_charity_number or "",  # the number as given
            company_number=org.company_number or org.umbrella_company_number or "",
            contact_name=contact.name if contact else "",
            contact_email=contact.email if contact else "",
            contact_phone=contact.phone if contact else "",
            contact_language=contact.letter_language if contact else "",
            title=app.title,
            summary=app.summary,
            amount_requested=plain_amount(app.amount_requested_pence),
            area=app.area.name if app.area else "",
            round=app.round.name if app.round else "",
            project_start=app.project_start,
            project_end=app.project_end,
            submitted_on=app.submitted_on,
            answers=dict(app.answers or {}),
        )
        return EditableApplication(app.id, app.reference, app.status, app.version, draft)


def _contact_for(session: Session, *, actor: str, org: Organisation, clean: CleanApplication) -> Contact | None:
    """The contact the form names: the organisation's contact who is this person (same name and
    e-mail), else a new contact with the form's name, e-mail and letter language — someone else at a
    shared inbox is never turned into the person already recorded there.

    For the same person, what the form changes (a phone number, the letter language the officer chose,
    an e-mail where none was kept) is saved on the contact, and the audit log says which (with the
    language before and after; not the phone number or e-mail, which the log would keep for ever)."""
    if not clean.contact_name:
        return None
    contact = organisations.find_or_add_contact(
        session, actor=actor, organisation=org, name=clean.contact_name, email=clean.contact_email,
        phone=clean.contact_phone, letter_language=clean.contact_language,
    )
    updates = {"phone": clean.contact_phone, "letter_language": clean.contact_language}
    if not contact.email:
        updates["email"] = clean.contact_email
    changed = [name for name, value in updates.items() if value and getattr(contact, name) != value]
    if changed:
        language = contact.letter_language
        for name in changed:
            setattr(contact, name, updates[name])
        audit(session, actor=actor, action="contact.update", entity="contact", entity_id=contact.id,
              summary=f"Updated {', '.join(n.replace('_', ' ') for n in changed)} for a contact of {org.name}",
              before={"letter_language": language} if "letter_language" in changed else None,
              after={"letter_language": contact.letter_language} if "letter_language" in changed else None)
    return contact


@transactional
def save_application(
    uow: UnitOfWork,
    fund_code: str,
    draft: ApplicationDraft,
    *,
    application_id: int | None = None,
    expected_version: int | None = None,
    actor: str | None = None,
    documents: Sequence[NewDocument] = (),
) -> ApplicationRow:
    """Record a new application (as a draft) or save changes to one, with the documents attached
    to it on the form, all in one transaction: if a document is refused, nothing is saved.

    Every field is checked at once; problems come back as ``FieldErrors`` (field → message) so the
    form can show each next to its field. A change made on a stale copy is refused, never merged.
    """
    who = actor_or_default(actor)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    questions = questions_for(s, fund.id)
    lookups = FundLookups(s, fund)
    errors: dict[str, str] = {}
    try:
        clean = clean_draft(draft, questions, default_language=fund.default_language)
    except FieldErrors as exc:
        errors.update(exc.errors)
        clean = None
    area = rnd = None
    try:
        area = lookups.area(str(draft.area or "").strip() or None)
    except ValidationError as exc:
        errors["area"] = str(exc)
    try:
        rnd = lookups.round(str(draft.round or "").strip() or None,
                            (clean.submitted_on if clean and clean.submitted_on else date.today()))
    except ValidationError as exc:
        errors["round"] = str(exc)
    if errors:
        raise FieldErrors(errors)
    assert clean is not None

    app = None
    if application_id is not None:
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound(_("There is no application with id {application_id}.").format(
                             application_id=application_id))
        if app.fund_id != fund.id:
            raise ValidationError(_("{reference} belongs to another fund.").format(reference=app.reference))
        refuse_if_changed(s, app, expected_version, consequence="save")
        if not Status(app.status).is_open:
            raise ValidationError(
                _("{reference} is {label}; a closed application's record is final.").format(
                  reference=app.reference, label=Status(app.status).label.lower())
            )

    org = organisations.find_or_add_organisation(
        s, actor=who, name=clean.organisation, org_type=clean.organisation_type,
        charity_number=clean.charity_number, company_number=clean.company_number,
    )
    contact = _contact_for(s, actor=who, org=org, clean=clean)

    if app is None:
        app = add_application(
            s, actor=who, fund=fund, organisation=org, contact=contact, round=rnd, area=area,
            title=clean.title, summary=clean.summary, amount_requested_pence=clean.amount_requested_pence,
            project_start=clean.project_start, project_end=clean.project_end, answers=clean.answers,
        )
        if clean.submitted_on:
            app.submitted_on = clean.submitted_on
    else:
        _apply_changes(s, app, who, org=org, contact=contact, area=area, rnd=rnd, clean=clean)
    for document in documents:
        put_attachment(s, actor=who, application=app, filename=document.filename, data=document.data,
                       kind=document.kind)
    return application_row(s, app.id)


_TRACKED = ("title", "summary", "amount_requested_pence", "project_start", "project_end", "submitted_on", "answers")


def _apply_changes(session: Session, app: Application, actor: str, *, org, contact, area, rnd,
                   clean: CleanApplication) -> None:
    new: dict[str, Any] = {
        "organisation_id": org.id,
        "contact_id": contact.id if contact else None,
        "area_id": area.id if area else None,
        "round_id": rnd.id if rnd else None,
        "title": clean.title,
        "summary": clean.summary,
        "amount_requested_pence": clean.amount_requested_pence,
        "project_start": clean.project_start,
        "project_end": clean.project_end,
        "submitted_on": clean.submitted_on if clean.submitted_on else app.submitted_on,
        "answers": clean.answers,
    }
    changed = [name for name, value in new.items() if getattr(app, name) != value]
    if not changed:
        return
    before = {n: _jsonable(getattr(app, n)) for n in changed if n in _TRACKED and n not in ("summary", "answers")}
    for name in changed:
        setattr(app, name, new[name])
    app.updated_at = utcnow()
    session.flush()
    audit(session, actor=actor, action="application.edit", entity="application", entity_id=app.id,
          summary=f"Edited {app.reference}: {', '.join(n.replace('_id', '').replace('_pence', '') for n in changed)}",
          before=before or None,
          after={n: _jsonable(new[n]) for n in before} or None)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
