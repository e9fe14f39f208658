"""Windows of a community vote stay true while another window changes it: a ballot cast at the kiosk, or
a paper ballot keyed twice in the paper-entry window, shows at once on an open projector screen and on
the voting desk — without reopening them, and not because they count again on a timer."""

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot
from ui.kiosk import KioskWindow
from ui.paper_entry import PaperEntryWidget
from ui.results_view import ResultsView
from ui.voting_desk import VotingDesk

TIMEOUT = 10_000
AN_HOUR = 3_600_000


@pytest.fixture
def vote(db):
    return build_vote_fund(db)  # Idea 1..4: £3,000, £2,000, £1,500, £1,000; pot £5,000


def _event(db, vote, *, hide_results: bool) -> int:
    return events.create_event(db, vote.fund_code, EventSettings(
        name="Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, tie_break=("supporters", "cost", "lot"),
        tie_break_seed="festival", kiosk_pin="2468", hide_results=hide_results))


def _projector(qtbot, db, runner, event_id) -> ResultsView:
    view = ResultsView(db, runner, event_id)
    qtbot.addWidget(view)
    view.interval = AN_HOUR  # it would count again on its own only in an hour: what changes now is the broadcast
    view.resize(1280, 720)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=TIMEOUT):
        view.start()
    return view


def _desk(qtbot, db, runner) -> VotingDesk:
    desk = VotingDesk(db, runner, "VOT")
    qtbot.addWidget(desk)
    desk.show()
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.start()
    return desk


def _summary(desk: VotingDesk) -> str:
    return " ".join(desk.summary.toPlainText().split())


def test_a_paper_ballot_keyed_twice_shows_on_the_open_projector_and_desk(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=False)
    projector = _projector(qtbot, db, runner, event_id)
    desk = _desk(qtbot, db, runner)
    assert projector.results.tally.accepted == 0 and "Ballots counted 0 (0 spoilt)" in _summary(desk)
    asked = []
    real_refresh = projector.refresh
    projector.refresh = lambda: asked.append("count") or real_refresh()  # every count the projector asks for

    paper = PaperEntryWidget(db, runner, event_id, "Volunteer A")
    qtbot.addWidget(paper)
    paper.show()
    with qtbot.waitSignal(paper.loaded, timeout=TIMEOUT):
        paper.start()
    for second in (False, True):  # the same sheet keyed twice, by two people: counted when the keyings agree
        paper.keyer_edit.setText("Volunteer B" if second else "Volunteer A")
        paper.second_mode.setChecked(second)
        paper.sheet_edit.setText("1")
        paper.marks.line.setText("2 3")
        with qtbot.waitSignal(paper.refreshed, timeout=TIMEOUT):
            qtbot.keyClick(paper.marks.line, Qt.Key.Key_Return)
    assert "Sheet 1 is counted" in paper.outcome.text()

    qtbot.waitUntil(lambda: projector.results.tally.accepted == 1, timeout=TIMEOUT)
    assert asked  # it counted again because it was told, not because its hour was up
    assert "1 ballot counted (0 kiosk, 1 paper)" in projector.counted_label.text()
    assert {row.title: row.total_text for row in projector.chart.rows()}["Idea 2"] == "1 vote"
    qtbot.waitUntil(lambda: "Ballots counted 1 (0 spoilt)" in _summary(desk), timeout=TIMEOUT)
    assert desk.event_list.item(0).text().endswith("1 ballots")
    assert not projector.notice.isVisible() and not desk.notice.isVisible()


def test_a_ballot_cast_at_the_kiosk_shows_on_the_desk_and_the_hidden_projector(qtbot, db, runner, vote):
    event_id = _event(db, vote, hide_results=True)
    [code] = events.issue_codes(db, event_id, 1)
    projector = _projector(qtbot, db, runner, event_id)
    desk = _desk(qtbot, db, runner)
    assert projector.hidden and "0 ballots in so far" in projector.hidden_count.text()
    assert "Code cards 1 issued, 0 used" in _summary(desk)

    kiosk = KioskWindow(db, runner, event_id)
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    with qtbot.waitSignal(kiosk.ready, timeout=TIMEOUT):
        kiosk.start()
    qtbot.keyClicks(kiosk.code_edit, code)
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)
    qtbot.mouseClick(kiosk.cards[3].choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.review_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT):
        qtbot.mouseClick(kiosk.cast_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "1 ballot in so far (1 at the kiosk, 0 on paper)" in projector.hidden_count.text(),
                    timeout=TIMEOUT)
    assert projector.hidden and projector.chart.rows() == []  # still hidden: only the number of ballots in
    qtbot.waitUntil(lambda: "Code cards 1 issued, 1 used" in _summary(desk), timeout=TIMEOUT)
    assert "Ballots counted 1 (0 spoilt)" in _summary(desk) and desk.current.state == "voting"
    assert not desk.setup_button.isHidden()

    kiosk.idle_timer.stop()
    kiosk._may_close = True
    kiosk.close()
    QApplication.processEvents()


def test_confirming_on_the_desk_stops_keying_in_an_open_paper_window(qtbot, db, runner, vote, monkeypatch):
    event_id = _event(db, vote, hide_results=False)
    for code in events.issue_codes(db, event_id, 2):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[1]))
    events.close_voting(db, event_id)
    paper = PaperEntryWidget(db, runner, event_id, "Volunteer A")
    qtbot.addWidget(paper)
    paper.show()
    with qtbot.waitSignal(paper.loaded, timeout=TIMEOUT):
        paper.start()
    assert paper.key_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    desk = _desk(qtbot, db, runner)
    desk.confirm_button.click()
    qtbot.waitUntil(lambda: not paper.key_button.isEnabled(), timeout=TIMEOUT)
    assert "confirmed" in paper.outcome.text() and not paper.sheet_edit.isEnabled()
