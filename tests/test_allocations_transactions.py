"""Members' pots as units of work: each action is one transaction that reports what it changed, the
composite ones keep nothing when a later step fails, and they join a caller's transaction; and the
councillor's repeat-bid flag follows the same rule as the eligibility check."""

from datetime import date

import pytest
from sqlalchemy import func, select
from test_allocations import NONE, YEAR, build

from grantdesk.domain.changes import Kind
from grantdesk.domain.eligibility import Outcome
from grantdesk.domain.errors import GrantDeskError
from grantdesk.services import allocations
from grantdesk.services.allocations import Declaration
from grantdesk.services.applications import list_application_rows
from grantdesk.services.eligibility import check_eligibility
from grantdesk.store.models import Award, InterestDeclaration, MemberDecision
from grantdesk.store.queries import application_facts
from grantdesk.store.unit_of_work import recording

ON = date(2026, 9, 15)


def _count(db, model, **where) -> int:
    with db.session() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return s.scalar(query)


def test_each_action_is_one_transaction_and_reports_what_it_changed(db):
    (ash, birch, _), (big, small, _) = build(db)

    with recording() as record:
        allocations.set_allotments(db, "MEM", YEAR, 300_000)
    assert (record.commits, record.changes.kinds) == (1, {Kind.MEMBERS})

    with recording() as record:
        allocations.record_member_decision(db, big, ash, "recommended", declaration=NONE, amount_pence=200_000,
                                           reasons="Ash's share.", on=ON)
        allocations.record_member_decision(db, big, birch, "recommended", declaration=NONE, amount_pence=100_000,
                                           reasons="Birch's share.", on=ON)
    assert record.commits == 2  # two members' decisions: two actions
    assert (record.changes.kinds, record.changes.applications) == ({Kind.MEMBERS}, {big})

    first, second = allocations.decision_context(db, big, today=ON).decisions
    with recording() as record:
        allocations.officer_outcome(db, first.id, "approved", on=ON)
    # one approval of two: the pots change, the application does not yet
    assert (record.commits, record.changes.kinds, record.changes.applications) == (1, {Kind.MEMBERS}, {big})

    with recording() as record:
        context = allocations.officer_outcome(db, second.id, "approved", on=ON)
    assert context.status == "awarded"
    # the last approval awards the application, in the same transaction
    assert record.commits == 1
    assert record.changes.kinds == {Kind.MEMBERS, Kind.APPLICATIONS, Kind.AWARDS}
    assert record.changes.applications == {big}

    with recording() as record:
        allocations.record_member_decision(db, small, ash, "refused", declaration=NONE, reasons="No.", on=ON)
    assert (record.changes.kinds, record.changes.applications) == ({Kind.MEMBERS}, {small})


def test_the_year_end_reports_a_change_to_the_pots(db):
    build(db, mode="roll_over")
    with recording() as record:
        allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 25))
    assert (record.commits, record.changes.kinds) == (1, {Kind.MEMBERS})


def test_a_decision_whose_second_step_fails_keeps_no_declaration(db, monkeypatch):
    (ash, _, _), (_, small, _) = build(db)

    def broken(*_args, **_kwargs):
        raise GrantDeskError("The decision could not be written.")

    monkeypatch.setattr(allocations, "add_member_decision", broken)
    declared = Declaration("other_registrable", "My partner volunteers there")
    with recording() as record, pytest.raises(GrantDeskError, match="could not be written"):
        allocations.record_member_decision(db, small, ash, "recommended", declaration=declared,
                                           amount_pence=10_000, reasons="Good.", on=ON)
    assert record.commits == 0
    # the declaration is made first; with the decision refused, it was not kept either
    assert _count(db, InterestDeclaration, application_id=small) == 0
    assert _count(db, MemberDecision, application_id=small) == 0


def test_an_approval_whose_award_fails_keeps_nothing(db, monkeypatch):
    (ash, _, _), (_, small, _) = build(db)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="Good.", on=ON)
    [d] = allocations.decision_context(db, small, today=ON).decisions

    def broken(*_args, **_kwargs):
        raise GrantDeskError("The award could not be written.")

    monkeypatch.setattr(allocations, "add_award", broken)
    with recording() as record, pytest.raises(GrantDeskError, match="award could not be written"):
        allocations.officer_outcome(db, d.id, "approved", on=ON)
    assert record.commits == 0
    context = allocations.decision_context(db, small, today=ON)
    assert context.decisions[0].officer_outcome is None  # the approval was not kept
    assert context.status == "submitted" and context.awarded_pence is None
    assert _count(db, Award, application_id=small) == 0


def test_the_services_join_a_callers_transaction(db):
    """Called with a unit of work, a decision and its approval are one transaction: all or nothing."""
    (ash, _, _), (_, small, _) = build(db)
    with recording() as record:
        with pytest.raises(RuntimeError, match="after both steps"):
            with db.unit_of_work() as uow:
                view = allocations.record_member_decision(uow, small, ash, "recommended", declaration=NONE,
                                                          amount_pence=80_000, reasons="Good.", on=ON)
                context = allocations.officer_outcome(uow, view.id, "approved", on=ON)
                assert context.status == "awarded"  # seen inside the transaction
                raise RuntimeError("after both steps")
    assert record.commits == 0
    assert allocations.decision_context(db, small, today=ON).decisions == ()

    with recording() as record:
        with db.unit_of_work() as uow:
            view = allocations.record_member_decision(uow, small, ash, "recommended", declaration=NONE,
                                                      amount_pence=80_000, reasons="Good.", on=ON)
            allocations.officer_outcome(uow, view.id, "approved", on=ON)
            uow.commit()
    assert record.commits == 1
    assert record.changes.kinds == {Kind.MEMBERS, Kind.APPLICATIONS, Kind.AWARDS}
    assert allocations.decision_context(db, small, today=ON).awarded_pence == 80_000


def test_the_eligibility_check_and_the_member_decision_agree_on_every_repeat_bid(sample_db):
    """One rule for repeat bids (grantdesk.domain.repeat_bids): for every application in the PHP
    sample, the officer's eligibility check and the councillor's decision screen flag the same ones,
    naming the same earlier awards."""
    rows = list_application_rows(sample_db, "PHP")
    assert len(rows) > 20
    repeats = 0
    for row in rows:
        check = next(r for r in check_eligibility(sample_db, row.id).results if r.rule == "repeat_funding")
        with sample_db.session() as s:
            _fund, facts = application_facts(s, row.id)
        flags = [f for f in allocations.decision_context(sample_db, row.id, today=ON).flags if f.kind == "repeat"]
        assert (check.outcome is Outcome.FLAG) == bool(flags), row.reference
        assert tuple(f.reference for f in flags) == facts.previous_awards, row.reference
        assert all(f.financial_year == facts.previous_year for f in flags), row.reference
        repeats += bool(flags)
    assert repeats >= 1  # the sample has a repeat bid
