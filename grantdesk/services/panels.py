"""Panel scoring, the Oxford way: named panellists score each shortlisted application against the
panel's criteria (weighted, with "can't judge" and a note per score), deliberate, and record a final
decision that may differ from the raw scores — with a reason when it does.

A panellist who has declared an interest in an application cannot score it; the declaration is kept.
Decisions move the applications (awarded, declined or deferred) only when the officer applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

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

SCORED_STATUSES = (Status.SHORTLISTED.value, Status.AWARDED.value, Status.DECLINED.value, Status.DEFERRED.value)
OUTCOMES = {"fund": "Fund", "decline": "Do not fund", "defer": "Defer"}


class ConflictOfInterest(GrantDeskError):
    """A panellist tried to score an application they have declared an interest in."""


def _panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(f"There is no panel with id {panel_id}.")
    return panel


def _panellist(session: Session, panel: Panel, panellist_id: int) -> Panellist:
    person = session.get(Panellist, panellist_id)
    if person is None or person.panel_id != panel.id:
        raise NotFound(f"Panellist {panellist_id} is not on {panel.name}.")
    return person


def _application(session: Session, panel: Panel, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None or app.fund_id != panel.fund_id or (panel.round_id and app.round_id != panel.round_id):
        raise NotFound(f"Application {application_id} is not one this panel decides.")
    return app


def _interest(session: Session, panellist_id: int, application_id: int) -> InterestDeclaration | None:
    """The panellist's declared interest in the application (anything other than "none"), if any."""
    return session.scalar(select(InterestDeclaration).where(
        InterestDeclaration.panellist_id == panellist_id, InterestDeclaration.application_id == application_id,
        InterestDeclaration.kind != "none").order_by(InterestDeclaration.id.desc()))


# --- set-up ---------------------------------------------------------------------------------------


def add_criterion(db: Database, panel_id: int, name: str, *, weight: int = 1, low: int = 0, high: int = 5,
                  description: str = "", actor: str | None = None) -> int:
    who = actor_or_default(actor)
    if not name.strip():
        raise ValidationError("Name the criterion, for example “Benefit to local people”.", "name")
    if weight < 1:
        raise ValidationError("A criterion's weight is a whole number of at least 1.", "weight")
    if high <= low:
        raise ValidationError("The top of the score range must be above the bottom.", "high")
    with db.unit_of_work() as uow:
        s = uow.session
        panel = _panel(s, panel_id)
        if any(c.name.casefold() == name.strip().casefold() for c in _criteria(s, panel_id)):
            raise ValidationError(f"{panel.name} already has a criterion called “{name.strip()}”.", "name")
        crit = PanelCriterion(panel_id=panel_id, name=name.strip(), description=description.strip(), weight=weight,
                              low=low, high=high, position=len(_criteria(s, panel_id)) + 1)
        s.add(crit)
        s.flush()
        audit(s, actor=who, action="panel.criterion", entity="panel", entity_id=panel_id,
              summary=f"Added the criterion “{crit.name}” (weight {weight}, {low}–{high}) to {panel.name}")
        uow.commit()
        return crit.id


def _criteria(session: Session, panel_id: int) -> list[PanelCriterion]:
    return list(session.scalars(select(PanelCriterion).where(PanelCriterion.panel_id == panel_id)
                                .order_by(PanelCriterion.position, PanelCriterion.id)))


def declare_interest(db: Database, panel_id: int, panellist_id: int, application_id: int, kind: str,
                     nature: str = "", *, on: date | None = None, actor: str | None = None) -> None:
    """Record a panellist's declaration (``none`` too: it shows they were asked)."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
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
        uow.commit()


def record_score(db: Database, panellist_id: int, application_id: int, criterion_id: int, score: int | None,
                 note: str = "", *, actor: str | None = None) -> None:
    """A panellist's score on one criterion (``None``: can't judge), replacing any earlier one.
    Refused with ``ConflictOfInterest`` when they have declared an interest in the application."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        person = s.get(Panellist, panellist_id)
        if person is None:
            raise NotFound(f"There is no panellist with id {panellist_id}.")
        panel = _panel(s, person.panel_id)
        app = _application(s, panel, application_id)
        crit = s.get(PanelCriterion, criterion_id)
        if crit is None or crit.panel_id != panel.id:
            raise NotFound(f"Criterion {criterion_id} is not one of {panel.name}'s.")
        interest = _interest(s, panellist_id, application_id)
        if interest is not None:
            raise ConflictOfInterest(
                f"{person.name} declared an interest in {app.reference} ({INTEREST_LABELS[interest.kind].lower()}: "
                f"{interest.nature}) on {interest.declared_on:%d/%m/%Y}, so they cannot score it.")
        if s.scalar(select(PanelDecision.id).where(PanelDecision.panel_id == panel.id,
                                                   PanelDecision.application_id == app.id,
                                                   PanelDecision.applied_at.is_not(None))):
            raise ValidationError(f"The panel's decision on {app.reference} has been applied; scores are final.")
        if score is not None and not crit.low <= score <= crit.high:
            raise ValidationError(f"Score “{crit.name}” from {crit.low} to {crit.high}, or tick can't judge.", "score")
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
        uow.commit()


def set_deliberation_notes(db: Database, panel_id: int, notes: str, *, actor: str | None = None) -> None:
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        panel = _panel(uow.session, panel_id)
        panel.notes = notes.strip()
        audit(uow.session, actor=who, action="panel.notes", entity="panel", entity_id=panel_id,
              summary=f"Updated {panel.name}'s deliberation notes")
        uow.commit()


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
    conflicted: dict[int, str]  # panellist id → the interest, in words
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
        conflicted = {d.panellist_id: f"{INTEREST_LABELS[d.kind]}: {d.nature}" for d in declarations
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


def record_decision(db: Database, panel_id: int, application_id: int, outcome: str, *, amount_pence: int = 0,
                    reason: str = "", on: date | None = None, actor: str | None = None) -> DecisionView:
    """The panel's final decision after deliberation. When it differs from what the raw scores suggest
    (fund what the ranking funds within the budget), a reason is required and kept."""
    who = actor_or_default(actor)
    if outcome not in OUTCOMES:
        raise ValidationError(f"“{outcome}” is not a panel decision; use fund, decline or defer.", "outcome")
    with db.unit_of_work() as uow:
        s = uow.session
        panel = _panel(s, panel_id)
        app = _application(s, panel, application_id)
        if outcome == "fund":
            if amount_pence <= 0:
                raise ValidationError("Say how much the panel awards (more than £0).", "amount")
            if amount_pence > app.amount_requested_pence:
                raise ValidationError(f"{app.reference} asked for {format_money(app.amount_requested_pence)}; the "
                                      "panel cannot award more than was asked for.", "amount")
        else:
            amount_pence = 0
        row = _sheet(s, panel).application(app.reference)
        differs = (outcome == "fund") != row.suggested or (outcome == "fund" and amount_pence != app.amount_requested_pence)
        if differs and not reason.strip():
            suggestion = "funding it" if row.suggested else "not funding it"
            raise ValidationError(f"The raw scores rank {app.reference} {row.rank} of {len(_sheet(s, panel).applications)}, "
                                  f"suggesting {suggestion}; say why the panel decided otherwise.", "reason")
        existing = s.scalar(select(PanelDecision).where(PanelDecision.panel_id == panel_id,
                                                        PanelDecision.application_id == application_id))
        if existing is not None and existing.applied_at is not None:
            raise ValidationError(f"The panel's decision on {app.reference} has already been applied.")
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
        uow.commit()
        return DecisionView(outcome, amount_pence, existing.reason, differs, existing.decided_on, False)


@dataclass(frozen=True, slots=True)
class Applied:
    awarded: tuple[str, ...]
    declined: tuple[str, ...]
    deferred: tuple[str, ...]


def apply_decisions(db: Database, panel_id: int, *, actor: str | None = None) -> Applied:
    """The officer confirms the panel's decisions: each shortlisted application with a decision moves
    (awarded with the amount, declined or deferred with the reason), all in one transaction."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        panel = _panel(s, panel_id)
        done: dict[str, list[str]] = {"fund": [], "decline": [], "defer": []}
        now = utcnow()
        for d in s.scalars(select(PanelDecision).where(PanelDecision.panel_id == panel_id,
                                                       PanelDecision.applied_at.is_(None))):
            app = s.get(Application, d.application_id)
            if app is None or app.status != Status.SHORTLISTED.value:
                continue
            why = d.reason or f"Decided by {panel.name}"
            if d.outcome == "fund":
                do_transition(s, app, Status.AWARDED, actor=who, on=d.decided_on, reason=why)
                add_award(s, actor=who, application=app, amount_pence=d.amount_pence, awarded_on=d.decided_on,
                          spend_by=app.round.spend_by if app.round else None)
            else:
                target = Status.DECLINED if d.outcome == "decline" else Status.DEFERRED
                do_transition(s, app, target, actor=who, reason=why)
            d.applied_at = now
            done[d.outcome].append(app.reference)
        if not any(done.values()):
            raise ValidationError("There is no panel decision on a shortlisted application to apply.")
        audit(s, actor=who, action="panel.apply", entity="panel", entity_id=panel_id,
              summary=f"Applied {panel.name}'s decisions: {len(done['fund'])} funded, {len(done['decline'])} "
                      f"declined, {len(done['defer'])} deferred")
        uow.commit()
        return Applied(tuple(done["fund"]), tuple(done["decline"]), tuple(done["defer"]))
