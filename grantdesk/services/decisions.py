"""Decisions on applications: declarations of interest, members' written decisions, awards, panels.

These are the building blocks the later issues grow into full use cases (councillor allocations,
panel scoring); the rules that guard money are here from the start: a recommendation never takes a
member's pot below zero, and a disclosable pecuniary interest blocks a decision unless a
dispensation is recorded.

They are not services of their own: each writes in the session it is given — a unit of work's
(``uow.session``) opened by the ``@transactional`` service it is part of (``allocations``,
``panels``, ``applications``, the sample loader) — and none of them commits, so a user action that
uses several is still one transaction, all or nothing. ``pot_position`` only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.roles import Role
from grantdesk.services.common import NotAllowed, audit, check_allowed, identity_of, recorded_actor, require_role
from grantdesk.store.models import (
    Allotment,
    Application,
    Award,
    InterestDeclaration,
    Member,
    MemberDecision,
    Panel,
    Panellist,
)
from grantdesk.i18n import _, N_

INTEREST_LABELS = {
    "none": N_("No interest"),
    "dpi": N_("Disclosable pecuniary interest"),
    "other_registrable": N_("Other registrable interest"),
    "non_registrable": N_("Non-registrable interest"),
}


class PotExceeded(GrantDeskError):
    """A recommendation would take a member's pot below zero."""


class InterestBlocks(GrantDeskError):
    """A disclosable pecuniary interest without a dispensation: the member must not take part."""


@dataclass(frozen=True, slots=True)
class PotPosition:
    allotted_pence: int
    committed_pence: int  # recommended, not yet approved
    approved_pence: int
    remaining_pence: int


def pot_position(session: Session, member: Member, financial_year: int) -> PotPosition:
    allot = session.scalar(
        select(Allotment).where(Allotment.member_id == member.id, Allotment.financial_year == financial_year)
    )
    allotted = (allot.amount_pence + allot.rolled_over_pence) if allot else 0
    rows = session.execute(
        select(MemberDecision.officer_outcome, func.coalesce(func.sum(MemberDecision.amount_pence), 0))
        .where(
            MemberDecision.member_id == member.id,
            MemberDecision.financial_year == financial_year,
            MemberDecision.decision == "recommended",
        )
        .group_by(MemberDecision.officer_outcome)
    ).all()
    by_outcome = {outcome: int(total) for outcome, total in rows}
    committed = by_outcome.get(None, 0)
    approved = by_outcome.get("approved", 0)
    return PotPosition(allotted, committed, approved, allotted - committed - approved)


def add_interest_declaration(
    session: Session,
    *,
    actor: str,
    application: Application,
    declared_on: date,
    kind: str,
    nature: str = "",
    member: Member | None = None,
    panellist: Panellist | None = None,
    dispensation_reference: str | None = None,
    dispensation_granted_on: date | None = None,
) -> InterestDeclaration:
    if kind not in INTEREST_LABELS:
        raise ValidationError(_("“{kind}” is not a kind of interest.").format(kind=kind), "interest")
    if (member is None) == (panellist is None):
        raise ValidationError(_("A declaration is made by one member or one panellist."))
    if kind != "none" and not nature.strip():
        raise ValidationError(_("Say what the interest is: its nature is recorded on the decision."), "interest_nature")
    decl = InterestDeclaration(
        application_id=application.id,
        member_id=member.id if member else None,
        panellist_id=panellist.id if panellist else None,
        kind=kind,
        nature=nature.strip(),
        dispensation_reference=dispensation_reference,
        dispensation_granted_on=dispensation_granted_on,
        declared_on=declared_on,
    )
    session.add(decl)
    session.flush()
    who = member.name if member else panellist.name  # type: ignore[union-attr]
    audit(session, actor=actor, action="interest.declare", entity="application", entity_id=application.id,
          summary=f"{who} declared {INTEREST_LABELS[kind].lower()} in {application.reference}",
          after={"kind": kind, "dispensation": dispensation_reference})
    return decl


def add_member_decision(
    session: Session,
    *,
    actor: str,
    application: Application,
    member: Member,
    decision: str,
    reasons: str,
    decided_on: date,
    financial_year: int,
    amount_pence: int = 0,
    declaration: InterestDeclaration | None = None,
) -> MemberDecision:
    """A member's written decision. Refused when the pot is short or an undispensed DPI exists."""
    if decision not in ("recommended", "refused"):
        raise ValidationError(_("“{decision}” is not a member decision; use recommended or refused.").format(
                                decision=decision))
    who = identity_of(session)
    if who.role is Role.MEMBER and who.member_id is not None and who.member_id != member.id:
        raise NotAllowed(_("{name} records their own decisions, not {name2}'s. Nothing was saved.").format(
                           name=who.name, name2=member.name))
    if not reasons.strip():
        raise ValidationError(_("A member's decision is recorded in writing with reasons, refusals too."), "reasons")
    if declaration is not None and declaration.kind == "dpi" and not declaration.dispensation_reference:
        raise InterestBlocks(
            _("{name} has a disclosable pecuniary interest in {reference} and no dispensation is recorded, so "
              "they cannot take part in this decision.").format(name=member.name, reference=application.reference)
        )
    if decision == "recommended":
        if amount_pence <= 0:
            raise ValidationError(_("A recommendation needs an amount above £0."), "amount")
        pot = pot_position(session, member, financial_year)
        if amount_pence > pot.remaining_pence:
            raise PotExceeded(
                _("{name} has {max} left of their {financial_year_label} allotment, less than the {amount} "
                  "recommended.").format(
                  name=member.name, max=format_money(max(pot.remaining_pence, 0)), financial_year_label=financial_year_label(financial_year), amount=format_money(amount_pence))
            )
    md = MemberDecision(
        application_id=application.id,
        member_id=member.id,
        financial_year=financial_year,
        decision=decision,
        amount_pence=amount_pence if decision == "recommended" else 0,
        reasons=reasons.strip(),
        decided_on=decided_on,
        recorded_by=recorded_actor(session, actor),
    )
    session.add(md)
    session.flush()
    audit(session, actor=actor, action=f"member_decision.{decision}", entity="application", entity_id=application.id,
          summary=f"{member.name} {decision} {application.reference}"
          + (f" for {format_money(amount_pence)}" if decision == "recommended" else ""),
          after={"member_id": member.id, "amount_pence": md.amount_pence})
    return md


def record_officer_outcome(
    session: Session,
    *,
    actor: str,
    decision: MemberDecision,
    outcome: str,
    on: date,
    reason: str = "",
    officer_name: str | None = None,
) -> None:
    """The officer's approval or return of a member's recommendation: a separate, dated event."""
    if outcome not in ("approved", "returned"):
        raise ValidationError(_("“{outcome}” is not an officer outcome; use approved or returned.").format(
                                outcome=outcome))
    if outcome == "returned" and not reason.strip():
        raise ValidationError(_("Returning a recommendation needs a reason."), "reason")
    if decision.decision != "recommended":
        raise ValidationError(_("Only a recommendation can be approved or returned."))
    who = check_allowed(session, f"member_decision.{outcome}")
    if not who.unmanaged and decision.recorded_by and decision.recorded_by == who.username:
        # separation of duties: the person who wrote a councillor's decision down does not also sign it off
        verb = "approve" if outcome == "approved" else "return"
        raise NotAllowed(_("{name} recorded this member's decision, so someone else must {verb} it: whoever "
                           "records a councillor's decision cannot approve or return it. Nothing was saved.").format(
                           name=who.name, verb=verb))
    decision.officer_outcome = outcome
    decision.officer_name = recorded_actor(session, officer_name or actor)
    decision.officer_on = on
    decision.officer_reason = reason.strip()
    session.flush()
    audit(session, actor=actor, action=f"member_decision.{outcome}", entity="application",
          entity_id=decision.application_id, summary=f"Officer {outcome} recommendation {decision.id}",
          after={"officer_outcome": outcome})


def add_award(
    session: Session,
    *,
    actor: str,
    application: Application,
    amount_pence: int,
    awarded_on: date,
    purpose: str = "",
    conditions: str = "",
    spend_by: date | None = None,
    historical: bool = False,
    purpose_cy: str = "",
    conditions_cy: str = "",
) -> Award:
    if amount_pence <= 0:
        raise ValidationError(_("An award must be more than £0."), "amount")
    limit = settings_of(application.fund.settings).manager_approval_above
    if limit is not None and amount_pence > limit and not historical:
        require_role(session, Role.MANAGER, doing=_(
            "award more than {limit} from {fund} (the fund's limit for awards without a manager); this award is "
            "{amount}").format(limit=format_money(limit), fund=application.fund.name,
                               amount=format_money(amount_pence)))
    award = Award(
        application_id=application.id,
        amount_pence=amount_pence,
        awarded_on=awarded_on,
        purpose=purpose.strip() or application.title,
        conditions=conditions.strip(),
        purpose_cy=purpose_cy.strip() or None,  # never the English: a Welsh letter asks for it instead
        conditions_cy=conditions_cy.strip() or None,
        spend_by=spend_by,
        historical=historical,
    )
    session.add(award)
    session.flush()
    audit(session, actor=actor, action="award.create", entity="application", entity_id=application.id,
          summary=f"Awarded {format_money(amount_pence)} to {application.reference}",
          after={"amount_pence": amount_pence, "awarded_on": awarded_on.isoformat()})
    return award


def add_panel(session: Session, *, actor: str, fund_id: int, round_id: int | None, name: str,
              panellists: list[tuple[str, str]]) -> Panel:
    panel = Panel(fund_id=fund_id, round_id=round_id, name=name, notes="")
    session.add(panel)
    session.flush()
    for person, area in panellists:
        session.add(Panellist(panel_id=panel.id, name=person, area_description=area))
    session.flush()
    audit(session, actor=actor, action="panel.create", entity="panel", entity_id=panel.id,
          summary=f"Formed {name} with {len(panellists)} panellists")
    return panel
