"""Retention: which applications' personal details are past the fund's periods, and removing them.

``retention_plan(db, fund_code, as_of)`` lists what is due (by kind, each with its reference and the
day it became due; no names). ``run_retention(uow, fund_code, as_of=…)`` removes it in one transaction
and writes one audit entry that says what kinds and how many, never what was removed.

What a run removes, for each application due (``erase_applications``, which erasure on request uses too):

- **contacts** the application names (name, role, e-mail, phone), unless an application still held
  names the same contact;
- **individual applicants** (organisations of type *individual*): name, address, postcode, website,
  and the application's title and summary (they describe the person); other organisations keep their
  name; a group with no charity or company number loses its address, postcode and website (often
  someone's home), once none of its applications is held; a registered charity's or company's
  details are public and stay;
- **documents** attached to the application, and **photos** kept with its outcome notes;
- **answers** to the fund's own questions (they may hold anything: dates of birth, circumstances);
- **free text that names people**: the names, e-mail addresses and phone numbers of the applying
  organisation's contacts (and of an individual applicant) are cut out (``[removed]``) of the status history's reasons, panel scores' notes and decisions,
  members' decisions, eligibility overrides, declarations of interest, the award's purpose and
  conditions, outcome notes (whose author's name goes too), the panel's notes and the title and
  summary. The rest of the text stays: it is the council's record of what it decided and why.

Kept: references, amounts, dates, areas, statuses, decisions and outcomes, payments, the organisation's
public identifiers (charity and company numbers, and a registered organisation's name) — so counts,
reports, members' pots and 360Giving files still add up. The audit log is append-only and is not
changed; its entries name records by number, not people. Each record erased gets ``erased_at``, is not
counted again, and shows ``(removed under retention)`` where its name was.

Who may run it: a manager; ``require_manager`` below is the one check point.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from grantdesk.domain.fund_settings import settings_of, with_setting
from grantdesk.domain.repeat_bids import award_year
from grantdesk.domain.retention import (
    AWARD,
    DRAFT,
    KINDS,
    REMOVED,
    UNSUCCESSFUL,
    UNSUCCESSFUL_STATUSES,
    Holding,
    RecordFacts,
    RetentionPeriods,
    holding,
    is_due,
    needles_for,
    redact,
)
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    Attachment,
    Award,
    Contact,
    EligibilityOverride,
    Fund,
    InterestDeclaration,
    MemberDecision,
    Organisation,
    OutcomeNote,
    OutcomePhoto,
    Panel,
    PanelDecision,
    PanelScore,
    Round,
    StatusChange,
)
from grantdesk.store.unit_of_work import UnitOfWork, transactional

__all__ = [
    "DueRecord", "Erased", "RetentionPlan", "RetentionRun", "cut_names", "erase_applications", "holdings",
    "require_manager", "retention_plan", "run_retention", "set_retention_periods",
]

INDIVIDUAL = "individual"


def require_manager(target, doing: str) -> None:
    """The one check point for who may run retention, change its periods or erase a person's details:
    a manager. ``target`` is the unit of work (or session). It uses the roles' own check
    (``grantdesk.services.common.require_role``) when GrantDesk has it; before roles existed, anyone
    who could open the database could."""
    from grantdesk.services import common

    check = getattr(common, "require_role", None)
    if check is not None:
        check(target, "manager", doing=doing)


# --- the plan ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueRecord:
    """One application whose personal details are due to go: its kind, reference, and dates."""

    kind: str
    application_id: int
    reference: str
    held_until: date
    due_on: date


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    fund_code: str
    fund_name: str
    as_of: date
    periods: RetentionPeriods
    due: tuple[DueRecord, ...]
    held: int  # applications whose details are still held (within their period, or still being decided)
    erased_before: int  # applications erased by earlier runs (not counted again)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.kind for r in self.due)
        return {kind: found.get(kind, 0) for kind in KINDS}

    def as_json(self) -> dict:
        return {"fund": self.fund_code, "as_of": self.as_of.isoformat(),
                "periods": {"unsuccessful_years": self.periods.unsuccessful_years,
                            "award_years": self.periods.award_years, "draft_years": self.periods.draft_years},
                "counts": self.counts, "held": self.held, "erased_before": self.erased_before,
                "due": [{"kind": r.kind, "reference": r.reference, "held_until": r.held_until.isoformat(),
                         "due_on": r.due_on.isoformat()} for r in self.due]}


def _day(moment: datetime | date | None) -> date | None:
    return moment.date() if isinstance(moment, datetime) else moment


def holdings(session: Session, application_ids: Iterable[int] | None = None, *, fund_id: int | None = None
             ) -> dict[int, tuple[str, Holding]]:
    """How long each application (not yet erased) is held: its id → (reference, holding), under its
    own fund's periods. Either the ids or a fund."""
    decided = (select(StatusChange.application_id, func.max(StatusChange.at).label("at"))
               .where(StatusChange.to_status.in_(UNSUCCESSFUL_STATUSES))
               .group_by(StatusChange.application_id).subquery())
    query = (select(Application.id, Application.reference, Application.status, Application.updated_at,
                    Application.fund_id, Round.financial_year, Award.awarded_on, decided.c.at)
             .outerjoin(Round, Round.id == Application.round_id)
             .outerjoin(Award, Award.application_id == Application.id)
             .outerjoin(decided, decided.c.application_id == Application.id)
             .where(Application.erased_at.is_(None)))
    if fund_id is not None:
        query = query.where(Application.fund_id == fund_id)
    if application_ids is not None:
        query = query.where(Application.id.in_(list(application_ids)))
    periods: dict[int, RetentionPeriods] = {}
    out: dict[int, tuple[str, Holding]] = {}
    for app_id, reference, status, updated_at, app_fund, round_year, awarded_on, decided_at in session.execute(
            query.order_by(Application.reference)):
        if app_fund not in periods:
            periods[app_fund] = RetentionPeriods.of(settings_of(session.get(Fund, app_fund).settings))
        facts = RecordFacts(status, award_year(round_year, awarded_on) if awarded_on else None,
                            _day(decided_at), _day(updated_at))
        out[app_id] = (reference, holding(facts, periods[app_fund]))
    return out


def retention_plan(db: Database, fund_code: str, as_of: date | None = None) -> RetentionPlan:
    """What a retention run on ``as_of`` (today unless given) would remove — a read."""
    day = as_of or utcnow().date()
    with db.session() as s:
        return _plan(s, fund_code, day)


def _plan(s: Session, fund_code: str, day: date) -> RetentionPlan:
    fund = fund_by_code(s, fund_code)
    due = []
    held = 0
    for app_id, (reference, h) in holdings(s, fund_id=fund.id).items():
        if is_due(h, day):
            assert h.kind is not None and h.held_until is not None and h.due_on is not None
            due.append(DueRecord(h.kind, app_id, reference, h.held_until, h.due_on))
        else:
            held += 1
    erased = s.scalar(select(func.count()).select_from(Application)
                      .where(Application.fund_id == fund.id, Application.erased_at.is_not(None))) or 0
    order = {k: i for i, k in enumerate(KINDS)}
    due.sort(key=lambda r: (order[r.kind], r.due_on, r.reference))
    return RetentionPlan(fund.code, fund.name, day, RetentionPeriods.of(settings_of(fund.settings)), tuple(due),
                         held, int(erased))


# --- removing ------------------------------------------------------------------------------------------


@dataclass
class Erased:
    """How many of each thing a removal took away (counts only)."""

    applications: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    contacts: int = 0
    individuals: int = 0
    addresses: int = 0  # unregistered groups' addresses
    documents: int = 0
    photos: int = 0
    texts: int = 0  # free-text fields a name, e-mail or phone number was cut out of

    def as_json(self) -> dict:
        return {"applications": dict(self.applications), "contacts": self.contacts, "individuals": self.individuals,
                "addresses": self.addresses, "documents": self.documents, "photos": self.photos, "texts": self.texts}

    def summary(self) -> str:
        apps = ", ".join(f"{n} {label}" for label, n in (
            ("unsuccessful", self.applications.get(UNSUCCESSFUL, 0)), ("awarded", self.applications.get(AWARD, 0)),
            ("draft", self.applications.get(DRAFT, 0)), ("other", self.applications.get("other", 0))) if n)
        return (f"applications: {apps or 'none'}; {self.contacts} contact(s), {self.individuals} individual "
                f"applicant(s), {self.addresses} group address(es), {self.documents} document(s), {self.photos} "
                f"photo(s), {self.texts} text(s) with a name cut out")


def _registered(org: Organisation) -> bool:
    return bool(org.charity_number or org.company_number) and org.org_type != INDIVIDUAL


def _erase_contact(contact: Contact, placeholder: str, now: datetime) -> None:
    contact.name, contact.role, contact.email, contact.phone = placeholder, "", "", ""
    contact.erased_at = now


def _cut(obj, names: tuple[str, ...], needles: tuple[str, ...]) -> int:
    changed = 0
    for name in names:
        before = getattr(obj, name)
        if not before:
            continue
        after = redact(before, needles)
        if after != before:
            setattr(obj, name, after)
            changed += 1
    return changed


# Free text kept about an application that may name people: (model, its application column, fields).
TEXTS = (
    (StatusChange, StatusChange.application_id, ("reason", "reason_cy")),
    (PanelScore, PanelScore.application_id, ("note",)),
    (PanelDecision, PanelDecision.application_id, ("reason",)),
    (MemberDecision, MemberDecision.application_id, ("reasons", "officer_reason")),
    (EligibilityOverride, EligibilityOverride.application_id, ("reason",)),
    (InterestDeclaration, InterestDeclaration.application_id, ("nature",)),
    (Award, Award.application_id, ("purpose", "conditions", "purpose_cy", "conditions_cy")),
)
NOTE_TEXTS = ("what_happened", "what_changed", "story", "not_to_plan", "learned", "council_could_do_better")


def cut_names(session: Session, application_ids: Iterable[int], needles: tuple[str, ...]) -> int:
    """Cut ``needles`` (``needles_for``) out of the free text kept about the applications: their
    history's reasons, scores' notes, decisions, overrides, declarations, award, outcome notes and
    their panels' notes. Returns how many fields changed."""
    ids = list(application_ids)
    if not needles or not ids:
        return 0
    changed = 0
    for model, column, names in TEXTS:
        for row in session.scalars(select(model).where(column.in_(ids))):
            changed += _cut(row, names, needles)
    panel_ids = set(session.scalars(select(PanelDecision.panel_id).where(PanelDecision.application_id.in_(ids))))
    for panel in session.scalars(select(Panel).where(Panel.id.in_(panel_ids))):
        changed += _cut(panel, ("notes",), needles)
    award_ids = select(Award.id).where(Award.application_id.in_(ids))
    for note in session.scalars(select(OutcomeNote).where(OutcomeNote.award_id.in_(award_ids))):
        changed += _cut(note, NOTE_TEXTS, needles)
    return changed


def erase_applications(session: Session, kinds: dict[int, str], *, placeholder: str = REMOVED,
                       now: datetime | None = None, extra_needles: tuple[str, ...] = ()) -> Erased:
    """Remove the personal details of the applications ``kinds`` names (id → kind, for the counts),
    as the module's docstring says; the caller writes the audit entry. ``extra_needles``: more texts
    to cut out of their free text (a person erased on request)."""
    now = now or utcnow()
    done = Erased()
    if not kinds:
        return done
    ids = list(kinds)
    apps = list(session.scalars(select(Application).where(Application.id.in_(ids))))
    org_ids = {a.organisation_id for a in apps}
    contact_ids = {a.contact_id for a in apps if a.contact_id is not None}
    # Who else still needs the same contacts and organisations: applications not erased and not in this run.
    others = select(Application).where(Application.id.not_in(ids), Application.erased_at.is_(None))
    still_used_orgs = set(session.scalars(
        others.with_only_columns(Application.organisation_id).where(Application.organisation_id.in_(org_ids))))
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
    finished_orgs = {oid for oid in org_ids if oid not in still_used_orgs}
    contacts = list(session.scalars(select(Contact).where(
        Contact.id.in_(contact_ids) | (Contact.organisation_id.in_(finished_orgs)))))
    still_used_contacts = set(session.scalars(others.with_only_columns(Application.contact_id)
                                              .where(Application.contact_id.in_([c.id for c in contacts]))))
    needles: list[str] = list(extra_needles)
    # every contact of the applying organisations is cut out of the applications' text, kept or not
    for c in session.scalars(select(Contact).where(Contact.organisation_id.in_(org_ids) | Contact.id.in_(contact_ids))):
        needles += needles_for(c.name, c.email, c.phone)
    for o in orgs.values():
        if o.org_type == INDIVIDUAL:
            needles += needles_for(o.name, o.website)
    cut = tuple(needles)

    # the applications' own text, documents and answers
    for app in apps:
        org = orgs[app.organisation_id]
        if org.org_type == INDIVIDUAL:
            app.title, app.summary, app.title_cy, app.summary_cy = placeholder, "", None, None
        else:
            done.texts += _cut(app, ("title", "summary", "title_cy", "summary_cy"), cut)
        app.answers = {}
        app.erased_at = now
        done.applications[kinds[app.id]] = done.applications.get(kinds[app.id], 0) + 1
    done.documents = session.execute(delete(Attachment).where(Attachment.application_id.in_(ids))).rowcount or 0
    award_ids = list(session.scalars(select(Award.id).where(Award.application_id.in_(ids))))
    if award_ids:
        note_ids = select(OutcomeNote.id).where(OutcomeNote.award_id.in_(award_ids))
        done.photos = session.execute(delete(OutcomePhoto).where(OutcomePhoto.note_id.in_(note_ids))).rowcount or 0
    # free text that may name them
    done.texts += cut_names(session, ids, cut)
    if award_ids:
        for note in session.scalars(select(OutcomeNote).where(OutcomeNote.award_id.in_(award_ids))):
            if note.author:
                note.author = ""
                done.texts += 1
    # the people
    for c in contacts:
        if c.erased_at is None and c.id not in still_used_contacts:
            _erase_contact(c, placeholder, now)
            done.contacts += 1
    for oid in finished_orgs:
        org = orgs[oid]
        if org.erased_at is not None:
            continue
        if org.org_type == INDIVIDUAL:
            org.name, org.name_key = placeholder, ""
            org.address, org.postcode, org.website = "", "", ""
            org.erased_at = now
            done.individuals += 1
        elif not _registered(org) and (org.address or org.postcode or org.website):
            org.address, org.postcode, org.website = "", "", ""
            org.erased_at = now
            done.addresses += 1
    session.flush()
    return done


@dataclass(frozen=True, slots=True)
class RetentionRun:
    fund_code: str
    as_of: date
    erased: Erased

    @property
    def applications(self) -> int:
        return sum(self.erased.applications.values())


@transactional
def run_retention(uow: UnitOfWork, fund_code: str, *, as_of: date | None = None, actor: str | None = None
                  ) -> RetentionRun:
    """Remove the personal details of every application of the fund due on ``as_of`` (today unless
    given), all in this transaction, with one audit entry of counts."""
    require_manager(uow, "run retention")
    who = actor_or_default(actor)
    s = uow.session
    day = as_of or utcnow().date()
    plan = _plan(s, fund_code, day)
    fund = fund_by_code(s, fund_code)
    erased = erase_applications(s, {r.application_id: r.kind for r in plan.due})
    audit(s, actor=who, action="retention.run", entity="fund", entity_id=fund.id,
          summary=f"Retention run for {fund.code} as of {day.isoformat()}: removed personal details — "
                  + erased.summary(),
          after={"as_of": day.isoformat(), **erased.as_json()})
    return RetentionRun(fund.code, day, erased)


@transactional
def set_retention_periods(uow: UnitOfWork, fund_code: str, *, unsuccessful_years: int, award_years: int,
                          draft_years: int, actor: str | None = None) -> RetentionPeriods:
    """Change how long the fund keeps personal details (each checked as the settings declare)."""
    require_manager(uow, "change how long personal details are kept")
    who = actor_or_default(actor)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    before = RetentionPeriods.of(settings_of(fund.settings))
    raw = fund.settings
    for key, value in (("retention_unsuccessful_years", unsuccessful_years), ("retention_award_years", award_years),
                       ("retention_draft_years", draft_years)):
        raw = with_setting(raw, key, value)
    fund.settings = raw
    after = RetentionPeriods.of(settings_of(fund.settings))
    if after != before:
        audit(s, actor=who, action="fund.retention", entity="fund", entity_id=fund.id,
              summary=f"Retention periods for {fund.code}: unsuccessful {after.unsuccessful_years}, awards "
                      f"{after.award_years}, drafts {after.draft_years} year(s)",
              before={"unsuccessful_years": before.unsuccessful_years, "award_years": before.award_years,
                      "draft_years": before.draft_years},
              after={"unsuccessful_years": after.unsuccessful_years, "award_years": after.award_years,
                     "draft_years": after.draft_years})
    return after
