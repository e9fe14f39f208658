"""People: find a person across everything GrantDesk keeps, give them everything held about them
(subject access), and erase their details on request.

A person is named by a typed id: ``contact:12`` (a contact of an organisation), ``individual:5`` (an
individual applicant — an organisation of type *individual*), ``panellist:3``, ``member:7`` (an
elected member).

- ``find_people(db, text)``: case-insensitive, in names, e-mail addresses and phone numbers (a phone
  number however it is spaced); records already erased are left out.
- ``subject_access(db, person_id)``: their details; the applications about them with the decisions,
  history, award and payments; the letters sent; notes anywhere that name them (by name, e-mail or
  phone); and the audit entries about their records. Plain data: ``as_json()``, or the PDF
  (``grantdesk.reports.subject_access``).
- ``erasure_check`` / ``erase_person``: erasure on request. Refused, with the reason, while a legal
  basis holds the record: an award still inside its retention period (saying until when), or an
  application still being decided. Otherwise done as a retention run does it
  (``grantdesk.services.retention``), audited with counts only:

  - an **individual applicant**: their applications are erased as retention erases them (name,
    address, title and summary, documents, answers; their name cut out of free text);
  - a **contact**: their name, role, e-mail and phone, and their name, e-mail and phone cut out of
    the free text of the applications they were contact for (the organisation's application,
    documents and figures stay: they are the organisation's);
  - a **panellist** or **elected member**: their name (and a member's e-mail and party) goes, and is
    cut out of the text of the applications they scored or decided; their scores and decisions stay,
    under ``(removed on request)``, as the record of how the money was decided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import format_date
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.retention import AWARD, REMOVED_ON_REQUEST, Holding, is_due, needles_for
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.services.retention import Erased, cut_names, erase_applications, holdings, require_manager
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    Attachment,
    AuditEntry,
    Award,
    Contact,
    EligibilityOverride,
    Fund,
    InterestDeclaration,
    Member,
    MemberDecision,
    Organisation,
    OutcomeNote,
    Panel,
    PanelDecision,
    PanelScore,
    Panellist,
    Payment,
    StatusChange,
)
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _, N_

__all__ = [
    "PERSON_KINDS", "ErasureCheck", "ErasureResult", "PersonHit", "PersonId", "SubjectAccess", "erase_person",
    "erasure_check", "find_people", "parse_person_id", "subject_access",
]

PERSON_KINDS = ("contact", "individual", "panellist", "member")
KIND_LABELS = {"contact": N_("Contact"), "individual": N_("Individual applicant"), "panellist": N_("Panellist"),
               "member": N_("Elected member")}
_ENTITY = {"contact": "contact", "individual": "organisation", "panellist": "panellist", "member": "member"}


@dataclass(frozen=True, slots=True)
class PersonId:
    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_person_id(text: str | PersonId) -> PersonId:
    """``contact:12`` (or ``member:7`` …) as a ``PersonId``; anything else is refused saying the forms."""
    if isinstance(text, PersonId):
        return text
    match = re.fullmatch(r"\s*([a-z]+)\s*:\s*(\d+)\s*", str(text).lower())
    if not match or match[1] not in PERSON_KINDS:
        raise ValidationError(_("“{text}” is not a person's id: write it as kind:number, where kind is "
                                "{person_kinds} (as people find shows them, e.g. contact:12).").format(
                                text=text, person_kinds=', '.join(PERSON_KINDS)), "person")
    return PersonId(match[1], int(match[2]))


# --- finding -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonHit:
    person_id: str
    kind: str
    name: str
    email: str
    phone: str
    where: str  # the organisation, panel or fund they belong to

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_json(self) -> dict[str, str]:
        return {"id": self.person_id, "kind": self.kind, "name": self.name, "email": self.email,
                "phone": self.phone, "where": self.where}


def _digits(column):
    """A phone column with its spaces, hyphens, dots and brackets taken out (portable SQL)."""
    for ch in (" ", "-", ".", "(", ")"):
        column = func.replace(column, ch, "")
    return column


def _like(column, text: str):
    return func.lower(column).contains(text.lower(), autoescape=True)


def find_people(db: Database, text: str, *, limit: int = 200) -> list[PersonHit]:
    """Everyone whose name, e-mail or phone number contains ``text`` (any case), across contacts,
    individual applicants, panellists and elected members; at most ``limit`` of each kind."""
    text = " ".join((text or "").split())
    if len(text) < 2:
        raise ValidationError(_("Type at least two letters or digits of a name, e-mail address or phone number."),
                              "text")
    digits = re.sub(r"\D", "", text)
    phone_text = digits[1:] if digits.startswith("0") else digits
    hits: list[PersonHit] = []
    with db.session() as s:
        contact_match = [_like(Contact.name, text), _like(Contact.email, text)]
        if len(digits) >= 4 and not re.search(r"[A-Za-z@]", text):
            contact_match.append(_digits(Contact.phone).contains(phone_text, autoescape=True))
        for c, org_name in s.execute(
                select(Contact, Organisation.name).join(Organisation, Organisation.id == Contact.organisation_id)
                .where(Contact.erased_at.is_(None), or_(*contact_match)).order_by(Contact.name, Contact.id)
                .limit(limit)):
            hits.append(PersonHit(f"contact:{c.id}", "contact", c.name, c.email, c.phone, org_name))
        for o in s.scalars(select(Organisation).where(
                Organisation.org_type == "individual", Organisation.erased_at.is_(None),
                or_(_like(Organisation.name, text), _like(Organisation.website, text)))
                .order_by(Organisation.name, Organisation.id).limit(limit)):
            hits.append(PersonHit(f"individual:{o.id}", "individual", o.name, "", "", o.postcode))
        for p, panel_name, code in s.execute(
                select(Panellist, Panel.name, Fund.code).join(Panel, Panel.id == Panellist.panel_id)
                .join(Fund, Fund.id == Panel.fund_id)
                .where(Panellist.erased_at.is_(None), _like(Panellist.name, text))
                .order_by(Panellist.name, Panellist.id).limit(limit)):
            hits.append(PersonHit(f"panellist:{p.id}", "panellist", p.name, "", "", f"{panel_name} ({code})"))
        for m, code in s.execute(
                select(Member, Fund.code).join(Fund, Fund.id == Member.fund_id)
                .where(Member.erased_at.is_(None), or_(_like(Member.name, text), _like(Member.email, text)))
                .order_by(Member.name, Member.id).limit(limit)):
            hits.append(PersonHit(f"member:{m.id}", "member", m.name, m.email, "",
                                  f"{code}" + (f", {m.area.name}" if m.area else "")))
    return hits


# --- subject access ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccess:
    """Everything GrantDesk holds about one person, as plain data."""

    person_id: str
    kind: str
    name: str
    made_at: datetime
    details: dict[str, str]
    applications: tuple[dict[str, Any], ...]
    letters: tuple[dict[str, str], ...]
    notes: tuple[dict[str, str], ...]
    audit: tuple[dict[str, str], ...]
    activity: tuple[dict[str, str], ...] = ()  # a panellist's scores, a member's decisions, declarations

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_json(self) -> dict[str, Any]:
        return {"person": self.person_id, "kind": self.kind, "name": self.name,
                "made_at": self.made_at.replace(microsecond=0).isoformat() + "Z", "details": self.details,
                "applications": list(self.applications), "activity": list(self.activity),
                "letters": list(self.letters), "notes_naming_them": list(self.notes), "audit": list(self.audit)}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date(value, style="short")
    return str(value)


def _person(s: Session, pid: PersonId):
    model = {"contact": Contact, "individual": Organisation, "panellist": Panellist, "member": Member}[pid.kind]
    found = s.get(model, pid.id)
    if found is None or (pid.kind == "individual" and found.org_type != "individual"):
        raise NotFound(_("There is no {kind_labels} {pid} in this database.").format(
                         kind_labels=KIND_LABELS[pid.kind].lower(), pid=pid))
    return found


def _details(s: Session, pid: PersonId, person) -> dict[str, str]:
    if pid.kind == "contact":
        org = person.organisation
        return {"Name": person.name, "Role": person.role, "E-mail": person.email, "Phone": person.phone,
                "Letters in": {"en": "English", "cy": "Welsh"}.get(person.letter_language, person.letter_language),
                "Organisation": org.name, "Removed": _text(person.erased_at)}
    if pid.kind == "individual":
        return {"Name": person.name, "Address": person.address, "Postcode": person.postcode,
                "Website": person.website, "Recorded": _text(person.created_at), "Removed": _text(person.erased_at)}
    if pid.kind == "panellist":
        panel = s.get(Panel, person.panel_id)
        return {"Name": person.name, "Lives in": person.area_description, "Panel": panel.name if panel else "",
                "Active": "yes" if person.active else "no", "Removed": _text(person.erased_at)}
    fund = s.get(Fund, person.fund_id)
    return {"Name": person.name, "E-mail": person.email, "Party": person.party,
            "Area": person.area.name if person.area else "", "Fund": fund.name if fund else "",
            "Active": "yes" if person.active else "no", "Removed": _text(person.erased_at)}


def _application_ids(s: Session, pid: PersonId) -> list[int]:
    if pid.kind == "contact":
        query = select(Application.id).where(Application.contact_id == pid.id)
    elif pid.kind == "individual":
        query = select(Application.id).where(Application.organisation_id == pid.id)
    elif pid.kind == "panellist":
        query = select(PanelScore.application_id).where(PanelScore.panellist_id == pid.id).union(
            select(InterestDeclaration.application_id).where(InterestDeclaration.panellist_id == pid.id))
    else:
        query = select(MemberDecision.application_id).where(MemberDecision.member_id == pid.id).union(
            select(InterestDeclaration.application_id).where(InterestDeclaration.member_id == pid.id))
    return sorted(set(s.scalars(query)))


def _application(s: Session, app: Application) -> dict[str, Any]:
    award = s.scalar(select(Award).where(Award.application_id == app.id))
    out: dict[str, Any] = {
        "reference": app.reference, "fund": app.fund.name, "round": app.round.name if app.round else "",
        "organisation": app.organisation.name, "title": app.title, "summary": app.summary,
        "status": app.status, "requested": format_money(app.amount_requested_pence),
        "submitted_on": _text(app.submitted_on), "answers": {k: _text(v) for k, v in (app.answers or {}).items()},
        "history": [{"at": _text(c.at), "from": c.from_status or "", "to": c.to_status, "by": c.by,
                     "reason": c.reason} for c in app.history],
        "decisions": [], "award": None, "documents": [], "erased": _text(app.erased_at)}
    for d in s.scalars(select(PanelDecision).where(PanelDecision.application_id == app.id)):
        out["decisions"].append({"by": "panel", "on": _text(d.decided_on), "outcome": d.outcome,
                                 "amount": format_money(d.amount_pence), "reason": d.reason})
    for d in s.scalars(select(MemberDecision).where(MemberDecision.application_id == app.id)):
        out["decisions"].append({"by": "elected member", "on": _text(d.decided_on), "outcome": d.decision,
                                 "amount": format_money(d.amount_pence), "reason": d.reasons,
                                 "officer": f"{d.officer_outcome or ''} {_text(d.officer_on)} {d.officer_reason}".strip()})
    for o in s.scalars(select(EligibilityOverride).where(EligibilityOverride.application_id == app.id)):
        out["decisions"].append({"by": "officer (eligibility)", "on": _text(o.at), "outcome": f"accepted {o.rule}",
                                 "amount": "", "reason": o.reason})
    if award is not None:
        paid = s.scalars(select(Payment).where(Payment.award_id == award.id).order_by(Payment.paid_on)).all()
        out["award"] = {"amount": format_money(award.amount_pence), "awarded_on": _text(award.awarded_on),
                        "purpose": award.purpose, "conditions": award.conditions,
                        "payments": [{"on": _text(p.paid_on), "amount": format_money(p.amount_pence)} for p in paid]}
    for a in s.scalars(select(Attachment).where(Attachment.application_id == app.id).order_by(Attachment.id)):
        out["documents"].append({"kind": a.kind, "filename": a.filename, "size_bytes": a.size_bytes,
                                 "added": _text(a.added_at)})
    return out


def _activity(s: Session, pid: PersonId) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if pid.kind == "panellist":
        for score, ref in s.execute(select(PanelScore, Application.reference)
                                    .join(Application, Application.id == PanelScore.application_id)
                                    .where(PanelScore.panellist_id == pid.id).order_by(PanelScore.id)):
            out.append({"what": "score", "reference": ref, "on": _text(score.scored_at),
                        "text": f"{'can’t judge' if score.score is None else score.score} {score.note}".strip()})
    if pid.kind == "member":
        for d, ref in s.execute(select(MemberDecision, Application.reference)
                                .join(Application, Application.id == MemberDecision.application_id)
                                .where(MemberDecision.member_id == pid.id).order_by(MemberDecision.id)):
            out.append({"what": f"decision: {d.decision}", "reference": ref, "on": _text(d.decided_on),
                        "text": f"{format_money(d.amount_pence)} — {d.reasons}"})
    if pid.kind in ("panellist", "member"):
        column = InterestDeclaration.panellist_id if pid.kind == "panellist" else InterestDeclaration.member_id
        for d, ref in s.execute(select(InterestDeclaration, Application.reference)
                                .join(Application, Application.id == InterestDeclaration.application_id)
                                .where(column == pid.id).order_by(InterestDeclaration.id)):
            out.append({"what": f"declaration of interest: {d.kind}", "reference": ref, "on": _text(d.declared_on),
                        "text": d.nature})
    return out


_NOTE_COLUMNS = (
    ("status history", StatusChange.reason, StatusChange.application_id),
    ("panel score note", PanelScore.note, PanelScore.application_id),
    ("panel decision", PanelDecision.reason, PanelDecision.application_id),
    ("member decision", MemberDecision.reasons, MemberDecision.application_id),
    ("officer's reason", MemberDecision.officer_reason, MemberDecision.application_id),
    ("eligibility override", EligibilityOverride.reason, EligibilityOverride.application_id),
    ("declaration of interest", InterestDeclaration.nature, InterestDeclaration.application_id),
    ("award purpose", Award.purpose, Award.application_id),
    ("award conditions", Award.conditions, Award.application_id),
    ("application summary", Application.summary, Application.id),
    ("application title", Application.title, Application.id),
)
_OUTCOME_COLUMNS = ("what_happened", "what_changed", "story", "not_to_plan", "learned", "council_could_do_better",
                    "author")


def _notes(s: Session, needles: tuple[str, ...]) -> list[dict[str, str]]:
    if not needles:
        return []
    out: list[dict[str, str]] = []
    for where, column, app_column in _NOTE_COLUMNS:
        query = select(column, Application.reference).join(Application, Application.id == app_column) \
            if app_column is not Application.id else select(column, Application.reference)
        for text, ref in s.execute(query.where(or_(*(_like(column, n) for n in needles)))):
            out.append({"where": where, "reference": ref, "text": text})
    for note, ref in s.execute(select(OutcomeNote, Application.reference)
                               .join(Award, Award.id == OutcomeNote.award_id)
                               .join(Application, Application.id == Award.application_id)
                               .where(or_(*(_like(getattr(OutcomeNote, c), n)
                                            for c in _OUTCOME_COLUMNS for n in needles)))):
        text = " / ".join(getattr(note, c) for c in _OUTCOME_COLUMNS if getattr(note, c))
        out.append({"where": "outcome note", "reference": ref, "text": text})
    for panel in s.scalars(select(Panel).where(or_(*(_like(Panel.notes, n) for n in needles)))):
        out.append({"where": f"panel notes ({panel.name})", "reference": "", "text": panel.notes})
    return out


def _audit(s: Session, pid: PersonId, app_ids: list[int], needles: tuple[str, ...]) -> tuple[list, list]:
    about = [(AuditEntry.entity == _ENTITY[pid.kind]) & (AuditEntry.entity_id == pid.id)]
    if app_ids:
        about.append((AuditEntry.entity == "application") & AuditEntry.entity_id.in_(app_ids))
    about += [_like(AuditEntry.summary, n) for n in needles]
    entries, letters = [], []
    refs = dict(s.execute(select(Application.id, Application.reference).where(Application.id.in_(app_ids))).all()) \
        if app_ids else {}
    for e in s.scalars(select(AuditEntry).where(or_(*about)).order_by(AuditEntry.id)):
        entries.append({"at": _text(e.at), "by": e.actor, "action": e.action,
                        "record": f"{e.entity} {e.entity_id or ''}".strip(), "summary": e.summary})
        if e.action == "letter.produce" and e.entity == "application":
            after = e.after or {}
            letters.append({"reference": refs.get(e.entity_id, ""), "kind": str(after.get("kind", "")),
                            "languages": ", ".join(after.get("languages", [])), "dated": str(after.get("date", "")),
                            "recorded": _text(e.at)})
    return entries, letters


def _needles(pid: PersonId, person) -> tuple[str, ...]:
    if pid.kind == "contact":
        return needles_for(person.name, person.email, person.phone)
    if pid.kind == "member":
        return needles_for(person.name, person.email)
    return needles_for(person.name)


def subject_access(db: Database, person_id: str | PersonId, *, now: datetime | None = None) -> SubjectAccess:
    """Everything held about the person — a read."""
    pid = parse_person_id(person_id)
    with db.session() as s:
        person = _person(s, pid)
        needles = _needles(pid, person)
        app_ids = _application_ids(s, pid)
        apps = s.scalars(select(Application).where(Application.id.in_(app_ids)).order_by(Application.reference)).all() \
            if app_ids else []
        entries, letters = _audit(s, pid, app_ids, needles)
        return SubjectAccess(str(pid), pid.kind, person.name, now or utcnow(), _details(s, pid, person),
                             tuple(_application(s, a) for a in apps), tuple(letters), tuple(_notes(s, needles)),
                             tuple(entries), tuple(_activity(s, pid)))


# --- erasure on request ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErasureCheck:
    person_id: str
    name: str
    applications: int
    reasons: tuple[str, ...]  # why it is refused; empty: it may be erased

    @property
    def allowed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class ErasureResult:
    person_id: str
    erased: Erased = field(default_factory=Erased)


def _blocks(held: dict[int, tuple[str, Holding]], day: date) -> list[str]:
    reasons = []
    for reference, h in held.values():
        if h.kind is None:
            reasons.append(_("{reference} is still being decided: finish or withdraw it first").format(
                reference=reference))
        elif h.kind == AWARD and not is_due(h, day):
            reasons.append(f"{reference}: {h.reason()}")
    return reasons


def _check(s: Session, pid: PersonId, day: date) -> tuple[object, list[int], dict[int, tuple[str, Holding]], list[str]]:
    person = _person(s, pid)
    if person.erased_at is not None:
        raise ValidationError(_("{pid}'s details were removed already ({text}).").format(
                                pid=pid, text=_text(person.erased_at)), "person")
    app_ids = _application_ids(s, pid)
    held = holdings(s, app_ids) if app_ids else {}
    return person, app_ids, held, _blocks(held, day)


def erasure_check(db: Database, person_id: str | PersonId, *, as_of: date | None = None) -> ErasureCheck:
    """Whether the person's details may be erased now, and if not, why — a read."""
    pid = parse_person_id(person_id)
    with db.session() as s:
        person, app_ids, _held, reasons = _check(s, pid, as_of or utcnow().date())
        return ErasureCheck(str(pid), person.name, len(app_ids), tuple(reasons))


@transactional
def erase_person(uow: UnitOfWork, person_id: str | PersonId, *, as_of: date | None = None,
                 actor: str | None = None) -> ErasureResult:
    """Erase the person's details on their request (see the module's words), or refuse with the reason."""
    pid = parse_person_id(person_id)
    require_manager(uow, N_("erase a person's details"))
    who = actor_or_default(actor)
    s = uow.session
    day = as_of or utcnow().date()
    person, app_ids, held, reasons = _check(s, pid, day)
    if reasons:
        raise ValidationError(_("{pid}'s details cannot be erased now, because a legal basis holds them: {reasons}. "
                                "Nothing was removed.").format(pid=pid, reasons="; ".join(reasons)), "person")
    now = utcnow()
    needles = _needles(pid, person)
    erased = Erased()
    live = {i: h.kind or "other" for i, (_ref, h) in held.items()}  # applications not erased before
    if pid.kind == "individual":
        erased = erase_applications(s, live, placeholder=REMOVED_ON_REQUEST, now=now, extra_needles=needles)
        s.refresh(person)
        if person.erased_at is None:  # no applications (or all erased before): the record itself
            person.name, person.name_key, person.address, person.postcode, person.website = \
                REMOVED_ON_REQUEST, "", "", "", ""
            person.erased_at = now
            erased.individuals += 1
            for c in s.scalars(select(Contact).where(Contact.organisation_id == person.id,
                                                     Contact.erased_at.is_(None))):
                c.name, c.role, c.email, c.phone, c.erased_at = REMOVED_ON_REQUEST, "", "", "", now
                erased.contacts += 1
    else:
        erased.texts += cut_names(s, app_ids, needles)
        if pid.kind == "contact":
            person.name, person.role, person.email, person.phone = REMOVED_ON_REQUEST, "", "", ""
            erased.contacts += 1
        elif pid.kind == "panellist":
            person.name, person.area_description = REMOVED_ON_REQUEST, ""
            panel = s.get(Panel, person.panel_id)
            if panel is not None:
                erased.texts += _cut_panel(panel, needles)
        else:
            person.name, person.email, person.party = REMOVED_ON_REQUEST, "", ""
        person.erased_at = now
    s.flush()
    audit(s, actor=who, action="people.erase", entity=_ENTITY[pid.kind], entity_id=pid.id,
          summary=f"Erased on request: {KIND_LABELS[pid.kind].lower()} {pid} — " + erased.summary(),
          after={"person": str(pid), **erased.as_json()})
    return ErasureResult(str(pid), erased)


def _cut_panel(panel: Panel, needles: tuple[str, ...]) -> int:
    from grantdesk.domain.retention import redact

    before = panel.notes or ""
    after = redact(before, needles)
    if after != before:
        panel.notes = after
        return 1
    return 0
