"""Scenarios for the services no other test calls by name (the windows call them), so that
tests/test_audit_coverage.py can show each leaves an audit entry when it writes."""

from dataclasses import replace
from datetime import date

from helpers import build_fund, build_vote_fund
from sqlalchemy import select
from test_events import _approval

from grantdesk.domain.fund_definition import (
    AreaSpec,
    CriterionSpec,
    MemberSpec,
    PanellistSpec,
    PanelSpec,
    RoundSpec,
)
from grantdesk.services import events, fund_setup
from grantdesk.services.views import ViewCriteria, delete_view, save_view
from grantdesk.store.models import AuditEntry


def _actions(db) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_setting_a_fund_up_piece_by_piece_is_audited(db):
    build_fund(db)
    spec = fund_setup.fund_definition(db, "TST").fund
    fund_setup.update_fund(db, "TST", replace(spec, description="Small grants for Testville"))
    fund_setup.change_area(db, "TST", "Testville", AreaSpec("Testville", kind="division", ons_code=""))
    round_id = fund_setup.add_round(db, "TST", RoundSpec("next", "Spring {fy}", 2027, date(2027, 4, 1),
                                                          date(2027, 6, 30)))
    fund_setup.add_members(db, "TST", [MemberSpec("Cllr Oak", "Testville"), MemberSpec("Cllr Elm", "Testville")])
    fund_setup.add_member(db, "TST", MemberSpec("Cllr Ash", "Testville"))
    criteria = (CriterionSpec("Need"),)
    panel_id = fund_setup.add_panel(db, "TST", PanelSpec("Spring panel", panellists=(PanellistSpec("Ann"),),
                                                         criteria=criteria), round_id=round_id)
    fund_setup.change_panel(db, "TST", panel_id, PanelSpec("Spring panel", panellists=(
        PanellistSpec("Ann"), PanellistSpec("Bob")), criteria=criteria), round_id=round_id)
    assert len(_actions(db)) >= 10


def test_saving_an_event_and_revealing_its_results_are_audited(db):
    vote = build_vote_fund(db)
    event_id = events.save_event(db, vote.fund_code, _approval(vote))
    events.save_event(db, vote.fund_code, _approval(vote, name="Leys Festival vote 2026"), event_id=event_id)
    events.reveal_results(db, event_id)
    assert _actions(db)[-3:] == ["event.create", "event.update", "event.reveal"]


def test_deleting_a_saved_view_is_audited(db):
    build_fund(db)
    [view] = [v for v in save_view(db, "TST", "Mine", ViewCriteria()) if v.name == "Mine"]
    delete_view(db, view.id)
    assert _actions(db)[-1] == "view.delete"
