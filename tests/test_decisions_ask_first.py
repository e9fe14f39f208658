"""Decisions that ask first, in the services: assessing eligibility is shown (a read) before it is made,
and made only as the officer confirmed it; an award beyond what was asked, the fund's maximum or the
round's budget needs a written reason; a member fund's awards are made only through the members'
decisions, so the pots and the members' report see them."""

from datetime import date

import pytest
from helpers import build_fund
from sqlalchemy import func, select

from grantdesk.domain.applications import ApplicationDraft
from grantdesk.domain.awards import Crossed, Limit
from grantdesk.domain.errors import InvalidTransition, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services import allocations, applications, editing, eligibility, funds
from grantdesk.services.allocations import Declaration
from grantdesk.store.models import Application, AuditEntry, Fund, Member, Round

ON = date(2026, 9, 15)


def draft(**changes):
    values = dict(organisation="Testville Lunch Club", organisation_type="registered_charity",
                  charity_number="1100001", contact_name="Ann Other", contact_email="ann@example.org",
                  title="Hot lunches on Fridays", summary="Lunch and company.", amount_requested="£1,500",
                  area="testville", submitted_on="2/5/2026")
    values.update(changes)
    return ApplicationDraft(**values)


def fund_as(db, *, model="officer", max_pence=None, budget_pence=None):
    with db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund))
        fund.decision_model, fund.max_amount_pence = model, max_pence
        s.scalar(select(Round)).budget_pence = budget_pence
        uow.commit()


def submitted(db, **changes) -> int:
    row = editing.save_application(db, "TST", draft(**changes))
    applications.transition_application(db, row.id, Status.SUBMITTED)
    return row.id


def shortlisted(db, **changes) -> int:
    app_id = submitted(db, **changes)
    eligibility.assess(db, app_id, Status.ELIGIBLE)
    applications.transition_application(db, app_id, Status.SHORTLISTED)
    return app_id


def written(db) -> int:
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry))


def status(db, app_id) -> str:
    return applications.get_application(db, app_id).row.status


# --- assessing eligibility ------------------------------------------------------------------------


def test_the_assessment_is_shown_first_and_writes_nothing(db):
    build_fund(db)
    fund_as(db, max_pence=100_000)
    app_id = submitted(db)
    before = written(db)
    shown = eligibility.assessment(db, app_id)
    assert shown.outcome is Status.INELIGIBLE and shown.can_assess and shown.status is Status.SUBMITTED
    assert [r.rule for r in shown.report.failures] == ["amount"]
    assert "above the fund's maximum of £1,000.00" in shown.reason
    assert written(db) == before and status(db, app_id) == "submitted"


def test_assess_makes_only_the_decision_the_officer_confirmed(db):
    build_fund(db)
    fund_as(db, max_pence=100_000)
    app_id = submitted(db)
    before = written(db)
    with pytest.raises(InvalidTransition) as refused:
        eligibility.assess(db, app_id, Status.ELIGIBLE)
    assert refused.value.problem.code == "eligibility.outcome_changed"
    assert refused.value.problem["actual"] is Status.INELIGIBLE
    assert written(db) == before and status(db, app_id) == "submitted"
    eligibility.assess(db, app_id, Status.INELIGIBLE,
                       reason="We can give at most £1,000; you asked for £1,500. You may apply again for less.")
    detail = applications.get_application(db, app_id)
    assert detail.row.status == "ineligible"
    assert detail.history[-1].reason == ("We can give at most £1,000; you asked for £1,500. "
                                         "You may apply again for less.")


def test_an_override_made_after_the_assessment_was_shown_is_not_overruled(db):
    """The officer looked (ineligible), someone overrode the rule meanwhile: confirming the old
    answer is refused rather than marking it ineligible against the override."""
    build_fund(db)
    fund_as(db, max_pence=100_000)
    app_id = submitted(db)
    shown = eligibility.assessment(db, app_id)
    eligibility.override_rule(db, app_id, "amount", "Match funding covers the rest")
    with pytest.raises(InvalidTransition, match="now make it eligible, not ineligible"):
        eligibility.assess(db, app_id, shown.outcome, expected_version=shown.version)
    assert status(db, app_id) == "submitted"


def test_only_a_submitted_application_is_assessed(db):
    build_fund(db)
    fund_as(db)
    row = editing.save_application(db, "TST", draft())
    with pytest.raises(InvalidTransition) as refused:
        eligibility.assess(db, row.id, Status.ELIGIBLE)
    assert refused.value.problem.code == "eligibility.not_submitted"
    assert str(refused.value) == "TST-2026-0001 is draft; only a submitted application is assessed."


def test_an_ineligible_application_can_still_be_overridden_and_then_marked_eligible(db):
    build_fund(db)
    fund_as(db, max_pence=100_000)
    app_id = submitted(db)
    eligibility.assess(db, app_id, Status.INELIGIBLE)
    report = eligibility.override_rule(db, app_id, "amount", "Match funding covers the rest")
    assert report.eligible
    applications.transition_application(db, app_id, Status.ELIGIBLE, reason="The amount rule was overridden.")
    assert status(db, app_id) == "eligible"


# --- awards: the limits and a written reason --------------------------------------------------------


def test_an_award_above_the_request_is_refused_without_a_written_reason(db):
    build_fund(db)
    fund_as(db)
    app_id = shortlisted(db)
    before = written(db)
    with pytest.raises(ValidationError) as refused:
        applications.award_application(db, app_id, 9_999_900, reason="   ")
    found = refused.value.problem
    assert (found.code, found.field, refused.value.field) == ("award.reason_needed", "reason", "reason")
    assert found["crossed"] == (Crossed(Limit.REQUEST, 150_000),)
    assert str(refused.value) == ("Awarding £99,999.00 to TST-2026-0001 is more than it asked for (£1,500.00). "
                                  "That needs a written reason, which is kept with the decision.")
    assert written(db) == before and status(db, app_id) == "shortlisted"


def test_an_award_beyond_the_limits_with_a_reason_is_made_and_the_reason_is_kept(db):
    build_fund(db)
    fund_as(db, max_pence=200_000)
    app_id = shortlisted(db)
    why = "The quote rose after the application; the panel agreed to cover it."
    applications.award_application(db, app_id, 160_000, reason=why, awarded_on=ON)
    detail = applications.get_application(db, app_id)
    assert detail.award_pence == 160_000 and detail.history[-1].to_status == "awarded"
    assert detail.history[-1].reason == why
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "award.beyond_limits")).one()
        assert why in entry.summary and entry.after["beyond"] == {"request": 150_000}
        assert entry.after["reason"] == why


def test_an_award_above_the_funds_maximum_needs_a_reason_even_within_the_request(db):
    build_fund(db)
    fund_as(db, max_pence=100_000)
    app_id = submitted(db)
    eligibility.override_rule(db, app_id, "amount", "Match funding covers the rest")
    eligibility.assess(db, app_id, Status.ELIGIBLE)
    applications.transition_application(db, app_id, Status.SHORTLISTED)
    with pytest.raises(ValidationError, match=r"more than the fund's maximum award \(£1,000.00\)"):
        applications.award_application(db, app_id, 120_000)
    applications.award_application(db, app_id, 100_000)  # the maximum itself is fine
    assert applications.get_application(db, app_id).award_pence == 100_000


def test_a_rounds_budget_is_not_exceeded_without_a_reason(db):
    build_fund(db)
    fund_as(db, budget_pence=250_000)
    first = shortlisted(db, title="Hot lunches on Fridays")
    second = shortlisted(db, title="A minibus for the lunch club")
    applications.award_application(db, first, 150_000)
    context = applications.award_context(db, second)
    assert context.limits.budget_left_pence == 100_000 and context.round_name == "2026–27"
    assert context.limits.crossed(150_000) == (Crossed(Limit.BUDGET, 100_000),)
    with pytest.raises(ValidationError) as refused:
        applications.award_application(db, second, 150_000)
    assert "more than is left of the round's budget (£1,000.00)" in str(refused.value)
    applications.award_application(db, second, 100_000)  # exactly what is left
    assert status(db, second) == "awarded"


def test_going_over_the_budget_with_a_reason_is_recorded(db):
    build_fund(db)
    fund_as(db, budget_pence=200_000)
    first = shortlisted(db, title="Hot lunches on Fridays")
    second = shortlisted(db, title="A minibus for the lunch club")
    applications.award_application(db, first, 150_000)
    with pytest.raises(ValidationError, match="more than is left of the round's budget"):
        applications.award_application(db, second, 100_000)
    applications.award_application(db, second, 100_000, reason="Cabinet added £500 to the round on 1 September.")
    assert applications.award_context(db, second).limits.budget_left_pence == 200_000 - 150_000
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "award.beyond_limits")).one()
        assert entry.after["beyond"] == {"budget": 50_000}


# --- member funds: awards through the members' decisions ---------------------------------------------


def test_a_member_funds_award_is_refused_and_made_through_the_members_decisions(db):
    build_fund(db)  # a member fund
    with db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund))
        area = fund.areas[0]
        member = funds.add_member(s, actor="Officer", fund=fund, name="Cllr Ash", area=area)
        funds.set_allotment(s, actor="Officer", member=member, financial_year=2026, amount_pence=250_000)
        uow.commit()
    app_id = shortlisted(db)
    context = applications.award_context(db, app_id)
    assert context.member_fund and context.fund_name == "Test Fund"
    before = written(db)
    with pytest.raises(InvalidTransition) as refused:
        applications.award_application(db, app_id, 150_000)
    assert refused.value.problem.code == "award.member_fund"
    assert "through the members' decisions (Members ▸ Member Decision…)" in str(refused.value)
    assert written(db) == before and status(db, app_id) == "shortlisted"

    with db.unit_of_work() as uow:
        ash = uow.session.scalar(select(Member)).id
    made = allocations.record_member_decision(db, app_id, ash, "recommended", declaration=Declaration(),
                                              amount_pence=150_000, reasons="Feeds forty people a week.", on=ON)
    after = allocations.officer_outcome(db, made.id, "approved", on=ON)
    assert after.status == "awarded" and after.awarded_pence == 150_000
    [pot] = allocations.member_positions(db, "TST", 2026)
    assert pot.approved_pence == 150_000 and pot.remaining_pence == 100_000
    report = allocations.members_report(db, "TST", 2026)
    assert [a.reference for a in report.awards] == ["TST-2026-0001"]
    with db.unit_of_work() as uow:
        assert uow.session.get(Application, app_id).status == "awarded"
