"""What the applications list can be narrowed by, and saved views (named filters) per fund."""

from __future__ import annotations

from sqlalchemy import select

from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.overview import filter_options
from grantdesk.store.queries import (  # read without the ORM
    FilterOptions,
    MemberChoice,
    SavedView,
    ViewCriteria,
    saved_views,
)
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import Application, Member, MemberDecision, SavedFilter
from grantdesk.i18n import _

__all__ = ["FilterOptions", "MemberChoice", "SavedView", "ViewCriteria", "filter_options", "saved_views",
           "member_application_ids", "save_view", "delete_view"]


def member_application_ids(db: Database, member_id: int) -> frozenset[int]:
    """The applications a member is involved in: those in their area, and those they decided on."""
    with db.unit_of_work() as uow:
        s = uow.session
        member = s.get(Member, member_id)
        if member is None:
            raise NotFound(_("That member is no longer on the fund."))
        in_area = s.scalars(select(Application.id).where(Application.fund_id == member.fund_id,
                                                          Application.area_id == member.area_id)) \
            if member.area_id is not None else []
        decided = s.scalars(select(MemberDecision.application_id).where(MemberDecision.member_id == member_id))
        return frozenset(in_area) | frozenset(decided)


@transactional
def save_view(uow: UnitOfWork, fund_code: str, name: str, criteria: ViewCriteria, *, actor: str | None = None
              ) -> tuple[SavedView, ...]:
    """Save (or replace) a named view for the fund; returns the fund's views."""
    who = actor_or_default(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the view a name."), "name")
    unknown = [st for st in criteria.statuses if st not in {s.value for s in Status}]
    if unknown:
        raise ValidationError(_("“{unknown}” is not an application status.").format(unknown=unknown[0]), "statuses")
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
    return saved_views(s, fund.id)


@transactional
def delete_view(uow: UnitOfWork, view_id: int, *, actor: str | None = None) -> None:
    s = uow.session
    view = s.get(SavedFilter, view_id)
    if view is None:
        return
    audit(s, actor=actor_or_default(actor), action="view.delete", entity="fund", entity_id=view.fund_id,
          summary=f"Deleted the view “{view.name}”", before=view.criteria)
    s.delete(view)
