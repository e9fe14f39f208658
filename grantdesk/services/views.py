"""What the applications list can be narrowed by, and saved views (named filters) per fund."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Area, FundArea, Member, MemberDecision, SavedFilter


@dataclass(frozen=True, slots=True)
class MemberChoice:
    id: int
    name: str
    area: str | None


@dataclass(frozen=True)
class ViewCriteria:
    """A saved view: statuses (empty = all), an area, a member, and text."""

    statuses: tuple[str, ...] = ()
    area: str | None = None
    member_id: int | None = None
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses), "area": self.area, "member_id": self.member_id, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ViewCriteria:
        return cls(tuple(data.get("statuses") or ()), data.get("area"), data.get("member_id"), data.get("text") or "")


@dataclass(frozen=True, slots=True)
class SavedView:
    id: int
    name: str
    criteria: ViewCriteria


@dataclass(frozen=True)
class FilterOptions:
    areas: tuple[str, ...]
    members: tuple[MemberChoice, ...]
    views: tuple[SavedView, ...] = field(default=())


def filter_options(db: Database, fund_code: str) -> FilterOptions:
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        areas = tuple(sorted(s.scalars(select(Area.name).join(FundArea).where(FundArea.fund_id == fund.id))))
        members = tuple(
            MemberChoice(m.id, m.name, m.area.name if m.area else None)
            for m in s.scalars(select(Member).where(Member.fund_id == fund.id, Member.active).order_by(Member.name))
        )
        return FilterOptions(areas, members, _views(s, fund.id))


def _views(session, fund_id: int) -> tuple[SavedView, ...]:
    return tuple(
        SavedView(v.id, v.name, ViewCriteria.from_json(v.criteria))
        for v in session.scalars(select(SavedFilter).where(SavedFilter.fund_id == fund_id).order_by(SavedFilter.name))
    )


def member_application_ids(db: Database, member_id: int) -> frozenset[int]:
    """The applications a member is involved in: those in their area, and those they decided on."""
    with db.unit_of_work() as uow:
        s = uow.session
        member = s.get(Member, member_id)
        if member is None:
            raise NotFound("That member is no longer on the fund.")
        in_area = s.scalars(select(Application.id).where(Application.fund_id == member.fund_id,
                                                          Application.area_id == member.area_id)) \
            if member.area_id is not None else []
        decided = s.scalars(select(MemberDecision.application_id).where(MemberDecision.member_id == member_id))
        return frozenset(in_area) | frozenset(decided)


def save_view(db: Database, fund_code: str, name: str, criteria: ViewCriteria, *, actor: str | None = None
              ) -> tuple[SavedView, ...]:
    """Save (or replace) a named view for the fund; returns the fund's views."""
    who = actor_or_default(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the view a name.", "name")
    unknown = [st for st in criteria.statuses if st not in {s.value for s in Status}]
    if unknown:
        raise ValidationError(f"“{unknown[0]}” is not an application status.", "statuses")
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        view = s.scalar(select(SavedFilter).where(SavedFilter.fund_id == fund.id, SavedFilter.name == name))
        if view is None:
            view = SavedFilter(fund_id=fund.id, name=name, criteria=criteria.as_json(), created_by=who,
                               created_at=utcnow())
            s.add(view)
        else:
            view.criteria = criteria.as_json()
        s.flush()
        audit(s, actor=who, action="view.save", entity="fund", entity_id=fund.id,
              summary=f"Saved the view “{name}” for fund {fund.code}", after=criteria.as_json())
        uow.commit()
        return _views(s, fund.id)


def delete_view(db: Database, view_id: int, *, actor: str | None = None) -> None:
    with db.unit_of_work() as uow:
        s = uow.session
        view = s.get(SavedFilter, view_id)
        if view is None:
            return
        audit(s, actor=actor_or_default(actor), action="view.delete", entity="fund", entity_id=view.fund_id,
              summary=f"Deleted the view “{view.name}”", before=view.criteria)
        s.delete(view)
        uow.commit()
