"""Elected-member allocations: each councillor's yearly pot, their written decisions, the officer's
approvals, the year-end, and the records a scrutiny committee reads.

The rules that guard the money (in ``decisions`` since the foundation) are used here, not repeated:
a recommendation never takes a pot below zero, and a disclosable pecuniary interest blocks a decision
unless a dispensation is recorded. On top of them:

- a member states their interest before every recommendation (``none`` too), and it is kept with it;
- several members may fund one application jointly, each from their own pot, across divisions;
- the officer approves or returns each recommendation as a separate, dated event; when the last
  recommendation on an application is approved, the application is awarded the approved total;
- a recommendation dated after the fund's spend-by day falls outside the year and is refused with the
  rule explained; an application submitted after the apply-by day is flagged;
- repeat bids (the same organisation funded by the fund last year, by the one rule in
  ``grantdesk.domain.repeat_bids`` the eligibility check uses too) and match funding the fund's
  rules require are flagged on the decision screen;
- the year-end (lapse, or roll over into next year's allotment) is shown before it runs, runs once,
  and is audited.

Each action is one ``@transactional`` service (``grantdesk.store.unit_of_work``): called with a
``Database`` it is one transaction, called with a ``UnitOfWork`` it joins the caller's. What they
return is data — declarations of interest (``grantdesk.domain.interests.Declaration``) and flags
(``RepeatBid``, ``MatchFunding``, ``LateApplication``) — and the screen and the printed records
choose their own words for it. Refusals are ``GrantDeskError`` sentences for the officer.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import financial_year_bounds, financial_year_label, financial_year_of, format_date
from grantdesk.domain.errors import GrantDeskError, NotFound, ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.interests import NOT_DECLARED, Declaration
from grantdesk.domain.money import format_money
from grantdesk.domain.repeat_bids import application_year, funded_last_year
from grantdesk.domain.workflow import Status
from grantdesk.services.applications import do_transition
from grantdesk.domain.roles import Role
from grantdesk.services.common import actor_or_default, audit, fund_by_code, require_role, utcnow
from grantdesk.services.decisions import (
    add_award,
    add_interest_declaration,
    add_member_decision,
    pot_position,
    record_officer_outcome,
)
from grantdesk.store.database import Database
from grantdesk.store.queries import past_awards
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Allotment,
    Application,
    Award,
    Fund,
    InterestDeclaration,
    Member,
    MemberDecision,
    Organisation,
    Payment,
    YearEnd,
)
from grantdesk.i18n import N_, _, current_language, in_language

YEAR_END_MODES = {"lapse": "lapses", "roll_over": "rolls over into next year's allotment"}
_YEAR_END_SUMMARY = {  # a plan's summary, whole for each way a year ends
    "lapse": N_("{unspent} unspent across {count} members' {year} pots lapses."),
    "roll_over": N_("{unspent} unspent across {count} members' {year} pots rolls over into next year's allotment."),
}
DECIDABLE = (Status.SUBMITTED.value, Status.ELIGIBLE.value, Status.SHORTLISTED.value)


class OutsideTheYear(GrantDeskError):
    """A decision dated after the fund's spend-by day: the year's pots are closed."""


# --- the pots ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberPosition:
    member_id: int
    name: str
    area: str
    party: str
    allotted_pence: int  # this year's allotment, with anything rolled over
    rolled_over_pence: int
    committed_pence: int  # recommended, waiting for the officer
    approved_pence: int
    paid_pence: int
    remaining_pence: int
    decisions: int

    @property
    def untouched(self) -> bool:
        return self.allotted_pence > 0 and self.committed_pence == 0 and self.approved_pence == 0

    @property
    def spent_share(self) -> Fraction:
        """How much of the pot is committed or approved, exactly, from 0 to 1 (for charts and sorting)."""
        if self.allotted_pence <= 0:
            return Fraction(0)
        return min(Fraction(1), Fraction(self.committed_pence + self.approved_pence, self.allotted_pence))


def _fund(session: Session, fund_code: str) -> Fund:
    fund = fund_by_code(session, fund_code)
    if fund.decision_model != "member":
        raise ValidationError(_("{name} is not decided by elected members, so it has no members' pots.").format(
                                name=fund.name))
    return fund


def _members(session: Session, fund: Fund) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.fund_id == fund.id, Member.active.is_(True))
                                .order_by(Member.name)))


def _paid_by_member(session: Session, fund: Fund, year: int) -> dict[int, int]:
    """What has been paid out of each member's approved recommendations: an award's payments shared
    between the members who funded it in proportion to what each approved (the pence left over by
    the division go to the largest shares first, so the parts always add up to the whole)."""
    rows = session.execute(
        select(MemberDecision.application_id, MemberDecision.member_id, MemberDecision.amount_pence)
        .join(Member, Member.id == MemberDecision.member_id)
        .where(Member.fund_id == fund.id, MemberDecision.financial_year == year,
               MemberDecision.decision == "recommended", MemberDecision.officer_outcome == "approved")).all()
    by_app: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for app_id, member_id, amount in rows:
        by_app[app_id].append((member_id, amount))
    paid = dict(session.execute(
        select(Award.application_id, func.coalesce(func.sum(Payment.amount_pence), 0))
        .join(Payment, Payment.award_id == Award.id).where(Award.application_id.in_(by_app))
        .group_by(Award.application_id)).all())
    out: dict[int, int] = defaultdict(int)
    for app_id, shares in by_app.items():
        total_paid = int(paid.get(app_id, 0))
        whole = sum(a for _, a in shares)
        if not total_paid or not whole:
            continue
        parts = [(m, total_paid * a // whole, total_paid * a % whole) for m, a in shares]
        left = total_paid - sum(p for _, p, _ in parts)
        for n, (m, part, _rest) in enumerate(sorted(parts, key=lambda x: -x[2])):
            out[m] += part + (1 if n < left else 0)
    return out


def member_positions(db: Database, fund_code: str, year: int) -> list[MemberPosition]:
    """Every member's pot for the financial year starting in April of ``year``, by name."""
    with db.session() as s:
        fund = _fund(s, fund_code)
        paid = _paid_by_member(s, fund, year)
        counts = dict(s.execute(select(MemberDecision.member_id, func.count())
                                .where(MemberDecision.financial_year == year)
                                .group_by(MemberDecision.member_id)).all())
        out = []
        for m in _members(s, fund):
            pot = pot_position(s, m, year)
            allot = s.scalar(select(Allotment).where(Allotment.member_id == m.id, Allotment.financial_year == year))
            out.append(MemberPosition(m.id, m.name, m.area.name if m.area else "", m.party, pot.allotted_pence,
                                      allot.rolled_over_pence if allot else 0, pot.committed_pence,
                                      pot.approved_pence, paid.get(m.id, 0), pot.remaining_pence,
                                      int(counts.get(m.id, 0))))
        return out


@transactional
def set_allotments(uow: UnitOfWork, fund_code: str, year: int, amount_pence: int, *,
                   member_ids: list[int] | None = None, actor: str | None = None) -> int:
    """Set the allotment for the year: for every member of the fund (in bulk), or the ones named.
    Refused where a member has already committed more than the new amount. Returns how many changed."""
    from grantdesk.services.funds import set_allotment

    who = actor_or_default(actor)
    if amount_pence < 0:
        raise ValidationError(_("An allotment cannot be negative."), "amount")
    s = uow.session
    fund = _fund(s, fund_code)
    members = _members(s, fund)
    if member_ids is not None:
        unknown = set(member_ids) - {m.id for m in members}
        if unknown:
            raise NotFound(_("Member {unknown} is not a member of {name}.").format(
                             unknown=sorted(unknown)[0], name=fund.name))
        members = [m for m in members if m.id in set(member_ids)]
    for m in members:
        pot = pot_position(s, m, year)
        allot = s.scalar(select(Allotment).where(Allotment.member_id == m.id, Allotment.financial_year == year))
        rolled = allot.rolled_over_pence if allot else 0
        used = pot.committed_pence + pot.approved_pence
        if amount_pence + rolled < used:
            values = dict(name=m.name, used=format_money(used), year=financial_year_label(year),
                          allotment=format_money(amount_pence), rolled=format_money(rolled))
            raise ValidationError(
                _("{name} has already recommended {used} in {year}, more than an allotment of {allotment} with "
                  "{rolled} rolled over.").format(**values) if rolled else
                _("{name} has already recommended {used} in {year}, more than an allotment of {allotment}.").format(
                    **values), "amount")
        set_allotment(s, actor=who, member=m, financial_year=year, amount_pence=amount_pence)
    audit(s, actor=who, action="allotment.bulk", entity="fund", entity_id=fund.id,
          summary=f"Set {len(members)} members' {financial_year_label(year)} allotment to {format_money(amount_pence)}")
    return len(members)


# --- the year-end -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearEndLine:
    member_id: int
    name: str
    unspent_pence: int  # what is left (never below zero)
    next_year_pence: int  # the member's next-year allotment after the year-end (before it: without it)


@dataclass(frozen=True)
class YearEndPlan:
    fund_code: str
    year: int
    mode: str
    lines: tuple[YearEndLine, ...]
    done: bool  # already run
    pending_pence: int  # recommendations still waiting for the officer: they block the year-end

    @property
    def unspent_pence(self) -> int:
        return sum(line.unspent_pence for line in self.lines)

    def summary(self, language: str | None = None) -> str:
        """The plan in a sentence, in ``language`` (default: the language the process speaks; the audit log
        keeps English)."""
        words = _YEAR_END_SUMMARY[self.mode]
        return in_language(language or current_language(), words).format(
            unspent=format_money(self.unspent_pence), count=sum(1 for x in self.lines if x.unspent_pence),
            year=financial_year_label(self.year))


def _mode(fund: Fund) -> str:
    """lapse or roll_over: the fund's ``unspent_at_year_end`` setting (``grantdesk.domain.fund_settings``)."""
    return settings_of(fund.settings).unspent_at_year_end


def _plan(session: Session, fund: Fund, year: int) -> YearEndPlan:
    mode = _mode(fund)
    lines = []
    pending = 0
    for m in _members(session, fund):
        pot = pot_position(session, m, year)
        pending += pot.committed_pence
        unspent = max(pot.remaining_pence, 0)
        nxt = session.scalar(select(Allotment).where(Allotment.member_id == m.id,
                                                     Allotment.financial_year == year + 1))
        base = nxt.amount_pence if nxt else 0
        lines.append(YearEndLine(m.id, m.name, unspent, base + (unspent if mode == "roll_over" else 0)))
    done = session.scalar(select(YearEnd.id).where(YearEnd.fund_id == fund.id, YearEnd.financial_year == year))
    return YearEndPlan(fund.code, year, mode, tuple(lines), done is not None, pending)


def year_end_plan(db: Database, fund_code: str, year: int) -> YearEndPlan:
    """What the year-end would do, member by member, before it runs."""
    with db.session() as s:
        return _plan(s, _fund(s, fund_code), year)


@transactional
def run_year_end(uow: UnitOfWork, fund_code: str, year: int, *, actor: str | None = None,
                 today: date | None = None) -> YearEndPlan:
    """Close the year: unspent money lapses, or rolls over into each member's next-year allotment (made
    if missing), as the fund says. Runs once, after the year's spend-by day, with no recommendation
    still waiting for the officer; audited with every member's figure. A manager's."""
    who = actor_or_default(actor)
    s = uow.session
    require_role(uow, Role.MANAGER, doing=N_("run the year-end (closing the year's pots is a manager's)"))
    fund = _fund(s, fund_code)
    plan = _plan(s, fund, year)
    label = financial_year_label(year)
    if plan.done:
        raise ValidationError(_("The {label} year-end for {name} has already been run.").format(
                                label=label, name=fund.name))
    day = today or utcnow().date()
    closes = _spend_by(fund, year)
    if day <= closes:
        raise ValidationError(_("The {label} pots are open until {closes}; run the year-end after that.").format(
                                label=label, closes=format_date(closes)))
    if plan.pending_pence:
        raise ValidationError(_("{pending} of {label} recommendations still wait for the officer; approve or "
                                "return them first.").format(pending=format_money(plan.pending_pence), label=label))
    if plan.mode == "roll_over":
        for line in plan.lines:
            if not line.unspent_pence:
                continue
            nxt = s.scalar(select(Allotment).where(Allotment.member_id == line.member_id,
                                                   Allotment.financial_year == year + 1))
            if nxt is None:
                nxt = Allotment(member_id=line.member_id, financial_year=year + 1, amount_pence=0,
                                rolled_over_pence=0)
                s.add(nxt)
            nxt.rolled_over_pence += line.unspent_pence
    s.add(YearEnd(fund_id=fund.id, financial_year=year, mode=plan.mode, unspent_pence=plan.unspent_pence,
                  effects={str(x.member_id): x.unspent_pence for x in plan.lines}, applied_at=utcnow(),
                  applied_by=who))
    s.flush()
    audit(s, actor=who, action="allotment.year_end", entity="fund", entity_id=fund.id,
          summary=f"{fund.name} {label} year-end: {plan.summary('en')}",
          after={"mode": plan.mode, "unspent": {x.name: x.unspent_pence for x in plan.lines if x.unspent_pence}})
    return YearEndPlan(plan.fund_code, year, plan.mode, plan.lines, True, 0)


# --- deciding -----------------------------------------------------------------------------------------


def _day_in_year(fund: Fund, which: str, year: int) -> date:
    """The fund's ``apply_by`` or ``spend_by`` month-day setting in the financial year starting in
    April of ``year`` (January to March fall in the next calendar year)."""
    month, day = settings_of(fund.settings).month_days[which]
    return date(year + 1 if month <= 3 else year, month, day)


def _spend_by(fund: Fund, year: int) -> date:
    """The last day a decision can use the year's pot: the fund's spend-by day in the year's March."""
    return _day_in_year(fund, "spend_by", year)


def _apply_by(fund: Fund, year: int) -> date:
    return _day_in_year(fund, "apply_by", year)


def spend_by_day(db: Database, fund_code: str, year: int) -> date:
    """The last day decisions can use the financial year's pots (the fund's spend-by setting)."""
    with db.session() as s:
        return _spend_by(_fund(s, fund_code), year)


# --- the flags the decision screen raises: data, worded where they are shown --------------------------


@dataclass(frozen=True, slots=True)
class RepeatBid:
    """The organisation had an award from this fund in the financial year before the application's
    (``grantdesk.domain.repeat_bids``: the rule the eligibility check uses too)."""

    organisation: str
    reference: str  # the earlier application
    amount_pence: int
    awarded_on: date
    financial_year: int  # the year the earlier award's money belongs to
    fund_says: str = ""  # the fund's note on repeat bids (``notes.repeat_bids``; "" when silent)
    kind: ClassVar[str] = "repeat"


@dataclass(frozen=True, slots=True)
class MatchFunding:
    """The fund asks organisations of this type to find part of the cost themselves."""

    org_type: str  # the organisation's type (code)
    percent: int = 0  # the share of the cost, as the fund's ``match_funding_percent`` says; 0 when it does not say
    given: str = ""  # where the application says the match comes from; "" when it does not say
    kind: ClassVar[str] = "match_funding"

    @property
    def share(self) -> str:
        """The share in words: "50%"; "" when the fund does not say."""
        return f"{self.percent}%" if self.percent else ""


@dataclass(frozen=True, slots=True)
class LateApplication:
    """Submitted after the fund's apply-by day for its financial year."""

    submitted_on: date
    apply_by: date
    kind: ClassVar[str] = "late"


Flag = RepeatBid | MatchFunding | LateApplication


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: int
    member_id: int
    member: str
    decision: str
    amount_pence: int
    reasons: str
    decided_on: date
    interest: Declaration  # as recorded; ``NOT_DECLARED`` when the records hold none
    officer_outcome: str | None
    officer_name: str | None
    officer_on: date | None
    officer_reason: str


@dataclass(frozen=True)
class DecisionContext:
    """Everything the decision screen shows for one application."""

    application_id: int
    reference: str
    title: str
    organisation: str
    org_type: str
    area: str
    status: str
    amount_requested_pence: int
    financial_year: int
    decisions: tuple[DecisionView, ...]
    flags: tuple[Flag, ...]
    members: tuple[MemberPosition, ...]  # the fund's members, the application's own area first
    version: int
    approved_pence: int = 0
    pending_pence: int = 0
    awarded_pence: int | None = None
    spend_by: date | None = None
    apply_by: date | None = None
    area_member_ids: tuple[int, ...] = field(default_factory=tuple)
    fund_name: str = ""
    council: str = ""

    @property
    def still_needed_pence(self) -> int:
        return max(self.amount_requested_pence - self.approved_pence - self.pending_pence, 0)


def _declaration(session: Session, decision: MemberDecision) -> Declaration:
    """The member's declaration kept with ``decision`` (the latest made by the day of it), as data."""
    decl = session.scalar(select(InterestDeclaration).where(
        InterestDeclaration.application_id == decision.application_id,
        InterestDeclaration.member_id == decision.member_id,
        InterestDeclaration.declared_on <= decision.decided_on).order_by(InterestDeclaration.id.desc()))
    if decl is None:
        return NOT_DECLARED
    return Declaration(decl.kind, decl.nature or "", decl.dispensation_reference, decl.dispensation_granted_on)


def _decision_views(session: Session, app: Application) -> tuple[DecisionView, ...]:
    rows = session.scalars(select(MemberDecision).where(MemberDecision.application_id == app.id)
                           .order_by(MemberDecision.decided_on, MemberDecision.id)).all()
    names = {m.id: m.name for m in session.scalars(select(Member).where(Member.id.in_([r.member_id for r in rows])))}
    return tuple(DecisionView(r.id, r.member_id, names.get(r.member_id, "?"), r.decision, r.amount_pence, r.reasons,
                              r.decided_on, _declaration(session, r), r.officer_outcome, r.officer_name,
                              r.officer_on, r.officer_reason) for r in rows)


def _flags(session: Session, fund: Fund, app: Application) -> list[Flag]:
    flags: list[Flag] = []
    year = application_year(app.round.financial_year if app.round is not None else None, app.submitted_on,
                            app.created_at.date())
    settings = settings_of(fund.settings)
    says = settings.notes.get("repeat_bids", "").strip()  # a note: the rule itself is ``funded_last_year``
    for earlier in funded_last_year(year, past_awards(session, fund.id, app.organisation_id, app.id)):
        flags.append(RepeatBid(app.organisation.name, earlier.reference, earlier.amount_pence, earlier.awarded_on,
                               earlier.financial_year, says))
    if app.organisation.org_type in settings.match_funding_required_for:
        flags.append(MatchFunding(app.organisation.org_type, settings.match_funding_percent,
                                  str((app.answers or {}).get("match_funding", "")).strip()))
    if app.submitted_on:
        apply_by = _apply_by(fund, financial_year_of(app.submitted_on))
        if app.submitted_on > apply_by:
            flags.append(LateApplication(app.submitted_on, apply_by))
    return flags


def _context(session: Session, app: Application, today: date) -> DecisionContext:
    fund = app.fund
    year = financial_year_of(today)
    if today > _spend_by(fund, year):
        year += 1  # between spend-by and 31 March, decisions belong to next year's pot
    members = _members(session, fund)
    paid = _paid_by_member(session, fund, year)
    positions = []
    for m in members:
        pot = pot_position(session, m, year)
        allot = session.scalar(select(Allotment).where(Allotment.member_id == m.id, Allotment.financial_year == year))
        positions.append(MemberPosition(m.id, m.name, m.area.name if m.area else "", m.party, pot.allotted_pence,
                                        allot.rolled_over_pence if allot else 0, pot.committed_pence,
                                        pot.approved_pence, paid.get(m.id, 0), pot.remaining_pence, 0))
    local = tuple(m.id for m in members if app.area_id is not None and m.area_id == app.area_id)
    positions.sort(key=lambda p: (p.member_id not in local, p.name))
    decisions = _decision_views(session, app)
    approved = sum(d.amount_pence for d in decisions if d.decision == "recommended" and d.officer_outcome == "approved")
    pending = sum(d.amount_pence for d in decisions if d.decision == "recommended" and d.officer_outcome is None)
    award = session.scalar(select(Award.amount_pence).where(Award.application_id == app.id))
    return DecisionContext(
        app.id, app.reference, app.title, app.organisation.name, app.organisation.org_type,
        app.area.name if app.area else "", app.status, app.amount_requested_pence, year, decisions,
        tuple(_flags(session, fund, app)), tuple(positions), app.version, approved, pending, award,
        _spend_by(fund, year), _apply_by(fund, year), local, fund.name, fund.council)


def decision_context(db: Database, application_id: int, *, today: date | None = None) -> DecisionContext:
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound(_("There is no application with id {application_id}.").format(
                             application_id=application_id))
        if app.fund.decision_model != "member":
            raise ValidationError(_("{name} is not decided by elected members.").format(name=app.fund.name))
        return _context(s, app, today or utcnow().date())


def decision_record_context(db: Database, decision_id: int) -> DecisionContext:
    """The decision screen's context in the financial year a member decision used: what its printed
    record shows, however many years later it is printed."""
    with db.session() as s:
        md = s.get(MemberDecision, decision_id)
        if md is None:
            raise NotFound(_("There is no member decision with id {decision_id}.").format(decision_id=decision_id))
        return _context(s, s.get(Application, md.application_id), financial_year_bounds(md.financial_year)[0])


@transactional
def record_member_decision(uow: UnitOfWork, application_id: int, member_id: int, decision: str, *,
                           declaration: Declaration, reasons: str, amount_pence: int = 0,
                           on: date | None = None, actor: str | None = None) -> DecisionView:
    """A member's written decision on an application — a recommendation for an amount (all or part of
    the request), or a refusal — with their declaration of interest, made first and kept with it.

    Refused when the year's pots are closed (after the fund's spend-by day), when the application is
    not open for decisions, when the member's pot would go below zero (the message gives what is
    left), or when a disclosable pecuniary interest has no dispensation."""
    who = actor_or_default(actor)
    day = on or utcnow().date()
    s = uow.session
    app = s.get(Application, application_id)
    member = s.get(Member, member_id)
    if app is None or member is None or member.fund_id != app.fund_id:
        raise NotFound(_("Choose an application and a member of the same fund."))
    fund = app.fund
    year = financial_year_of(day)
    closes = _spend_by(fund, year)
    if day > closes:
        raise OutsideTheYear(
            _("{name}'s {financial_year_label} pots closed on {closes} (money must be spent by then). Decisions "
              "from {date} use the {financial_year_label2} allotments.").format(
              name=fund.name, financial_year_label=financial_year_label(year), closes=format_date(closes), date=format_date(date(year + 1, 4, 1)), financial_year_label2=financial_year_label(year + 1)))
    if app.status not in DECIDABLE:
        raise ValidationError(_("{reference} is {label}: members decide on submitted, eligible or shortlisted "
                                "applications.").format(
                                reference=app.reference, label=Status(app.status).label.lower()))
    if decision == "recommended":
        already = s.scalar(select(func.coalesce(func.sum(MemberDecision.amount_pence), 0)).where(
            MemberDecision.application_id == app.id, MemberDecision.decision == "recommended",
            MemberDecision.officer_outcome.is_distinct_from("returned"))) or 0
        if amount_pence + already > app.amount_requested_pence:
            raise ValidationError(
                _("{reference} asked for {amount_requested} and {already} is already recommended; at most {max} "
                  "more can be.").format(
                  reference=app.reference, amount_requested=format_money(app.amount_requested_pence), already=format_money(already), max=format_money(max(app.amount_requested_pence - already, 0))), "amount")
    decl = add_interest_declaration(
        s, actor=who, application=app, declared_on=day, kind=declaration.kind, nature=declaration.nature,
        member=member, dispensation_reference=(declaration.dispensation_reference or "").strip() or None,
        dispensation_granted_on=declaration.dispensation_granted_on)
    if decl.kind == "dpi" and decl.dispensation_reference and decl.dispensation_granted_on \
            and decl.dispensation_granted_on > day:
        raise ValidationError(_("A dispensation must be granted before the decision it allows."), "dispensation")
    md = add_member_decision(s, actor=who, application=app, member=member, decision=decision, reasons=reasons,
                             decided_on=day, financial_year=year, amount_pence=amount_pence, declaration=decl)
    view = next(v for v in _decision_views(s, app) if v.id == md.id)
    return view


@transactional
def officer_outcome(uow: UnitOfWork, decision_id: int, outcome: str, *, reason: str = "", on: date | None = None,
                    actor: str | None = None) -> DecisionContext:
    """The officer approves or returns (with a reason) one member's recommendation — a separate, dated
    event. When no recommendation on the application is left waiting and at least one is approved,
    the application is awarded the approved total in the same transaction."""
    who = actor_or_default(actor)
    day = on or utcnow().date()
    s = uow.session
    md = s.get(MemberDecision, decision_id)
    if md is None:
        raise NotFound(_("There is no member decision with id {decision_id}.").format(decision_id=decision_id))
    if md.officer_outcome is not None:
        raise ValidationError(_("This recommendation was already {officer_outcome} on {officer_on}.").format(
                                officer_outcome=md.officer_outcome, officer_on=format_date(md.officer_on)))
    if day < md.decided_on:
        raise ValidationError(_("The officer's decision cannot be dated before the member's."))
    record_officer_outcome(s, actor=who, decision=md, outcome=outcome, on=day, reason=reason, officer_name=who)
    app = s.get(Application, md.application_id)
    waiting = s.scalar(select(func.count()).select_from(MemberDecision).where(
        MemberDecision.application_id == app.id, MemberDecision.decision == "recommended",
        MemberDecision.officer_outcome.is_(None)))
    approved = s.scalar(select(func.coalesce(func.sum(MemberDecision.amount_pence), 0)).where(
        MemberDecision.application_id == app.id, MemberDecision.decision == "recommended",
        MemberDecision.officer_outcome == "approved")) or 0
    has_award = s.scalar(select(Award.id).where(Award.application_id == app.id)) is not None
    if not waiting and approved and not has_award:
        path = {Status.SUBMITTED.value: (Status.ELIGIBLE, Status.SHORTLISTED, Status.AWARDED),
                Status.ELIGIBLE.value: (Status.SHORTLISTED, Status.AWARDED),
                Status.SHORTLISTED.value: (Status.AWARDED,)}.get(app.status, ())
        for step in path:
            do_transition(s, app, step, actor=who, on=day,
                          reason="Recommended by the member(s) and approved by the officer"
                          if step is Status.AWARDED else "")
        if app.status == Status.AWARDED.value:
            add_award(s, actor=who, application=app, amount_pence=int(approved), awarded_on=day,
                      spend_by=_spend_by(app.fund, md.financial_year))
    s.flush()
    context = _context(s, app, day)
    return context


# --- records and publication --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRow:
    member: str
    area: str
    party: str
    allotted_pence: int
    approved_pence: int
    paid_pence: int
    remaining_pence: int
    awards: int
    committed_pence: int = 0  # recommended, waiting for the officer


@dataclass(frozen=True, slots=True)
class AwardLine:
    """One member's approved share of an award, for the published list of awards per member."""

    member: str
    area: str
    reference: str
    organisation: str
    title: str
    amount_pence: int  # this member's approved amount
    award_pence: int  # the whole award (more than ``amount_pence`` when funded jointly)
    approved_on: date | None
    joint_with: tuple[str, ...]


@dataclass(frozen=True)
class MembersReport:
    fund_name: str
    council: str
    year: int
    rows: tuple[ReportRow, ...]
    awards: tuple[AwardLine, ...] = ()

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    def totals(self) -> ReportRow:
        return ReportRow("All members", "", "", *(sum(getattr(r, f) for r in self.rows) for f in (
            "allotted_pence", "approved_pence", "paid_pence", "remaining_pence", "awards", "committed_pence")))


def members_report(db: Database, fund_code: str, year: int) -> MembersReport:
    """One row per member for the scrutiny committee: allotted, approved, paid and remaining."""
    with db.session() as s:
        fund = _fund(s, fund_code)
        awards = dict(s.execute(
            select(MemberDecision.member_id, func.count(func.distinct(MemberDecision.application_id)))
            .where(MemberDecision.financial_year == year, MemberDecision.decision == "recommended",
                   MemberDecision.officer_outcome == "approved").group_by(MemberDecision.member_id)).all())
        name, council = fund.name, fund.council
    rows = tuple(ReportRow(p.name, p.area, p.party, p.allotted_pence, p.approved_pence, p.paid_pence,
                           p.remaining_pence, int(awards.get(p.member_id, 0)), p.committed_pence)
                 for p in member_positions(db, fund_code, year))
    return MembersReport(name, council, year, rows, member_awards(db, fund_code, year))


def member_awards(db: Database, fund_code: str, year: int) -> tuple[AwardLine, ...]:
    """The published list of awards per member: every approved recommendation of the year, by member
    then date, with the whole award and the other members who funded it."""
    with db.session() as s:
        fund = _fund(s, fund_code)
        rows = s.execute(
            select(Member.name, Member.area_id, MemberDecision.application_id, MemberDecision.amount_pence,
                   MemberDecision.officer_on)
            .join(Member, Member.id == MemberDecision.member_id)
            .where(Member.fund_id == fund.id, MemberDecision.financial_year == year,
                   MemberDecision.decision == "recommended", MemberDecision.officer_outcome == "approved")
            .order_by(Member.name, MemberDecision.officer_on, MemberDecision.id)).all()
        funders: dict[int, list[str]] = defaultdict(list)
        for name, _area, app_id, _amount, _on in rows:
            funders[app_id].append(name)
        out = []
        for name, area_id, app_id, amount, on in rows:
            app = s.get(Application, app_id)
            award = s.scalar(select(Award.amount_pence).where(Award.application_id == app_id)) or 0
            area = next((m.area.name for m in _members(s, fund) if m.area_id == area_id and m.area), "")
            out.append(AwardLine(name, area, app.reference, app.organisation.name, app.title, amount, award, on,
                                 tuple(n for n in funders[app_id] if n != name)))
        return tuple(out)


AWARD_COLUMNS = ("Member", "Division", "Reference", "Organisation", "Project", "Member's amount (£)",
                 "Whole award (£)", "Approved on", "Jointly with")


def write_awards_csv(report: MembersReport, target: Path) -> Path:
    """The published list of awards per member, as CSV (dates as ISO 8601, amounts in pounds)."""
    with open(target, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(AWARD_COLUMNS)
        for a in report.awards:
            out.writerow([a.member, a.area, a.reference, a.organisation, a.title, _pounds(a.amount_pence),
                          _pounds(a.award_pence), a.approved_on.isoformat() if a.approved_on else "",
                          "; ".join(a.joint_with)])
    return target


REPORT_COLUMNS = ("Member", "Division", "Party", "Allotted (£)", "Approved (£)", "Paid (£)", "Remaining (£)",
                  "Awards")


def _pounds(pence: int) -> str:
    """Money in a CSV for a spreadsheet: plain pounds and pence, ``1250.00`` (never a float)."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def write_members_csv(report: MembersReport, target: Path) -> Path:
    with open(target, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(REPORT_COLUMNS)
        for r in (*report.rows, report.totals()):
            out.writerow([r.member, r.area, r.party, _pounds(r.allotted_pence), _pounds(r.approved_pence),
                          _pounds(r.paid_pence), _pounds(r.remaining_pence), r.awards])
    return target


@dataclass(frozen=True)
class StatementLine:
    reference: str
    title: str
    organisation: str
    decision: str
    amount_pence: int
    decided_on: date
    officer_outcome: str | None
    officer_on: date | None
    interest: Declaration  # as recorded; ``NOT_DECLARED`` when the records hold none
    reasons: str


@dataclass(frozen=True)
class MemberStatement:
    fund_name: str
    council: str
    member: str
    area: str
    year: int
    position: MemberPosition
    lines: tuple[StatementLine, ...]


def member_statement(db: Database, fund_code: str, member_id: int, year: int) -> MemberStatement:
    """A member's year: each decision with amounts, the officer's outcome, and the balance."""
    position = next((p for p in member_positions(db, fund_code, year) if p.member_id == member_id), None)
    if position is None:
        raise NotFound(_("Member {member_id} is not an active member of fund {fund_code}.").format(
                         member_id=member_id, fund_code=fund_code))
    with db.session() as s:
        fund = _fund(s, fund_code)
        rows = s.scalars(select(MemberDecision).where(MemberDecision.member_id == member_id,
                                                      MemberDecision.financial_year == year)
                         .order_by(MemberDecision.decided_on, MemberDecision.id)).all()
        lines = []
        for r in rows:
            app = s.get(Application, r.application_id)
            org = s.get(Organisation, app.organisation_id)
            lines.append(StatementLine(app.reference, app.title, org.name, r.decision, r.amount_pence, r.decided_on,
                                       r.officer_outcome, r.officer_on, _declaration(s, r), r.reasons))
        return MemberStatement(fund.name, fund.council, position.name, position.area, year, position, tuple(lines))
