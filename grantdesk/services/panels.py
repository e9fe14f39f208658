"""Panel scoring, the Oxford way: named panellists score each shortlisted application against the
panel's criteria (weighted, with "can't judge" and a note per score), deliberate, and record a final
decision that may differ from the raw scores — with a reason when it does.

A panellist who has declared an interest in an application cannot score it; the declaration is kept.
Decisions move the applications (awarded, declined or deferred) only when the officer applies them.

Every service that writes is ``@transactional`` (``grantdesk.store.unit_of_work``): called with a
``Database`` it is one transaction of its own; called with a ``UnitOfWork`` it joins the caller's.
None of them commits itself. What each changed is reported as ``Kind.PANELS`` (and, when decisions are
applied, ``Kind.APPLICATIONS`` and ``Kind.AWARDS`` with the applications' ids), so every open window
showing the panel or the applications refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import GrantDeskError, NotFound, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.workflow import Status
from grantdesk.services.applications import do_transition
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.services.decisions import INTEREST_LABELS, add_award, add_interest_declaration
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    InterestDeclaration,
    Panel,
    PanelCriterion,
    PanelDecision,
    Panellist,
    PanelScore,
)
from grantdesk.store.unit_of_work import UnitOfWork, note_change, transactional
from grantdesk.i18n import _

SCORED_STATUSES = (Status.SHORTLISTED.value, Status.AWARDED.value, Status.DECLINED.value, Status.DEFERRED.value)
OUTCOMES = {"fund": "Fund", "decline": "Do not fund", "defer": "Defer"}


@dataclass(frozen=True, slots=True)
class InterestView:
    """A panellist's declared interest in an application: ``kind`` is one of ``INTEREST_LABELS``' keys
    (never "none" here); the window chooses the words."""

    kind: str
    nature: str
    declared_on: date


class ConflictOfInterest(GrantDeskError):
    """A panellist tried to score an application they have declared an interest in. Besides the
    officer's sentence it carries the data: ``panellist``, ``reference`` and the ``interest``."""

    def __init__(self, message: str, *, panellist: str = "", reference: str = "",
                 interest: InterestView | None = None):
        super().__init__(message)
        self.panellist = panellist
        self.reference = reference
        self.interest = interest


def _panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(_("There is no panel with id {panel_id}.").format(panel_id=panel_id))
    return panel


def _panellist(session: Session, panel: Panel, panellist_id: int) -> Panellist:
    person = session.get(Panellist, panellist_id)
    if person is None or person.panel_id != panel.id:
        raise NotFound(_("Panellist {panellist_id} is not on {name}.").format(
                         panellist_id=panellist_id, name=panel.name))
    return person


def _application(session: Session, panel: Panel, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None or app.fund_id != panel.fund_id or (panel.round_id and app.round_id != panel.round_id):
        raise NotFound(_("Application {application_id} is not one this panel decides.").format(
                         application_id=application_id))
    return app


def _interest(session: Session, panellist_id: int, application_id: int) -> InterestDeclaration | None:
    """The panellist's declared interest in the application (anything other than "none"), if any."""
    return session.scalar(select(InterestDeclaration).where(
        InterestDeclaration.panellist_id == panellist_id, InterestDeclaration.application_id == application_id,
        InterestDeclaration.kind != "none").order_by(InterestDeclaration.id.desc()))


# --- set-up ---------------------------------------------------------------------------------------


@transactional
def add_criterion(uow: UnitOfWork, panel_id: int, name: str, *, weight: int = 1, low: int = 0, high: int = 5,
                  description: str = "", actor: str | None = None) -> int:
    who = actor_or_default(actor)
    if not name.strip():
        raise ValidationError(_("Name the criterion, for example “Benefit to local people”."), "name")
    if weight < 1:
        raise ValidationError(_("A criterion's weight is a whole number of at least 1."), "weight")
    if high <= low:
        raise ValidationError(_("The top of the score range must be above the bottom."), "high")
    s = uow.session
    panel = _panel(s, panel_id)
    if any(c.name.casefold() == name.strip().casefold() for c in _criteria(s, panel_id)):
        raise ValidationError(_("{name} already has a criterion called “{name2}”.").format(
                                name=panel.name, name2=name.strip()), "name")
    crit = PanelCriterion(panel_id=panel_id, name=name.strip(), description=description.strip(), weight=weight,
                          low=low, high=high, position=len(_criteria(s, panel_id)) + 1)
    s.add(crit)
    s.flush()
    audit(s, actor=who, action="panel.criterion", entity="panel", entity_id=panel_id,
          summary=f"Added the criterion “{crit.name}” (weight {weight}, {low}–{high}) to {panel.name}")
    return crit.id


def _criteria(session: Session, panel_id: int) -> list[PanelCriterion]:
    return list(session.scalars(select(PanelCriterion).where(PanelCriterion.panel_id == panel_id)
                                .order_by(PanelCriterion.position, PanelCriterion.id)))


@transactional
def declare_interest(uow: UnitOfWork, panel_id: int, panellist_id: int, application_id: int, kind: str,
                     nature: str = "", *, on: date | None = None, actor: str | None = None) -> None:
    """Record a panellist's declaration (``none`` too: it shows they were asked). The declaration
    table is the register of interests (``Kind.MEMBERS``); it changes the panel's sheet too, so the
    change is also noted as ``Kind.PANELS`` for the application."""
    who = actor_or_default(actor)
    s = uow.session
    panel = _panel(s, panel_id)
    person = _panellist(s, panel, panellist_id)
    app = _application(s, panel, application_id)
    add_interest_declaration(s, actor=who, application=app, declared_on=on or utcnow().date(), kind=kind,
                             nature=nature, panellist=person)
    if kind != "none":  # scores given before the declaration no longer count
        for score in s.scalars(select(PanelScore).where(PanelScore.panellist_id == panellist_id,
                                                        PanelScore.application_id == application_id)):
            s.delete(score)
    note_change(s, Kind.PANELS, [app.id])


@transactional
def record_score(uow: UnitOfWork, panellist_id: int, application_id: int, criterion_id: int, score: int | None,
                 note: str = "", *, actor: str | None = None) -> None:
    """A panellist's score on one criterion (``None``: can't judge), replacing any earlier one.
    Refused with ``ConflictOfInterest`` when they have declared an interest in the application."""
    who = actor_or_default(actor)
    s = uow.session
    person = s.get(Panellist, panellist_id)
    if person is None:
        raise NotFound(_("There is no panellist with id {panellist_id}.").format(panellist_id=panellist_id))
    panel = _panel(s, person.panel_id)
    app = _application(s, panel, application_id)
    crit = s.get(PanelCriterion, criterion_id)
    if crit is None or crit.panel_id != panel.id:
        raise NotFound(_("Criterion {criterion_id} is not one of {name}'s.").format(
                         criterion_id=criterion_id, name=panel.name))
    interest = _interest(s, panellist_id, application_id)
    if interest is not None:
        raise ConflictOfInterest(
            _("{name} declared an interest in {reference} ({interest_labels}: {nature}) on "
              "{declared_on:%d/%m/%Y}, so they cannot score it.").format(
              name=person.name, reference=app.reference, interest_labels=INTEREST_LABELS[interest.kind].lower(), nature=interest.nature, declared_on=interest.declared_on),
            panellist=person.name, reference=app.reference,
            interest=InterestView(interest.kind, interest.nature, interest.declared_on))
    if s.scalar(select(PanelDecision.id).where(PanelDecision.panel_id == panel.id,
                                               PanelDecision.application_id == app.id,
                                               PanelDecision.applied_at.is_not(None))):
        raise ValidationError(_("The panel's decision on {reference} has been applied; scores are final.").format(
                                reference=app.reference))
    if score is not None and not crit.low <= score <= crit.high:
        raise ValidationError(_("Score “{name}” from {low} to {high}, or choose “Can't judge”.").format(
                                name=crit.name, low=crit.low, high=crit.high), "score")
    row = s.scalar(select(PanelScore).where(PanelScore.panellist_id == panellist_id,
                                            PanelScore.application_id == application_id,
                                            PanelScore.criterion_id == criterion_id))
    if row is None:
        row = PanelScore(panellist_id=panellist_id, application_id=application_id, criterion_id=criterion_id)
        s.add(row)
    row.score = score
    row.note = note.strip()
    row.scored_at = utcnow()
    s.flush()
    audit(s, actor=who, action="panel.score", entity="application", entity_id=application_id,
          summary=f"{person.name} scored {app.reference} on “{crit.name}”: "
                  + ("can't judge" if score is None else str(score)))


@transactional
def set_deliberation_notes(uow: UnitOfWork, panel_id: int, notes: str, *, actor: str | None = None) -> None:
    who = actor_or_default(actor)
    panel = _panel(uow.session, panel_id)
    panel.notes = notes.strip()
    audit(uow.session, actor=who, action="panel.notes", entity="panel", entity_id=panel_id,
          summary=f"Updated {panel.name}'s deliberation notes")


# --- the score sheet --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionView:
    id: int
    name: str
    description: str
    weight: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class PanellistView:
    id: int
    name: str
    area: str


@dataclass(frozen=True, slots=True)
class ScoreView:
    panellist_id: int
    criterion_id: int
    score: int | None
    note: str


@dataclass(frozen=True, slots=True)
class DecisionView:
    outcome: str
    amount_pence: int
    reason: str
    differs_from_scores: bool
    decided_on: date
    applied: bool


@dataclass(frozen=True, slots=True)
class ApplicationScores:
    application_id: int
    reference: str
    title: str
    organisation: str
    amount_pence: int
    status: str
    weighted: Fraction | None  # Σ weight × mean score over panellists who judged it; None: nobody did
    means: dict[int, Fraction | None]  # criterion id → mean score
    scores: tuple[ScoreView, ...]
    conflicted: dict[int, InterestView]  # panellist id → the interest they declared
    rank: int
    suggested: bool  # the raw scores would fund it (down the ranking, within the budget)
    decision: DecisionView | None


@dataclass(frozen=True)
class ScoreSheet:
    panel_id: int
    panel_name: str
    round_name: str
    budget_pence: int | None
    notes: str
    criteria: tuple[CriterionView, ...]
    panellists: tuple[PanellistView, ...]
    applications: tuple[ApplicationScores, ...]  # ranked by weighted score, best first

    @property
    def max_weighted(self) -> int:
        return sum(c.weight * c.high for c in self.criteria)

    def application(self, reference: str) -> ApplicationScores:
        for a in self.applications:
            if a.reference == reference:
                return a
        raise KeyError(reference)


def _sheet(session: Session, panel: Panel) -> ScoreSheet:
    criteria = _criteria(session, panel.id)
    people = [p for p in panel.panellists if p.active]
    query = select(Application).where(Application.fund_id == panel.fund_id, Application.status.in_(SCORED_STATUSES))
    if panel.round_id:
        query = query.where(Application.round_id == panel.round_id)
    apps = list(session.scalars(query.order_by(Application.reference)))
    ids = [a.id for a in apps]
    scores = list(session.scalars(select(PanelScore).where(PanelScore.application_id.in_(ids),
                                                           PanelScore.panellist_id.in_([p.id for p in people]))))
    declarations = list(session.scalars(select(InterestDeclaration).where(
        InterestDeclaration.application_id.in_(ids), InterestDeclaration.panellist_id.in_([p.id for p in people]),
        InterestDeclaration.kind != "none")))
    decisions = {d.application_id: d for d in session.scalars(select(PanelDecision)
                                                              .where(PanelDecision.panel_id == panel.id))}
    rows = []
    for app in apps:
        mine = [s for s in scores if s.application_id == app.id]
        means: dict[int, Fraction | None] = {}
        for c in criteria:
            given = [s.score for s in mine if s.criterion_id == c.id and s.score is not None]
            means[c.id] = Fraction(sum(given), len(given)) if given else None
        judged = [(c, means[c.id]) for c in criteria if means[c.id] is not None]
        weighted = sum((c.weight * m for c, m in judged), Fraction(0)) if judged else None
        conflicted = {d.panellist_id: InterestView(d.kind, d.nature, d.declared_on) for d in declarations
                      if d.application_id == app.id}
        d = decisions.get(app.id)
        rows.append([app, weighted, means, tuple(ScoreView(s.panellist_id, s.criterion_id, s.score, s.note)
                                                   for s in mine), conflicted, d])
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].reference))
    budget = panel.round.budget_pence if panel.round_id and panel.round else None
    left = budget
    out = []
    for rank, (app, weighted, means, mine, conflicted, d) in enumerate(rows, start=1):
        fits = weighted is not None and (left is None or app.amount_requested_pence <= left)
        if fits and left is not None:
            left -= app.amount_requested_pence
        decision = DecisionView(d.outcome, d.amount_pence, d.reason, d.differs_from_scores, d.decided_on,
                                d.applied_at is not None) if d else None
        out.append(ApplicationScores(app.id, app.reference, app.title, app.organisation.name,
                                     app.amount_requested_pence, app.status, weighted, means, mine, conflicted, rank,
                                     fits, decision))
    return ScoreSheet(panel.id, panel.name, panel.round.name if panel.round_id and panel.round else "",
                      budget, panel.notes,
                      tuple(CriterionView(c.id, c.name, c.description, c.weight, c.low, c.high) for c in criteria),
                      tuple(PanellistView(p.id, p.name, p.area_description) for p in people), tuple(out))


def score_sheet(db: Database, panel_id: int) -> ScoreSheet:
    with db.session() as s:
        return _sheet(s, _panel(s, panel_id))


@dataclass(frozen=True, slots=True)
class PanelSummary:
    id: int
    name: str
    round_name: str
    panellists: int


def list_panels(db: Database, fund_code: str) -> list[PanelSummary]:
    from grantdesk.services.common import fund_by_code

    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        panels = s.scalars(select(Panel).where(Panel.fund_id == fund.id).order_by(Panel.id)).all()
        return [PanelSummary(p.id, p.name, p.round.name if p.round_id and p.round else "",
                             sum(1 for x in p.panellists if x.active)) for p in panels]


# --- the final decision ---------------------------------------------------------------------------


@transactional
def record_decision(uow: UnitOfWork, panel_id: int, application_id: int, outcome: str, *, amount_pence: int = 0,
                    reason: str = "", on: date | None = None, actor: str | None = None) -> DecisionView:
    """The panel's final decision after deliberation. When it differs from what the raw scores suggest
    (fund what the ranking funds within the budget), a reason is required and kept."""
    who = actor_or_default(actor)
    if outcome not in OUTCOMES:
        raise ValidationError(_("“{outcome}” is not a panel decision; use fund, decline or defer.").format(
                                outcome=outcome), "outcome")
    s = uow.session
    panel = _panel(s, panel_id)
    app = _application(s, panel, application_id)
    if outcome == "fund":
        if amount_pence <= 0:
            raise ValidationError(_("Say how much the panel awards (more than £0)."), "amount")
        if amount_pence > app.amount_requested_pence:
            raise ValidationError(_("{reference} asked for {amount_requested}; the panel cannot award more than "
                                    "was asked for.").format(
                                    reference=app.reference, amount_requested=format_money(app.amount_requested_pence)), "amount")
        most = app.fund.max_amount_pence
        if most is not None and amount_pence > most and not reason.strip():
            raise ValidationError(_("{amount} is more than {name}'s maximum award of {most}; say why the panel "
                                    "awards it.").format(
                                    amount=format_money(amount_pence), name=app.fund.name, most=format_money(most)), "reason")
    else:
        amount_pence = 0
    sheet = _sheet(s, panel)
    row = sheet.application(app.reference)
    differs = (outcome == "fund") != row.suggested or (outcome == "fund" and amount_pence != app.amount_requested_pence)
    if differs and not reason.strip():
        suggestion = "funding it" if row.suggested else "not funding it"
        raise ValidationError(_("The raw scores rank {reference} {rank} of {count}, suggesting {suggestion}; say "
                                "why the panel decided otherwise.").format(
                                reference=app.reference, rank=row.rank, count=len(sheet.applications), suggestion=suggestion), "reason")
    existing = s.scalar(select(PanelDecision).where(PanelDecision.panel_id == panel_id,
                                                    PanelDecision.application_id == application_id))
    if existing is not None and existing.applied_at is not None:
        raise ValidationError(_("The panel's decision on {reference} has already been applied.").format(
                                reference=app.reference))
    if existing is None:
        existing = PanelDecision(panel_id=panel_id, application_id=application_id)
        s.add(existing)
    existing.outcome = outcome
    existing.amount_pence = amount_pence
    existing.reason = reason.strip()
    existing.differs_from_scores = differs
    existing.decided_on = on or utcnow().date()
    existing.recorded_by = who
    s.flush()
    audit(s, actor=who, action="panel.decide", entity="application", entity_id=app.id,
          summary=f"{panel.name}: {OUTCOMES[outcome].lower()} {app.reference}"
                  + (f" for {format_money(amount_pence)}" if outcome == "fund" else "")
                  + (f" — differs from the scores: {reason.strip()}" if differs else ""))
    return DecisionView(outcome, amount_pence, existing.reason, differs, existing.decided_on, False)


@dataclass(frozen=True, slots=True)
class Applied:
    awarded: tuple[str, ...]
    declined: tuple[str, ...]
    deferred: tuple[str, ...]


def apply_decision(uow: UnitOfWork, panel: Panel, decision: PanelDecision, app: Application, *, actor: str,
                   at: datetime) -> None:
    """Move one application as the panel decided — awarded with the amount (and its award record),
    declined or deferred with the reason — inside the caller's unit of work, and mark the decision
    applied. A step of ``apply_decisions``; on its own it would be half an action."""
    s = uow.session
    why = decision.reason or f"Decided by {panel.name}"
    if decision.outcome == "fund":
        do_transition(s, app, Status.AWARDED, actor=actor, on=decision.decided_on, reason=why)
        add_award(s, actor=actor, application=app, amount_pence=decision.amount_pence,
                  awarded_on=decision.decided_on, spend_by=app.round.spend_by if app.round else None)
    else:
        target = Status.DECLINED if decision.outcome == "decline" else Status.DEFERRED
        do_transition(s, app, target, actor=actor, reason=why)
    decision.applied_at = at


@transactional
def apply_decisions(uow: UnitOfWork, panel_id: int, *, actor: str | None = None) -> Applied:
    """The officer confirms the panel's decisions: each shortlisted application with a decision moves
    (awarded with the amount, declined or deferred with the reason), all in one transaction — if any
    one cannot move, none does and no award is made. Its changes are ``Kind.APPLICATIONS`` and
    ``Kind.AWARDS`` for the applications moved (and ``Kind.PANELS``), so the main list updates."""
    who = actor_or_default(actor)
    s = uow.session
    panel = _panel(s, panel_id)
    done: dict[str, list[str]] = {"fund": [], "decline": [], "defer": []}
    moved: list[int] = []
    funded: list[int] = []
    now = utcnow()
    pending = list(s.scalars(select(PanelDecision).where(PanelDecision.panel_id == panel_id,
                                                         PanelDecision.applied_at.is_(None))
                             .order_by(PanelDecision.id)))
    for d in pending:
        app = s.get(Application, d.application_id)
        if app is None or app.status != Status.SHORTLISTED.value:
            continue
        apply_decision(uow, panel, d, app, actor=who, at=now)
        done[d.outcome].append(app.reference)
        moved.append(app.id)
        if d.outcome == "fund":
            funded.append(app.id)
    if not moved:
        raise ValidationError(_("There is no panel decision on a shortlisted application to apply."))
    note_change(s, Kind.APPLICATIONS, moved)  # the ORM notes these too; said here so it is never lost
    if funded:
        note_change(s, Kind.AWARDS, funded)
    audit(s, actor=who, action="panel.apply", entity="panel", entity_id=panel_id,
          summary=f"Applied {panel.name}'s decisions: {len(done['fund'])} funded, {len(done['decline'])} "
                  f"declined, {len(done['defer'])} deferred")
    return Applied(tuple(done["fund"]), tuple(done["decline"]), tuple(done["defer"]))
