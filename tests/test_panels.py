"""Panel scoring: weighted criteria, can't judge, conflicts of interest, decisions that differ from
the scores, and applying the decisions to the applications."""

from datetime import date
from fractions import Fraction

import pytest
from helpers import build_vote_fund

from grantdesk.domain.errors import ValidationError
from grantdesk.services import panels
from grantdesk.services.applications import list_application_rows
from grantdesk.services.decisions import add_panel
from grantdesk.services.panels import ConflictOfInterest


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
