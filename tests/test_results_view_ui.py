"""The projector's results view: ranked bars, funded marks and the money line; hidden until revealed;
counting again live as ballots come in."""

import re
from itertools import pairwise

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from grantdesk.domain.money import format_money
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot
from ui.results_view import ResultsView

TIMEOUT = 10_000


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


def _event(db, vote, *, hide_results):
    """Six kiosk ballots: ideas 1–3 tie on 3 votes, idea 4 has 1. Greedy funds ideas 3, 2 and 4 (£4,500)."""
    r = vote.references
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, tie_break=("supporters", "cost", "lot"),
        tie_break_seed="festival", kiosk_pin="2468", hide_results=hide_results))
    marks = [(r[0], r[1])] * 3 + [(r[2],)] * 2 + [(r[3], r[2])]
    for code, choice in zip(events.issue_codes(db, event_id, len(marks)), marks, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *choice))
    return event_id


def _shown(qtbot, db, runner, event_id, interval=None):
    view = ResultsView(db, runner, event_id)
    qtbot.addWidget(view)
    if interval is not None:
        view.interval = interval
    view.resize(1280, 720)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.start()
    return view


def _visible_text(view) -> str:
    labels = [w.text() for w in view.findChildren(QLabel) if w.isVisibleTo(view)]
    return " ".join([*labels, view.chart.accessibleDescription(), view.explanation.toPlainText()])


def test_bars_are_drawn_for_each_project_in_rank_order_with_funded_marks_from_the_allocation(qtbot, db, runner,
                                                                                             vote):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id)
    results = events.event_results(db, event_id)
    rows = view.chart.rows()
    assert [row.reference for row in rows] == [p.reference for p in results.projects]
    assert [row.total_text for row in rows] == ["3 votes", "3 votes", "3 votes", "1 vote"]
    assert [row.bar.width() for row in rows] == sorted((row.bar.width() for row in rows), reverse=True)
    assert all(a.row.bottom() <= b.row.top() for a, b in pairwise(rows))  # top to bottom, no overlap
    assert {row.reference for row in rows if row.funded} == set(results.allocation.selected)
    assert rows[-1].spent_so_far_pence == results.funded_pence == 450_000
    # the money line sits below the last funded project and names the pot
    line = view.chart.money_line()
    assert line is not None and line.after == max(i for i, row in enumerate(rows) if row.funded) + 1
    assert line.label == f"{format_money(500_000)} pot runs out here"
    assert line.detail == "£500.00 left — not enough for any other project (the cheapest, £3,000.00)"
    assert "6 ballots counted (6 kiosk, 0 paper)" in view.counted_label.text()
    assert view.money_label.text() == "£4,500.00 funded of the £5,000.00 pot"
    # ideas 1–3 tie on 3 votes; the tie-break (lower cost) ranks 3, 2, 1: idea 1 (£3,000) is passed over
    assert [row.title for row in rows] == ["Idea 3", "Idea 2", "Idea 1", "Idea 4"]
    assert [row.status for row in rows] == ["Funded", "Funded", "Passed over", "Funded"]
    description = view.chart.accessibleDescription()
    assert description.startswith("3 projects funded: Idea 3 (£1,500.00, 3 votes); Idea 2 (£2,000.00, 3 votes)")
    assert "Not funded: Idea 1 (£3,000.00, 3 votes)" in description
    # the rows fit a 720p projector without scrolling
    assert rows[-1].row.bottom() <= view.chart.height()


def test_hidden_results_show_only_the_ballots_in_until_the_officer_reveals_them(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=True)
    view = _shown(qtbot, db, runner, event_id)
    assert view.hidden and view.chart.rows() == [] and view.chart.money_line() is None
    assert not hasattr(view.results, "tally")  # while hidden the totals are not even counted
    text = _visible_text(view)
    assert "Results are shown when an officer reveals them" in text and "when voting closes" not in text
    assert "6 ballots in so far (6 at the kiosk, 0 on paper)" in text
    assert not re.search(r"\d votes?\b", text) and "Idea" not in text and "funded" not in text.lower()
    assert "£4,500.00" not in text
    assert view.reveal_button.isVisible() and not view.explain_toggle.isEnabled()

    asked = []
    view.ask_reveal = lambda: asked.append("asked") or False  # the officer thinks again
    view.setFocus()
    qtbot.keySequence(view, "Ctrl+R")
    assert asked == ["asked"] and view.hidden
    assert not events.get_event(db, event_id).revealed

    view.ask_reveal = lambda: True
    with qtbot.waitSignal(view.revealed, timeout=TIMEOUT):
        qtbot.mouseClick(view.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.hidden and len(view.chart.rows()) == 4, timeout=TIMEOUT)
    assert events.get_event(db, event_id).revealed
    assert "3 votes" in [row.total_text for row in view.chart.rows()]
    assert "£4,500.00 funded" in view.money_label.text()
    assert not view.reveal_button.isVisible() and view.explain_toggle.isEnabled()


def test_the_view_counts_again_while_shown_and_picks_up_a_new_ballot(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id, interval=50)
    assert view.timer.isActive() and view.interval == 50
    assert view.results.tally.accepted == 6
    [code] = events.issue_codes(db, event_id, 1)
    events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[3]))
    qtbot.waitUntil(lambda: view.results.tally.accepted == 7, timeout=TIMEOUT)
    assert "7 ballots counted" in view.counted_label.text()
    assert view.chart.rows()[-1].total_text == "2 votes"

    view.hide()
    assert not view.timer.isActive()  # no counting while nobody can see it
    view.show()
    assert view.timer.isActive()


def test_a_second_count_is_never_queued_while_one_is_running(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id)
    view.timer.stop()
    calls = []
    real_run = runner.run
    runner.run = lambda *args, **kwargs: calls.append(args[0]) or real_run(*args, **kwargs)
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.refresh()
        view.refresh()
        view.refresh()
    assert len(calls) == 1 and not view.refreshing
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.refresh()
    assert len(calls) == 2


def test_officers_can_open_the_engine_s_explanation_below_the_chart(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id)
    assert not view.explanation.isVisible()
    qtbot.mouseClick(view.explain_toggle, Qt.MouseButton.LeftButton)
    assert view.explanation.isVisible()
    shown = " ".join(view.explanation.toPlainText().split())
    steps = events.event_results(db, event_id).allocation.explanation
    assert all(" ".join(step.text.split()) in shown for step in steps)
    assert view.explain_toggle.accessibleName() == "Hide how the result was worked out"
    qtbot.mouseClick(view.explain_toggle, Qt.MouseButton.LeftButton)
    assert not view.explanation.isVisible()


def test_a_count_that_fails_says_why_and_keeps_the_view(qtbot, db, runner, vote):
    view = _shown(qtbot, db, runner, 999)
    assert view.notice.isVisible() and "no voting event with id 999" in view.notice.text()


def _stop_event(db):
    """A "stop" greedy vote with £2,000 left: Idea 1 (£3,000) funded, Idea 2 (£3,500) does not fit."""
    vote = build_vote_fund(db, costs_pence=(300_000, 350_000, 100_000, 150_000))
    r = vote.references
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Stop vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="choose-one", rule="greedy", when_next_does_not_fit="stop", kiosk_pin="2468",
        hide_results=False))
    marks = [r[0]] * 4 + [r[1]] * 3 + [r[2]] * 2 + [r[3]]
    for code, choice in zip(events.issue_codes(db, event_id, len(marks)), marks, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", choice))
    return event_id


def test_the_pot_line_is_drawn_where_the_money_runs_out_with_what_is_left(qtbot, db, runner):
    event_id = _stop_event(db)
    view = _shown(qtbot, db, runner, event_id)
    rows, line = view.chart.rows(), view.chart.money_line()
    assert [row.title for row in rows] == ["Idea 1", "Idea 2", "Idea 3", "Idea 4"]
    assert [row.funded for row in rows] == [True, False, False, False]
    # after the last funded project, above the one that does not fit
    assert line.after == 1 and rows[0].row.bottom() < line.y < rows[1].row.top()
    assert line.detail == "£2,000.00 left — not enough for the next project (£3,500.00)"
    label = view.chart.money_label_rect()
    assert label.right() <= view.chart.width() and label.top() >= rows[0].row.bottom() - 4
    assert "£2,000.00 left" in view.chart.accessibleDescription()


def test_ties_are_marked_with_the_tie_break_that_ordered_them(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)  # ideas 1–3 tie on 3 votes
    view = _shown(qtbot, db, runner, event_id)
    rows = view.chart.rows()
    assert [row.tie for row in rows] == [True, True, True, False]
    assert view.tie_note.isVisible()
    note = view.tie_note.text()
    assert note.startswith("Tie on 3 votes: Idea 3, Idea 2 and Idea 1 — ranked by lower cost first.")
    assert "The pot runs out within this tie." in note  # Idea 1 passed over, the others funded
    assert note in view.chart.accessibleDescription()


def test_no_tie_no_tie_mark(qtbot, db, runner):
    view = _shown(qtbot, db, runner, _stop_event(db))
    assert not any(row.tie for row in view.chart.rows()) and not view.tie_note.isVisible()


def test_the_screen_says_live_then_closed_then_confirmed(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id)
    assert view.updated_label.text().startswith("Live · counted at")
    events.close_voting(db, event_id)
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.refresh()
    assert view.updated_label.text().startswith("Voting closed · counted at")
    events.confirm_results(db, event_id)
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.refresh()
    assert view.updated_label.text().startswith("Confirmed · counted at")
    assert "Live" not in _visible_text(view)


def test_a_closed_hidden_vote_says_an_officer_reveals_the_results(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=True)
    events.close_voting(db, event_id)
    view = _shown(qtbot, db, runner, event_id)
    assert view.hidden_title.text() == "Voting has closed. Results are shown when an officer reveals them."


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_type_scales_with_the_screen_and_nothing_is_cut(qtbot, db, runner, vote, size):
    event_id = _event(db, vote, hide_results=False)
    view = _shown(qtbot, db, runner, event_id)
    view.resize(*size)
    qtbot.waitUntil(lambda: view.chart.height() > 400, timeout=TIMEOUT)
    title_px = view.title_label.font().pixelSize()
    chart_px = view.chart._geometry().title_font.pixelSize()
    if size == (1920, 1080):  # from the back of a hall: big type on a 1080p projector
        assert title_px >= 40 and chart_px >= 26 and view.tie_note.font().pixelSize() >= 22
    else:
        assert title_px >= 30 and chart_px >= 20
    rows = view.chart.rows()
    assert rows[-1].row.bottom() <= view.chart.height()  # every project on screen, no scrolling
    assert view.chart.money_label_rect().right() <= view.chart.width()
    for label in (view.title_label, view.tie_note):  # wrapped, and as tall as its lines once laid out
        assert label.wordWrap()
        qtbot.waitUntil(lambda label=label: label.height() >= label.heightForWidth(label.width()), timeout=TIMEOUT)
