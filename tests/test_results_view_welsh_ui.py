"""The projector follows the fund (issue 20): for a fund under the Welsh Language Standards everything
the room reads is Welsh, then English — the header, the chart's marks and totals, the money line, the tie
notes, the hidden screen — with the projects' Welsh titles; the officer's controls stay in the officer's
language. The Welsh is the shipped catalogue's: these tests fail while it lacks a text."""

import pytest
from helpers import build_vote_fund
from sqlalchemy import select

from grantdesk.i18n import has_message, in_language, translator
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store.models import Application, Fund
from grantdesk.voting.ballots import CastBallot
from ui.results_view import ResultsView
from ui.tasks import TaskRunner

TIMEOUT = 10_000


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


@pytest.fixture
def runner():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def make_welsh(db, code):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = {**(fund.settings or {}), "welsh_language_standards": True}
        first = uow.session.scalar(select(Application).where(Application.title == "Idea 1"))
        first.title_cy = "Meinciau yn y parc"
        uow.commit()


def make_event(db, vote, *, hide_results=False) -> int:
    """Six kiosk ballots: ideas 1–3 tie on 3 votes, idea 4 has 1. Greedy funds ideas 3, 2 and 4 (£4,500)."""
    r = vote.references
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Pleidlais Gŵyl y Rhyl", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, tie_break=("supporters", "cost", "lot"),
        tie_break_seed="rhyl", kiosk_pin="2468", hide_results=hide_results))
    marks = [(r[0], r[1])] * 3 + [(r[2],)] * 2 + [(r[3], r[2])]
    for code, choice in zip(events.issue_codes(db, event_id, len(marks)), marks, strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *choice))
    return event_id


def shown(qtbot, db, runner, event_id) -> ResultsView:
    view = ResultsView(db, runner, event_id)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.start()
    qtbot.waitUntil(lambda: view.chart.height() > 400, timeout=TIMEOUT)
    return view


def welsh(text: str) -> str:
    assert has_message("cy", text), f"the Welsh catalogue has no translation of {text!r}"
    return in_language("cy", text)


def test_a_welsh_fund_s_projector_says_everything_welsh_then_english(qtbot, db, runner, vote):
    make_welsh(db, vote.fund_code)
    view = shown(qtbot, db, runner, make_event(db, vote))
    cy = translator("cy")
    welsh_count, english_count = view.counted_label.text().split("\n")
    assert welsh_count == cy.ngettext("{n} ballot counted ({kiosk} kiosk, {paper} paper)",
                                      "{n} ballots counted ({kiosk} kiosk, {paper} paper)", 6).format(
        n=6, kiosk=6, paper=0) != english_count
    assert english_count == "6 ballots counted (6 kiosk, 0 paper)"
    assert view.money_label.text().split("\n")[1] == "£4,500.00 funded of the £5,000.00 pot"
    assert view.updated_label.text().startswith(welsh("Live") + " · ")

    rows = view.chart.rows()
    assert [row.status for row in rows] == [f"{welsh('Funded')} / Funded", f"{welsh('Funded')} / Funded",
                                            f"{welsh('Passed over')} / Passed over", f"{welsh('Funded')} / Funded"]
    assert rows[2].title == "Meinciau yn y parc / Idea 1"  # the Welsh title first, where there is one
    assert rows[0].total_text == cy.ngettext("{n} vote", "{n} votes", 3).format(n=3) + " / 3 votes"
    line = view.chart.money_line()
    assert line.label.split("\n") == [welsh("{pot} pot runs out here").format(pot="£5,000.00"),
                                      "£5,000.00 pot runs out here"]
    assert line.two_lines and view.chart.money_label_rect().right() <= view.chart.width()
    assert rows[-1].row.bottom() <= view.chart.height()  # every project on screen at 1280×800

    welsh_note, english_note = view.tie_note.text().split("\n")
    assert "Meinciau yn y parc" in welsh_note and welsh("The pot runs out within this tie.") in welsh_note
    assert english_note.startswith("Tie on 3 votes: Idea 3, Idea 2 and Idea 1 — ranked by lower cost first.")
    description = view.chart.accessibleDescription()
    assert description.index(welsh("Not funded: {projects}.").split("{")[0]) < description.index("Not funded:")


def test_a_welsh_fund_s_hidden_projector_says_welsh_then_english(qtbot, db, runner, vote):
    make_welsh(db, vote.fund_code)
    view = shown(qtbot, db, runner, make_event(db, vote, hide_results=True))
    assert view.hidden
    assert view.hidden_title.text().split("\n") == [welsh("Results are shown when an officer reveals them"),
                                                    "Results are shown when an officer reveals them"]
    assert view.hidden_count.text().split("\n")[1] == "6 ballots in so far (6 at the kiosk, 0 on paper)"
    assert view.reveal_button.text() == "Reveal results"  # the officer's control, in the officer's language


def test_other_funds_projector_is_in_one_language(qtbot, db, runner, vote):
    view = shown(qtbot, db, runner, make_event(db, vote))
    assert [row.status for row in view.chart.rows()] == ["Funded", "Funded", "Passed over", "Funded"]
    assert "\n" not in view.counted_label.text() and "\n" not in view.chart.money_line().label
