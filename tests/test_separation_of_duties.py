"""Separation of duties, once a database has users, each refusal saying why: whoever records a
councillor's decision cannot approve it; two different people key a paper sheet; awards above the
fund's ``manager_approval_above`` need a manager; the year-end is a manager's."""

from datetime import date

import pytest
from helpers import build_fund, build_vote_fund
from sqlalchemy import select
from test_allocations import NONE, ON, YEAR, build
from test_decisions_ask_first import fund_as, shortlisted
from test_events import _approval

from grantdesk.domain.fund_settings import with_setting
from grantdesk.services import allocations, applications, events, users
from grantdesk.services.common import NotAllowed
from grantdesk.store.models import Award, Fund
from grantdesk.voting.ballots import CastBallot


def _team(db):
    users.add_user(db, "Test Officer", role="manager")
    users.add_user(db, "olu", role="officer", password="officer-password")
    users.add_user(db, "pat", role="officer", password="another-password")


def _as(db, name):
    users.sign_in(db, name, {"olu": "officer-password", "pat": "another-password"}[name])


def _limit(db, code, pence):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = with_setting(fund.settings, "manager_approval_above", pence)
        uow.commit()


def test_whoever_records_a_councillors_decision_cannot_approve_it(db):
    (ash, _, _), (_, small, _) = build(db)
    _team(db)
    _as(db, "olu")
    view = allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                              reasons="A good club.", on=ON)
    with pytest.raises(NotAllowed) as refused:
        allocations.officer_outcome(db, view.id, "approved", on=ON)
    assert str(refused.value) == ("olu recorded this member's decision, so someone else must approve it: whoever "
                                  "records a councillor's decision cannot approve or return it. Nothing was saved.")
    _as(db, "pat")
    context = allocations.officer_outcome(db, view.id, "approved", on=ON)
    assert context.status == "awarded" and context.decisions[0].officer_name == "pat"


def test_without_users_one_login_records_and_approves_as_before(db):
    (ash, _, _), (_, small, _) = build(db)
    view = allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                              reasons="A good club.", on=ON)
    assert allocations.officer_outcome(db, view.id, "approved", on=ON).status == "awarded"


def test_an_elected_member_records_only_their_own_decisions(db):
    (ash, birch, _), (_, small, _) = build(db)
    users.add_user(db, "Test Officer", role="manager")
    users.add_user(db, "ash", role="member", password="member-password", member_id=ash)
    users.sign_in(db, "ash", "member-password")
    with pytest.raises(NotAllowed, match="records their own decisions, not Cllr Birch's"):
        allocations.record_member_decision(db, small, birch, "recommended", declaration=NONE, amount_pence=10_000,
                                           reasons="Not mine to give.", on=ON)
    view = allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=10_000,
                                              reasons="Mine to give.", on=ON)
    with pytest.raises(NotAllowed, match=r"an elected member can only record their own decisions"):
        allocations.officer_outcome(db, view.id, "approved", on=ON)


def test_two_different_signed_in_people_key_a_paper_sheet(db):
    vote = build_vote_fund(db)
    event_id = events.create_event(db, vote.fund_code, _approval(vote))
    _team(db)
    ballot = CastBallot.marked("", vote.references[0])
    _as(db, "olu")
    events.key_paper_ballot(db, event_id, "1", ballot, entered_by="Volunteer A")
    with pytest.raises(Exception, match="keyed first by olu; the second keying must be done by someone else"):
        events.key_paper_ballot(db, event_id, "1", ballot, entered_by="Volunteer B")  # a typed name is not enough
    _as(db, "pat")
    assert events.key_paper_ballot(db, event_id, "1", ballot, entered_by="Volunteer B").state == "counted"
    mismatches_by = {(m.first_by, m.second_by) for m in events.paper_mismatches(db, event_id)}
    assert mismatches_by == set()


def test_awards_above_the_funds_amount_need_a_manager(db):
    build_fund(db)
    fund_as(db)
    _limit(db, "TST", 100_000)
    big, small = shortlisted(db), shortlisted(db, title="Another lunch club")
    _team(db)
    _as(db, "olu")
    with pytest.raises(NotAllowed) as refused:
        applications.award_application(db, big, 120_000, reason="Costs rose.")
    assert str(refused.value) == (
        "Only a manager can award more than £1,000.00 from Test Fund (the fund's limit for awards without a "
        "manager); this award is £1,200.00; olu is signed in as an officer. Nothing was saved.")
    applications.award_application(db, small, 100_000)  # at the limit: an officer's
    users.sign_out(db)  # the test login, a manager
    applications.award_application(db, big, 120_000, reason="Costs rose.")
    with db.session() as s:
        assert sorted(s.scalars(select(Award.amount_pence))) == [100_000, 120_000]


def test_a_member_funds_award_above_the_amount_needs_a_manager_to_approve(db):
    (ash, _, _), (_, small, _) = build(db)
    _limit(db, "MEM", 50_000)
    _team(db)
    _as(db, "olu")
    view = allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                              reasons="A good club.", on=ON)
    _as(db, "pat")
    with pytest.raises(NotAllowed, match="Only a manager can award more than £500.00 from Members Fund"):
        allocations.officer_outcome(db, view.id, "approved", on=ON)
    users.sign_out(db)
    assert allocations.officer_outcome(db, view.id, "approved", on=ON).status == "awarded"


def test_the_year_end_is_a_managers(db):
    build(db)
    _team(db)
    _as(db, "olu")
    with pytest.raises(NotAllowed) as refused:
        allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 25))
    assert str(refused.value) == ("Only a manager can run the year-end (closing the year's pots is a manager's); olu "
                                  "is signed in as an officer. Nothing was saved.")
    users.sign_out(db)
    assert allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 25)).done
