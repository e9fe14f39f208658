"""The results sheet of a community vote: method, turnout, totals, the funded list, ties and every step."""

import io
from datetime import date
from fractions import Fraction

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader

from grantdesk.domain.money import format_money
from grantdesk.reports.pdf_fonts import pdf_fonts
from grantdesk.reports.results_sheet import results_sheet_pdf
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sheet(results, **kwargs) -> tuple[list[str], str]:
    out = io.BytesIO()
    results_sheet_pdf(results, out, **kwargs)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]
    return pages, _flat(" ".join(pages))


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


@pytest.fixture
def counted(db, vote):
    """An approval vote: six kiosk ballots (a three-way tie settled by cost), three paper sheets keyed
    twice: one counted, one spoilt by the officer, one spoilt by the rules (three crosses)."""
    r = vote.references
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Gŵyl Tŷ Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, tie_break=("supporters", "cost", "lot"),
        tie_break_seed="festival", venue="Leys Community Centre", kiosk_pin="2468"))
    marks = [(r[0], r[1])] * 3 + [(r[2],)] * 2 + [(r[3], r[2])]
    for code, choice in zip(events.issue_codes(db, event_id, len(marks)), marks, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *choice))
    for by in ("Volunteer A", "Volunteer B"):
        events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", r[3]), entered_by=by)
        events.key_paper_ballot(db, event_id, "2", spoilt_reason="voter wrote their name", entered_by=by)
        events.key_paper_ballot(db, event_id, "3", CastBallot.marked("", *r[:3]), entered_by=by)
    return events.event_results(db, event_id)


def test_the_sheet_states_method_turnout_totals_funded_list_ties_and_every_step(counted, vote):
    results = counted
    pages, text = _sheet(results, printed_on=date(2026, 6, 20))
    assert "Gŵyl Tŷ Leys Festival vote" in text or not pdf_fonts().covers_welsh
    assert "Vote Fund · Community vote 2026" in text and "Printed 20/06/2026" in text
    assert _flat(results.method) in text
    # turnout: 9 in (6 kiosk, 3 paper), 7 counted, 2 spoilt with their reasons grouped
    assert (results.tally.cast, results.tally.accepted, results.tally.spoilt_count) == (9, 7, 2)
    assert "Ballots cast 9 6 at the kiosk, 3 on paper" in text
    assert "Counted 7 6 kiosk, 1 paper" in text
    assert "Spoilt 2" in text
    assert "voter wrote their name 1" in text
    assert "It approves 3 projects; each voter may approve at most 2. 1" in text
    # every project, and the funded list with the money
    for ref in vote.references:
        assert ref in text
    assert results.allocation.selected == (vote.references[2], vote.references[1], vote.references[3])
    assert format_money(results.funded_pence) == "£4,500.00"
    assert "Total funded £4,500.00" in text
    assert "Budget £5,000.00" in text and "Left over £500.00" in text
    assert "3 projects funded for £4,500.00 of the £5,000.00 budget; £500.00 left over." in text
    # ties: the policy and the tie step; then the whole explanation, numbered
    assert _flat(f"The rule for ties, fixed before voting began: {results.allocation.tie_break}") in text
    [tie] = [s for s in results.allocation.explanation if s.kind == "tie"]
    assert text.count(_flat(tie.text)) == 2  # under Ties, and as step 1 of the explanation
    steps = results.allocation.explanation
    assert f"1. {_flat(steps[0].text)}" in text
    assert f"{len(steps)}. {_flat(steps[-1].text)}" in text
    # "Page 1 of 2" in every footer
    assert [f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1)] == [True] * len(pages)
    assert "Provisional: voting is still open" in text


def test_a_long_explanation_flows_over_pages_with_numbered_footers(db):
    costs = tuple(100_000 + 5_000 * n for n in range(40))
    vote = build_vote_fund(db, "BIG", costs_pence=costs, budget_pence=2_000_000)
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="A big vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", kiosk_pin="2468"))
    ballots = [vote.references[n: n + 10] for n in range(0, 40, 3)]
    for code, refs in zip(events.issue_codes(db, event_id, len(ballots)), ballots, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *refs))
    results = events.event_results(db, event_id)
    pages, text = _sheet(results)
    assert len(pages) >= 3
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert all(ref in text for ref in vote.references)
    assert f"{len(results.allocation.explanation)}. {_flat(results.allocation.explanation[-1].text)}" in text


def test_a_score_ballot_shows_each_project_s_mean_score(db, vote):
    r = vote.references
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Scores", round_id=vote.round_id, application_ids=tuple(vote.application_ids), ballot_kind="score",
        ballot_settings={"low": 0, "high": 5, "cant_judge": True}, rule="greedy", kiosk_pin="2468"))
    sheets = [{r[0]: 5, r[1]: 1, r[2]: None}, {r[0]: 4, r[2]: 3, r[3]: 0}]
    for code, points in zip(events.issue_codes(db, event_id, 2), sheets, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.scored("", points))
    results = events.event_results(db, event_id)
    _, text = _sheet(results)
    assert "Mean score" in text and "Points" in text
    first = results.projects[0]
    assert first.reference == r[0] and first.mean == Fraction(9, 2)
    assert f"{r[0]} Idea 1 Testville Residents £3,000.00 9 2 4.50 " in text


def test_a_sheet_before_any_ballot_says_there_is_nothing_yet(db, vote):
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Quiet vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", kiosk_pin="2468"))
    _, text = _sheet(events.event_results(db, event_id))
    assert "Ballots cast 0" in text
    assert "No ballots yet." in text
