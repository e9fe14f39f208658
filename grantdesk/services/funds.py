"""Funds, their rounds, areas, elected members and members' yearly pots."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.references import is_valid_fund_code
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import Allotment, Area, Fund, FundArea, Member, Round
from grantdesk.services.common import audit, fund_by_code, utcnow
from grantdesk.services.overview import list_funds
from grantdesk.store.queries import DECISION_MODELS, FundSummary, RoundSummary
from grantdesk.i18n import _

# --- building blocks that share a caller's transaction ------------------------------------------


def add_fund(
    session: Session,
    *,
    actor: str,
    code: str,
    name: str,
    council: str,
    decision_model: str = "officer",
    currency: str = "GBP",
    funder_org_id: str | None = None,
    funder_department: str | None = None,
    prefix_360g: str | None = None,
    description: str = "",
    min_amount_pence: int | None = None,
    max_amount_pence: int | None = None,
    default_language: str = "en",
    bilingual_letters: bool = False,
    settings: dict[str, Any] | None = None,
) -> Fund:
    code = code.strip().upper()
    if not is_valid_fund_code(code):
        raise ValidationError(
            _("“{code}” cannot be a fund code: use 2 to 12 capital letters or digits, starting with a letter.").format(
              code=code),
            "code",
        )
    if session.scalar(select(Fund.id).where(Fund.code == code)) is not None:
        raise ValidationError(_("A fund with code {code} already exists.").format(code=code), "code")
    if decision_model not in DECISION_MODELS:
        raise ValidationError(_("“{decision_model}” is not a way of deciding; choose member, panel, vote or "
                                "officer.").format(decision_model=decision_model))
    if min_amount_pence is not None and max_amount_pence is not None and min_amount_pence > max_amount_pence:
        raise ValidationError(_("The fund's minimum grant is more than its maximum."), "min_amount")
    fund = Fund(
        code=code,
        name=name.strip(),
        council=council.strip(),
        decision_model=decision_model,
        currency=currency,
        funder_org_id=funder_org_id,
        funder_department=funder_department,
        prefix_360g=prefix_360g,
        description=description,
        min_amount_pence=min_amount_pence,
        max_amount_pence=max_amount_pence,
        default_language=default_language,
        bilingual_letters=bilingual_letters,
        settings=settings or {},
        created_at=utcnow(),
    )
    session.add(fund)
    session.flush()
    audit(session, actor=actor, action="fund.create", entity="fund", entity_id=fund.id,
          summary=f"Created fund {code} ({fund.name})", after={"code": code, "name": fund.name})
    return fund


def add_area(session: Session, *, fund: Fund, name: str, kind: str, council: str, ons_code: str | None = None) -> Area:
    """Find or create the area and attach it to ``fund``."""
    area = session.scalar(
        select(Area).where(Area.council == council, Area.kind == kind, Area.name == name)
    )
    if area is None:
        area = Area(name=name, kind=kind, council=council, ons_code=ons_code or None)
        session.add(area)
        session.flush()
    if session.get(FundArea, (fund.id, area.id)) is None:
        session.add(FundArea(fund_id=fund.id, area_id=area.id))
    return area


@dataclass(frozen=True)
class AreaRow:
    name: str
    kind: str
    ons_code: str


def fund_areas(db: Database, fund_code: str) -> list[AreaRow]:
    """The fund's wards or divisions with their ONS codes ("" where not yet known)."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        return [AreaRow(a.name, a.kind, a.ons_code or "") for a in fund.areas]


_ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")


@transactional
def set_area_code(uow: UnitOfWork, fund_code: str, area_name: str, ons_code: str, *, actor: str | None = None) -> AreaRow:
    """Record the ONS code of one of the fund's areas (E05… for an English ward, E58… for a county
    division, W05… for a Welsh ward), as 360Giving publishes it; a blank code clears it."""
    from grantdesk.services.common import actor_or_default

    code = ons_code.strip().upper()
    if code and not _ONS_CODE.match(code):
        raise ValidationError(_("“{ons_code}” is not an ONS code: nine characters, a country letter and eight "
                                "digits, such as E05013035.").format(ons_code=ons_code), "ons_code")
    fund = fund_by_code(uow.session, fund_code)
    area = next((a for a in fund.areas if a.name.casefold() == area_name.strip().casefold()), None)
    if area is None:
        known = ", ".join(a.name for a in fund.areas) or "none"
        raise NotFound(_("{name} has no area called “{area_name}”. Its areas: {known}.").format(
                         name=fund.name, area_name=area_name, known=known))
    before = area.ons_code
    area.ons_code = code or None
    audit(uow.session, actor=actor_or_default(actor), action="area.ons_code", entity="area", entity_id=area.id,
          summary=f"ONS code of {area.name} set to {code or 'none'}", before={"ons_code": before},
          after={"ons_code": area.ons_code})
    return AreaRow(area.name, area.kind, area.ons_code or "")


def add_round(
    session: Session,
    *,
    actor: str,
    fund: Fund,
    name: str,
    financial_year: int,
    opens_on: date,
    closes_on: date,
    decision_on: date | None = None,
    spend_by: date | None = None,
    budget_pence: int | None = None,
) -> Round:
    if closes_on < opens_on:
        raise ValidationError(_("Round “{name}” closes before it opens.").format(name=name), "closes_on")
    rnd = Round(
        fund_id=fund.id,
        name=name,
        financial_year=financial_year,
        opens_on=opens_on,
        closes_on=closes_on,
        decision_on=decision_on,
        spend_by=spend_by,
        budget_pence=budget_pence,
    )
    session.add(rnd)
    session.flush()
    audit(session, actor=actor, action="round.create", entity="round", entity_id=rnd.id,
          summary=f"Created round {name} for fund {fund.code}")
    return rnd


def round_named(session: Session, fund: Fund, text: str) -> Round:
    """The fund's round called ``text`` (any case; a part of the name will do when only one round
    has it), or ``NotFound`` naming the rounds there are."""
    wanted = " ".join(text.split()).casefold()
    rounds = list(session.scalars(select(Round).where(Round.fund_id == fund.id).order_by(Round.opens_on)))
    exact = [r for r in rounds if r.name.casefold() == wanted]
    matches = exact or [r for r in rounds if wanted and wanted in r.name.casefold()]
    if len(matches) == 1:
        return matches[0]
    names = "; ".join(r.name for r in rounds) or "none"
    if matches:
        raise ValidationError(_("“{text}” matches several rounds of {name}: {items}. Give more of the name.").format(
                                text=text, name=fund.name, items='; '.join(r.name for r in matches)), "round")
    raise NotFound(_("{name} has no round called “{text}”. Its rounds: {names}.").format(
                     name=fund.name, text=text, names=names))


def add_member(
    session: Session, *, actor: str, fund: Fund, name: str, area: Area | None, party: str = "", email: str = ""
) -> Member:
    member = Member(fund_id=fund.id, name=name, area_id=area.id if area else None, party=party, email=email)
    session.add(member)
    session.flush()
    audit(session, actor=actor, action="member.create", entity="member", entity_id=member.id,
          summary=f"Added {name} to fund {fund.code}" + (f" for {area.name}" if area else ""))
    return member


def set_allotment(session: Session, *, actor: str, member: Member, financial_year: int, amount_pence: int) -> Allotment:
    if amount_pence < 0:
        raise ValidationError(_("A member's allotment cannot be negative."), "amount")
    allotment = session.scalar(
        select(Allotment).where(Allotment.member_id == member.id, Allotment.financial_year == financial_year)
    )
    before = None
    if allotment is None:
        allotment = Allotment(member_id=member.id, financial_year=financial_year, amount_pence=amount_pence,
                              rolled_over_pence=0)
        session.add(allotment)
    else:
        before = {"amount_pence": allotment.amount_pence}
        allotment.amount_pence = amount_pence
    session.flush()
    audit(session, actor=actor, action="allotment.set", entity="allotment", entity_id=allotment.id,
          summary=f"Set {member.name}'s {financial_year_label(financial_year)} allotment",
          before=before, after={"amount_pence": amount_pence})
    return allotment


__all__ = [
    "DECISION_MODELS",
    "FundSummary",
    "RoundSummary",
    "list_funds",
    "add_fund",
    "add_area",
    "add_round",
    "add_member",
    "set_allotment",
    "fund_by_code",
]
