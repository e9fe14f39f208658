"""Panel scoring: weighted criteria, can't judge, conflicts of interest, decisions that differ from
the scores, and applying the decisions to the applications."""

from datetime import date
from fractions import Fraction

import pytest
from helpers import build_vote_fund
from sqlalchemy import func, select

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services import panels
from grantdesk.services.applications import list_application_rows
from grantdesk.services.decisions import add_panel
from grantdesk.services.panels import ConflictOfInterest
from grantdesk.store.models import Award, StatusChange
from grantdesk.store.unit_of_work import recording


@pytest.fixture
def panel(db):
    vote = build_vote_fund(db, costs_pence=(300_000, 200_000, 150_000), budget_pence=400_000)
    with db.unit_of_work() as uow:
        from grantdesk.services.common import fund_by_code

        fund = fund_by_code(uow.session, vote.fund_code)
        p = add_panel(uow.session, actor="Officer", fund_id=fund.id, round_id=vote.round_id, name="Leys Panel",
                      panellists=[("Shanice", "Leys"), ("Dave", "Leys"), ("Amina", "Northfield")])
        people = [x.id for x in p.panellists]
        uow.commit()
        panel_id = p.id
    benefit = panels.add_criterion(db, panel_id, "Benefit to local people", weight=2, low=0, high=5)
    plan = panels.add_criterion(db, panel_id, "A realistic plan", weight=1, low=0, high=5)
    return vote, panel_id, people, benefit, plan


def test_weighted_scores_leave_out_cant_judge_and_rank_the_applications(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    panels.record_score(db, a, app1, benefit, 4, "Lots of families asked for this")
    panels.record_score(db, b, app1, benefit, None, "I don't know the area well enough")
    panels.record_score(db, a, app1, plan, 3)
    panels.record_score(db, a, app2, benefit, 5)
    panels.record_score(db, b, app2, benefit, 2)
    panels.record_score(db, a, app3, benefit, 1)
    sheet = panels.score_sheet(db, panel_id)
    first = sheet.application(vote.references[0])
    assert first.means == {benefit: Fraction(4), plan: Fraction(3)}  # can't judge left out of the mean
    assert first.weighted == 2 * 4 + 3
    second = sheet.application(vote.references[1])
    assert second.weighted == 2 * Fraction(7, 2)
    assert [x.reference for x in sheet.applications] == vote.references
    # Budget £4,000: £3,000 for the first; £2,000 does not fit; £1,500 does not either.
    assert [x.suggested for x in sheet.applications] == [True, False, False]
    assert sheet.max_weighted == 15
    with pytest.raises(ValidationError, match="from 0 to 5"):
        panels.record_score(db, c, app1, benefit, 6)


def test_a_panellist_with_a_declared_interest_cannot_score_that_application(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    app1 = vote.application_ids[0]
    panels.record_score(db, b, app1, benefit, 5)
    panels.declare_interest(db, panel_id, b, app1, "non_registrable", "My daughter runs the group",
                            on=date(2026, 6, 20))
    with pytest.raises(ConflictOfInterest, match="My daughter runs the group"):
        panels.record_score(db, b, app1, benefit, 5)
    sheet = panels.score_sheet(db, panel_id)
    row = sheet.application(vote.references[0])
    assert row.scores == () and b in row.conflicted  # the earlier score no longer counts
    panels.record_score(db, b, vote.application_ids[1], benefit, 3)  # other applications are fine


def test_a_decision_against_the_scores_needs_a_reason_and_is_applied_by_the_officer(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    for person in (a, b, c):
        panels.record_score(db, person, app1, benefit, 5)
        panels.record_score(db, person, app2, benefit, 3)
        panels.record_score(db, person, app3, benefit, 1)
    panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000)
    with pytest.raises(ValidationError, match="say why"):
        panels.record_decision(db, panel_id, app3, "fund", amount_pence=100_000)
    d = panels.record_decision(db, panel_id, app3, "fund", amount_pence=100_000,
                               reason="The pitch showed young people leading it; the panel funded part of it")
    assert d.differs_from_scores
    panels.record_decision(db, panel_id, app2, "defer", reason="Come back with a venue confirmed")
    panels.set_deliberation_notes(db, panel_id, "We talked longest about the youth project.")
    before = {r.reference: r.status for r in list_application_rows(db, vote.fund_code)}
    assert set(before.values()) == {"shortlisted"}
    applied = panels.apply_decisions(db, panel_id)
    assert applied.awarded == (vote.references[0], vote.references[2]) and applied.deferred == (vote.references[1],)
    after = {r.reference: r.status for r in list_application_rows(db, vote.fund_code)}
    assert after == {vote.references[0]: "awarded", vote.references[1]: "deferred", vote.references[2]: "awarded"}
    sheet = panels.score_sheet(db, panel_id)
    assert sheet.notes.startswith("We talked") and sheet.application(vote.references[2]).decision.applied
    with pytest.raises(ValidationError, match="scores are final"):
        panels.record_score(db, a, app1, plan, 2)


def _decide_all(db, panel_id, people, apps, benefit):
    app1, app2, app3 = apps
    for person in people:
        panels.record_score(db, person, app1, benefit, 5)
        panels.record_score(db, person, app2, benefit, 3)
        panels.record_score(db, person, app3, benefit, 1)
    panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000)
    panels.record_decision(db, panel_id, app3, "decline")
    panels.record_decision(db, panel_id, app2, "defer", reason="Come back with a venue confirmed")


def test_applying_the_decisions_is_one_transaction_reporting_the_applications_and_awards_it_changed(db, panel):
    vote, panel_id, people, benefit, plan = panel
    _decide_all(db, panel_id, people, vote.application_ids, benefit)
    with recording() as record:
        applied = panels.apply_decisions(db, panel_id)
    assert applied == panels.Applied((vote.references[0],), (vote.references[2],), (vote.references[1],))
    assert record.commits == 1
    assert {Kind.APPLICATIONS, Kind.AWARDS, Kind.PANELS} <= record.changes.kinds
    assert record.changes.applications == set(vote.application_ids)  # the main list updates these rows
    with db.session() as s:
        assert [(a.application_id, a.amount_pence) for a in s.scalars(select(Award))] == [
            (vote.application_ids[0], 300_000)]


def test_when_a_later_application_cannot_move_no_application_changes_and_no_award_is_made(db, panel, monkeypatch):
    vote, panel_id, people, benefit, plan = panel
    _decide_all(db, panel_id, people, vote.application_ids, benefit)
    real = panels.do_transition
    moved = []

    def failing_transition(session, app, target, **kwargs):
        if Status(target) is Status.DEFERRED:  # the last of the three: the award has been made by now
            raise ValidationError("The deferral cannot be recorded.")
        moved.append(app.reference)
        return real(session, app, target, **kwargs)

    monkeypatch.setattr(panels, "do_transition", failing_transition)
    with recording() as record, pytest.raises(ValidationError, match="deferral"):
        panels.apply_decisions(db, panel_id)
    assert moved == [vote.references[0], vote.references[2]]  # the first two steps ran, then the third failed
    assert record.commits == 0
    statuses = {r.reference: r.status for r in list_application_rows(db, vote.fund_code)}
    assert set(statuses.values()) == {"shortlisted"}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Award)) == 0
        assert s.scalar(select(func.count()).select_from(StatusChange)
                        .where(StatusChange.to_status.in_(("awarded", "declined", "deferred")))) == 0
    sheet = panels.score_sheet(db, panel_id)
    assert not any(a.decision.applied for a in sheet.applications)
    monkeypatch.setattr(panels, "do_transition", real)
    assert len(panels.apply_decisions(db, panel_id).awarded) == 1  # nothing half-done blocks the retry


def test_every_panel_service_joins_the_callers_unit_of_work_and_never_commits_itself(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    app1, app2, _ = vote.application_ids
    with recording() as record:
        with db.unit_of_work() as uow:
            panels.add_criterion(uow, panel_id, "Value for money")
            panels.record_score(uow, a, app1, benefit, 4, "Good")
            panels.declare_interest(uow, panel_id, b, app2, "other_registrable", "Trustee")
            panels.set_deliberation_notes(uow, panel_id, "Notes")
            panels.record_decision(uow, panel_id, app1, "fund", amount_pence=300_000)
            assert record.commits == 0  # nothing kept until the caller commits
    assert record.commits == 0  # and the caller never did: nothing was kept
    sheet = panels.score_sheet(db, panel_id)
    assert len(sheet.criteria) == 2 and sheet.notes == "" and sheet.application(vote.references[0]).scores == ()


def test_declaring_an_interest_is_a_change_to_the_panel_even_when_there_were_no_scores_to_remove(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    with recording() as record:
        panels.declare_interest(db, panel_id, b, vote.application_ids[1], "dpi", "I own the hall",
                                on=date(2026, 6, 20))
    assert Kind.PANELS in record.changes.kinds and vote.application_ids[1] in record.changes.applications
    interest = panels.score_sheet(db, panel_id).application(vote.references[1]).conflicted[b]
    assert interest == panels.InterestView("dpi", "I own the hall", date(2026, 6, 20))  # data, not words
    with pytest.raises(ConflictOfInterest) as refused:
        panels.record_score(db, b, vote.application_ids[1], benefit, 2)
    assert refused.value.interest == interest and refused.value.reference == vote.references[1]


def test_a_panel_award_above_the_funds_maximum_needs_a_reason(db, panel):
    vote, panel_id, (a, b, c), benefit, plan = panel
    app1 = vote.application_ids[0]
    for person in (a, b, c):
        panels.record_score(db, person, app1, benefit, 5)
    with db.unit_of_work() as uow:
        from grantdesk.services.common import fund_by_code

        fund_by_code(uow.session, vote.fund_code).max_amount_pence = 250_000
        uow.commit()
    with pytest.raises(ValidationError, match="maximum award of £2,500.00"):
        panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000)
    d = panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000,
                               reason="The panel agreed the hall needs the whole amount")
    assert d.amount_pence == 300_000
