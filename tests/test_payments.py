"""Payments and monitoring in the services: plans, over-payment refusal, holdback until the final
report, money returned and clawed back, and due dates scaled by grant size."""

from datetime import date

import pytest
from helpers import build_vote_fund

from grantdesk.domain.errors import ValidationError
from grantdesk.services import payments
from grantdesk.services.applications import award_application
from grantdesk.services.payments import OverPayment

AWARDED = date(2026, 7, 1)


@pytest.fixture
def awards(db):
    """Three awards: £300 (small), £2,000 (middling) and £5,000 (large)."""
    vote = build_vote_fund(db, costs_pence=(30_000, 200_000, 500_000), budget_pence=1_000_000)
    ids = []
    for app_id, amount in zip(vote.application_ids, (30_000, 200_000, 500_000), strict=True):
        award_application(db, app_id, amount, awarded_on=AWARDED)
    from sqlalchemy import select

    from grantdesk.store.models import Award

    with db.session() as s:
        for app_id in vote.application_ids:
            ids.append(s.scalar(select(Award.id).where(Award.application_id == app_id)))
    return ids


def test_monitoring_is_scaled_by_grant_size_and_dated_from_the_award(db, awards):
    small, middling, large = awards
    assert payments.set_monitoring(db, small) == []  # nothing asked of a small grant
    assert payments.set_monitoring(db, middling) == [date(2027, 7, 1)]  # a short note after a year
    assert payments.set_monitoring(db, large) == [date(2026, 10, 1), date(2027, 7, 1)]  # note, then report
    with pytest.raises(ValidationError, match="already set"):
        payments.set_monitoring(db, large)


def test_payments_never_exceed_the_award(db, awards):
    _, middling, _ = awards
    payments.record_payment(db, middling, 150_000, date(2026, 7, 10), reference="BACS-1")
    with pytest.raises(OverPayment, match="at most £500.00 more"):
        payments.record_payment(db, middling, 60_000, date(2026, 8, 1))
    position = payments.record_payment(db, middling, 50_000, date(2026, 8, 1))
    assert (position.paid_pence, position.outstanding_pence) == (200_000, 0)
    with pytest.raises(ValidationError, match="before the award"):
        payments.record_payment(db, middling, 1, date(2026, 6, 1))


def test_instalments_add_up_to_the_award_and_a_holdback_waits_for_the_final_report(db, awards):
    _, _, large = awards
    with pytest.raises(ValidationError, match="add up to £4,000.00"):
        payments.set_payment_plan(db, large, "instalments",
                                  instalments=[(date(2026, 7, 10), 300_000), (date(2027, 1, 10), 100_000)])
    payments.set_payment_plan(db, large, "instalments", holdback_pence=50_000,
                              instalments=[(date(2026, 7, 10), 300_000), (date(2027, 1, 10), 200_000)])
    payments.set_monitoring(db, large)
    payments.record_payment(db, large, 300_000, date(2026, 7, 10))
    with pytest.raises(OverPayment, match="£500.00 of .* is held back until the final report is in: £1,500.00"):
        payments.record_payment(db, large, 200_000, date(2027, 1, 10))
    payments.record_payment(db, large, 150_000, date(2027, 1, 10))
    final = next(d for d in payments.overdue_and_due_soon(db, today=date(2027, 7, 1)) if d.kind == "report")
    payments.report_received(db, final.id, date(2027, 6, 20))
    position = payments.record_payment(db, large, 50_000, date(2027, 6, 25))
    assert (position.paid_pence, position.held_back_pence, position.plan) == (500_000, 0, "instalments")


def test_underspend_and_clawback_never_exceed_what_was_paid(db, awards):
    _, middling, _ = awards
    payments.record_payment(db, middling, 200_000, date(2026, 7, 10))
    payments.record_return(db, middling, "underspend", 30_000, date(2027, 4, 2),
                           reason="The hall hire cost less than quoted")
    with pytest.raises(ValidationError, match="Only £1,700.00"):
        payments.record_return(db, middling, "clawback", 180_000, date(2027, 5, 1), reason="Not used as agreed")
    position = payments.record_return(db, middling, "clawback", 20_000, date(2027, 5, 1),
                                      reason="Equipment bought for another purpose")
    assert (position.returned_pence, position.clawed_back_pence, position.net_pence) == (30_000, 20_000, 150_000)
    with pytest.raises(ValidationError, match="why"):
        payments.record_return(db, middling, "underspend", 1, date(2027, 5, 2), reason=" ")


def test_the_overdue_and_due_soon_view(db, awards):
    _, middling, large = awards
    payments.set_monitoring(db, middling)
    payments.set_monitoring(db, large)
    items = payments.overdue_and_due_soon(db, "VOT", today=date(2026, 10, 20))
    assert [(i.label, i.overdue, i.days) for i in items] == [("3-month note", True, -19)]
    later = payments.overdue_and_due_soon(db, today=date(2027, 6, 15), within_days=30)
    assert [i.label for i in later] == ["3-month note", "A short note with evidence of spend", "Final learning report"]


def test_a_funds_awards_list_where_each_stands(db, awards):
    small, middling, _ = awards
    payments.record_payment(db, middling, 50_000, date(2026, 7, 10))
    lines = {line.award_id: line for line in payments.fund_awards(db, "VOT")}
    assert set(lines) == set(awards)
    assert (lines[middling].position.paid_pence, lines[middling].position.outstanding_pence) == (50_000, 150_000)
    assert lines[small].position.outstanding_pence == 30_000


def test_each_payments_service_is_one_transaction_that_names_the_award_it_changed(db, awards):
    """Windows follow AWARDS: every change here says which application's award it touched, and a step
    joined to a caller's unit of work commits with it, not on its own."""
    from sqlalchemy import select

    from grantdesk.domain.changes import Kind
    from grantdesk.store.models import Award
    from grantdesk.store.unit_of_work import recording

    _small, middling, large = awards
    with db.session() as s:
        app_of = {a.id: a.application_id for a in s.scalars(select(Award))}
    actions = [
        (middling, lambda: payments.set_monitoring(db, middling)),
        (large, lambda: payments.set_payment_plan(db, large, "full")),
        (large, lambda: payments.record_payment(db, large, 100_000, AWARDED)),
        (large, lambda: payments.record_return(db, large, "underspend", 1_000, AWARDED, reason="Less needed")),
        (middling, lambda: payments.report_received(db, payments.overdue_and_due_soon(
            db, "VOT", today=date(2028, 1, 1))[0].id, AWARDED)),
    ]
    for award_id, action in actions:
        with recording() as record:
            action()
        assert record.commits == 1 and record.changes.kinds == {Kind.AWARDS}
        assert record.changes.applications == {app_of[award_id]}

    with recording() as record:  # joined to a caller's transaction: one commit for the whole action
        with db.unit_of_work() as uow:
            payments.record_payment(uow, large, 1_000, AWARDED)
            payments.record_payment(uow, large, 1_000, AWARDED)
            uow.commit()
    assert record.commits == 1 and payments.award_position(db, large).paid_pence == 102_000
