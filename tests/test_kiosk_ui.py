"""The voting kiosk, driven as residents and officers use it: codes typed on the keyboard, projects
chosen with Space and clicks, the vote reviewed and cast; what was stored is read back through the
services (``event_results``, the PaBuLib export)."""

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from grantdesk.services import events
from grantdesk.services.attachments import add_attachment
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot
from grantdesk.voting.pabulib import read_pb
from ui.kiosk import IDLE_TIMEOUT_MS, KioskWindow, is_on
from ui.tasks import TaskRunner

TIMEOUT = 10_000
PIN = "2468"


@pytest.fixture
def vote(db):
    return build_vote_fund(db)  # Idea 1..4 costing £3,000, £2,000, £1,500 and £1,000; budget £5,000


@pytest.fixture
def runner():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def make_event(db, vote, kind, **ballot_settings) -> int:
    return events.create_event(db, "VOT", EventSettings(
        name="Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind=kind, ballot_settings=ballot_settings, rule="greedy", kiosk_pin=PIN))


@pytest.fixture
def open_kiosk(qtbot, db, runner):
    def opened(event_id: int) -> KioskWindow:
        kiosk = KioskWindow(db, runner, event_id)
        qtbot.addWidget(kiosk)
        kiosk.resize(1280, 800)
        kiosk.show()
        kiosk.activateWindow()
        qtbot.waitActive(kiosk)
        with qtbot.waitSignal(kiosk.ready, timeout=TIMEOUT):
            kiosk.start()
        assert kiosk.page == "start"
        return kiosk
    return opened


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


def type_code(qtbot, kiosk, code: str) -> None:
    """Type a code into the start page as a voter does (into the focused field), then Enter."""
    assert focused() is kiosk.code_edit
    kiosk.code_edit.selectAll()
    qtbot.keyClicks(kiosk.code_edit, code)
    press(qtbot, Qt.Key.Key_Return)


def enter_code(qtbot, kiosk, code: str) -> None:
    type_code(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def cast(qtbot, kiosk) -> str:
    assert kiosk.review_button.isEnabled(), kiosk.status_label.text()
    click(qtbot, kiosk.review_button)
    assert kiosk.page == "review"
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT) as cast_signal:
        click(qtbot, kiosk.cast_button)
    assert kiosk.page == "thanks"
    return cast_signal.args[0]


def card(kiosk, reference):
    return next(c for c in kiosk.cards if c.reference == reference)


# --- a whole vote, by keyboard --------------------------------------------------------------------


def test_a_whole_approval_vote_by_keyboard_alone(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code, _spare] = events.issue_codes(db, event_id, 2)
    kiosk = open_kiosk(event_id)
    assert kiosk.event_label.text() == "Leys Festival vote"
    assert [c.title for c in kiosk.cards] == ["Idea 1", "Idea 2", "Idea 3", "Idea 4"]
    assert kiosk.cards[0].amount_label.text() == "£3,000.00"

    enter_code(qtbot, kiosk, code.lower().replace("-", " "))  # small letters and a space work
    assert kiosk.instructions_label.text() == "Choose up to 2 projects."
    assert not kiosk.review_button.isEnabled()
    assert focused() is kiosk.cards[0].choose_button
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Down)  # the arrow keys go from card to card
    assert focused() is kiosk.cards[1].choose_button
    press(qtbot, Qt.Key.Key_Space)
    assert kiosk.cards[0].choose_button.isChecked() and kiosk.cards[1].choose_button.isChecked()
    assert kiosk.status_label.text().startswith("You have chosen 2 of up to 2.")
    assert kiosk.review_button.isEnabled()

    for _ in range(8):  # Tab on past the other cards to the Review button
        if focused() is kiosk.review_button:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is kiosk.review_button
    press(qtbot, Qt.Key.Key_Return)
    assert kiosk.page == "review"
    assert kiosk.review_lines() == ["You chose 2 projects:", "✓  Idea 1  (£3,000.00)", "✓  Idea 2  (£2,000.00)"]
    assert focused() is kiosk.cast_button
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT) as cast_signal:
        press(qtbot, Qt.Key.Key_Return)

    receipt = cast_signal.args[0]
    assert kiosk.page == "thanks"
    assert kiosk.receipt_label.text() == receipt and len(receipt) == 6
    assert kiosk.receipt_text.text() == "Your receipt number is"
    results = events.event_results(db, event_id)
    assert results.tally.accepted == 1
    assert [results.tally.project(r).supporters for r in vote.references] == [1, 1, 0, 0]
    assert events.get_event(db, event_id).codes_used == 1

    press(qtbot, Qt.Key.Key_Return)  # Done: ready for the next voter
    assert kiosk.page == "start"
    assert kiosk.code_edit.text() == "" and focused() is kiosk.code_edit
    assert kiosk.current_ballot().choices == ()
    assert not any(c.choose_button.isChecked() for c in kiosk.cards)


def test_the_thank_you_page_returns_to_the_start_by_itself(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "choose-one")
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    kiosk.thanks_timer.setInterval(50)
    enter_code(qtbot, kiosk, code)
    click(qtbot, kiosk.cards[0].choose_button)
    click(qtbot, kiosk.cards[2].choose_button)  # choose one: the second choice replaces the first
    assert kiosk.current_ballot().choices == (vote.references[2],)
    assert kiosk.status_label.text().startswith("You have chosen “Idea 3”.")
    click(qtbot, kiosk.review_button)
    with qtbot.waitSignal(kiosk.page_changed, timeout=TIMEOUT, check_params_cb=lambda page: page == "thanks"):
        click(qtbot, kiosk.cast_button)
    qtbot.waitUntil(lambda: kiosk.page == "start", timeout=TIMEOUT)  # nobody pressed anything
    assert kiosk.current_ballot().choices == ()
    assert events.event_results(db, event_id).tally.project(vote.references[2]).supporters == 1


# --- codes -----------------------------------------------------------------------------------------


def test_a_used_code_and_an_unknown_code_are_refused_with_a_message(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [used] = events.issue_codes(db, event_id, 1)
    events.cast_ballot(db, event_id, used, CastBallot.marked("", vote.references[0]))
    kiosk = open_kiosk(event_id)

    type_code(qtbot, kiosk, used)
    qtbot.waitUntil(lambda: "already been used" in kiosk.start_message.text(), timeout=TIMEOUT)
    assert kiosk.page == "start" and kiosk.start_message.isVisible()
    assert kiosk.start_message.property("state") == "problem"
    assert focused() is kiosk.code_edit

    type_code(qtbot, kiosk, "zzzz-zzzz")
    qtbot.waitUntil(lambda: "is not a code for this vote" in kiosk.start_message.text(), timeout=TIMEOUT)
    assert kiosk.start_message.text().startswith("“ZZZZ-ZZZZ” is not a code for this vote.")
    assert kiosk.page == "start"
    assert events.event_results(db, event_id).tally.cast == 1


def test_a_code_used_elsewhere_before_casting_is_shown_and_the_vote_not_lost_silently(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    click(qtbot, kiosk.cards[3].choose_button)
    click(qtbot, kiosk.review_button)
    events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))  # meanwhile, elsewhere
    click(qtbot, kiosk.cast_button)
    qtbot.waitUntil(lambda: kiosk.review_message.property("state") == "problem", timeout=TIMEOUT)
    assert kiosk.page == "review"
    assert "has not been cast" in kiosk.review_message.text()
    assert "already been used" in kiosk.review_message.text()
    assert kiosk.restart_button.isVisible() and not kiosk.cast_button.isEnabled()
    click(qtbot, kiosk.restart_button)
    assert kiosk.page == "start"
    assert events.event_results(db, event_id).tally.cast == 1


def test_a_closed_vote_refuses_codes(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code, other] = events.issue_codes(db, event_id, 2)
    events.cast_ballot(db, event_id, other, CastBallot.marked("", vote.references[0]))  # voting was open
    events.close_voting(db, event_id)
    kiosk = open_kiosk(event_id)
    type_code(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: "has closed" in kiosk.start_message.text(), timeout=TIMEOUT)
    assert kiosk.page == "start"


# --- checking the ballot as the voter goes ------------------------------------------------------


def test_a_ballot_with_too_many_choices_cannot_be_reviewed(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    assert kiosk.status_label.text() == "Nothing chosen yet. Choose up to 2 projects."
    for c in kiosk.cards[:3]:
        click(qtbot, c.choose_button)
    assert kiosk.status_label.property("state") == "problem"
    assert kiosk.status_label.text() == ("You have chosen 3 of up to 2. You have chosen 3 projects; "
                                         "you may choose at most 2.")
    assert not kiosk.review_button.isEnabled()
    click(qtbot, kiosk.review_button)
    assert kiosk.page == "ballot"

    click(qtbot, kiosk.cards[0].choose_button)  # take one back
    assert not kiosk.cards[0].choose_button.isChecked()
    assert kiosk.status_label.property("state") == "ready"
    assert kiosk.review_button.isEnabled()


def test_a_score_ballot_asks_for_every_project_and_takes_cant_judge(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "score", low=1, high=5, cant_judge=True, score_every_project=True)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    assert kiosk.instructions_label.text() == "Score every project from 1 to 5, or tick “can't judge”."
    first = kiosk.cards[0]
    assert sorted(first.score_buttons) == [1, 2, 3, 4, 5] and first.cant_judge_button is not None

    click(qtbot, first.score_buttons[4])
    assert first.score_buttons[4].isChecked()
    assert "every project must be scored from 1 to 5" in kiosk.status_label.text()
    assert "“Idea 2”, “Idea 3” and “Idea 4” have no score" in kiosk.status_label.text()
    assert not kiosk.review_button.isEnabled()

    click(qtbot, first.score_buttons[2])  # a different score replaces the first
    assert first.score_buttons[2].isChecked() and not first.score_buttons[4].isChecked()
    click(qtbot, kiosk.cards[1].score_buttons[5])
    kiosk.cards[2].score_buttons[3].setFocus()
    press(qtbot, Qt.Key.Key_Space)  # the keyboard scores too
    assert "“Idea 4” has no score" in kiosk.status_label.text()
    assert not kiosk.review_button.isEnabled()
    click(qtbot, kiosk.cards[3].cant_judge_button)
    assert kiosk.status_label.text().startswith("You have marked 4 of 4 projects (1 “can't judge”).")
    assert kiosk.review_button.isEnabled()

    cast(qtbot, kiosk)
    assert kiosk.current_ballot().choices == ()  # cleared for the next voter
    tally = events.event_results(db, event_id).tally
    refs = vote.references
    assert [tally.project(r).total for r in refs] == [2, 5, 3, 0]
    assert tally.project(refs[3]).cant_judge == 1 and tally.project(refs[3]).judged == 0


def test_cumulative_tokens_are_counted_down_and_capped(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "cumulative", tokens=10, max_per_project=6)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    first, second, third = kiosk.cards[:3]
    assert kiosk.status_label.text().startswith("No tokens placed yet: 10 tokens left.")
    assert not is_on(first.minus_button)

    assert focused() is first.plus_button  # the voter starts where there is something to do
    for _ in range(7):  # Space on + seven times: the seventh is over the cap of 6 on one project
        press(qtbot, Qt.Key.Key_Space)
    assert first.tokens_label.text() == "6 tokens"
    assert not is_on(first.plus_button)
    assert focused() is first.plus_button  # still here: the extra Space did nothing, to this card or the next
    assert kiosk.status_label.text().startswith("4 tokens left.")
    for _ in range(4):
        click(qtbot, second.plus_button)
    assert kiosk.status_label.text().startswith("0 tokens left.")
    assert not is_on(third.plus_button)  # no tokens left to give
    click(qtbot, second.minus_button)
    assert second.tokens_label.text() == "3 tokens"
    assert kiosk.status_label.text().startswith("1 token left.")
    assert is_on(third.plus_button)

    cast(qtbot, kiosk)
    tally = events.event_results(db, event_id).tally
    assert [tally.project(r).total for r in vote.references] == [6, 3, 0, 0]


def test_a_ranked_ballot_is_ordered_moved_and_cast_in_order(qtbot, db, vote, open_kiosk, tmp_path):
    event_id = make_event(db, vote, "ranked", max_ranked=3)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    refs = vote.references
    assert kiosk.ranking_panel.isVisible() and kiosk.ranking_empty.isVisible()
    for n in (2, 0, 3):
        click(qtbot, kiosk.cards[n].rank_button)
    assert kiosk.current_ballot().choices == (refs[2], refs[0], refs[3])
    assert [r.label.text() for r in kiosk.rank_rows if r.isVisible()] == ["1st  Idea 3", "2nd  Idea 1", "3rd  Idea 4"]
    assert card(kiosk, refs[3]).badge.text() == "✓  Your 3rd choice"

    kiosk.rank_rows[2].up.setFocus()  # move Idea 4 up twice with the keyboard; the focus follows it
    press(qtbot, Qt.Key.Key_Space)
    assert focused() is kiosk.rank_rows[1].up
    press(qtbot, Qt.Key.Key_Space)
    assert kiosk.current_ballot().choices == (refs[3], refs[2], refs[0])
    assert focused() is kiosk.rank_rows[0].up
    assert not is_on(kiosk.rank_rows[0].up) and not is_on(kiosk.rank_rows[2].down)
    press(qtbot, Qt.Key.Key_Space)  # once more at the top: nothing moves, nothing is removed
    assert kiosk.current_ballot().choices == (refs[3], refs[2], refs[0])

    click(qtbot, kiosk.cards[1].rank_button)  # a fourth is one too many
    assert kiosk.status_label.text().endswith("You have ranked 4 projects; you may rank at most 3.")
    assert not kiosk.review_button.isEnabled()
    click(qtbot, kiosk.rank_rows[1].remove)  # take Idea 3 out
    assert kiosk.current_ballot().choices == (refs[3], refs[0], refs[1])
    click(qtbot, kiosk.rank_rows[2].down)  # off at the bottom: nothing moves
    assert kiosk.current_ballot().choices == (refs[3], refs[0], refs[1])

    cast(qtbot, kiosk)
    assert kiosk.review_lines() == ["Your ranking, favourite first:"]  # cleared after casting
    election = read_pb(events.export_pabulib(db, event_id, tmp_path / "vote.pb"))
    assert [election.projects[i].id for i in election.ballots[0].projects] == [refs[3], refs[0], refs[1]]


def test_a_knapsack_ballot_shows_the_money_left_and_refuses_to_overspend(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "knapsack")
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    assert kiosk.instructions_label.text() == "Choose projects whose costs add up to no more than £5,000.00."
    assert kiosk.status_label.text().startswith("Nothing chosen yet: £5,000.00 to spend.")
    click(qtbot, kiosk.cards[0].choose_button)
    assert kiosk.status_label.text().startswith("£2,000.00 of £5,000.00 left.")
    click(qtbot, kiosk.cards[2].choose_button)
    assert kiosk.status_label.text().startswith("£500.00 of £5,000.00 left.")
    click(qtbot, kiosk.cards[3].choose_button)
    assert kiosk.status_label.text().startswith("Your choices cost £5,500.00: £500.00 over the budget.")
    assert "The projects you have chosen cost" in kiosk.status_label.text()
    assert not kiosk.review_button.isEnabled()
    click(qtbot, kiosk.cards[3].choose_button)
    assert kiosk.review_button.isEnabled()

    click(qtbot, kiosk.review_button)
    assert kiosk.review_lines()[-1] == "Together £4,500.00 of the £5,000.00."
    click(qtbot, kiosk.change_button)  # back to the ballot with the choices kept
    assert kiosk.page == "ballot" and kiosk.current_ballot().choices == (vote.references[0], vote.references[2])
    cast(qtbot, kiosk)
    tally = events.event_results(db, event_id).tally
    assert [tally.project(r).supporters for r in vote.references] == [1, 0, 1, 0]


def test_a_project_photo_is_shown_on_its_card(qtbot, db, vote, open_kiosk):
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("#15803d"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    add_attachment(db, vote.application_ids[1], "park.png", bytes(buffer.data()), kind="photo")
    kiosk = open_kiosk(make_event(db, vote, "approval", max_choices=2))
    with_photo, without = kiosk.cards[1], kiosk.cards[0]
    assert with_photo.photo.isVisibleTo(with_photo) and not with_photo.photo.pixmap().isNull()
    assert with_photo.photo.pixmap().width() <= 220 and with_photo.photo.pixmap().height() <= 165
    assert not without.photo.isVisibleTo(without)


# --- walking away and starting again -------------------------------------------------------------


def test_escape_on_the_ballot_asks_then_goes_back_to_the_start(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Escape)
    assert kiosk.confirm_bar.isVisible() and focused() is kiosk.keep_voting_button
    press(qtbot, Qt.Key.Key_Return)  # "No, keep voting"
    assert kiosk.page == "ballot" and not kiosk.confirm_bar.isVisible()
    assert kiosk.current_ballot().choices == (vote.references[0],)

    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is kiosk.clear_button
    press(qtbot, Qt.Key.Key_Space)  # "Yes, start again"
    assert kiosk.page == "start" and kiosk.current_ballot().choices == ()
    enter_code(qtbot, kiosk, code)  # the code was not used up
    assert not kiosk.cards[0].choose_button.isChecked()


def test_an_idle_kiosk_returns_to_the_start_with_the_ballot_cleared(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    assert kiosk.idle_timer.interval() == IDLE_TIMEOUT_MS == 120_000
    kiosk.idle_timer.setInterval(300)
    enter_code(qtbot, kiosk, code)
    click(qtbot, kiosk.cards[1].choose_button)
    click(qtbot, kiosk.review_button)
    assert kiosk.page == "review"
    qtbot.waitUntil(lambda: kiosk.page == "start", timeout=TIMEOUT)
    assert kiosk.current_ballot().choices == ()
    assert not kiosk.cards[1].choose_button.isChecked()
    assert kiosk.code_edit.text() == ""
    assert events.check_code(db, event_id, code)  # nothing was cast
    assert events.event_results(db, event_id).tally.cast == 0


# --- leaving kiosk mode ---------------------------------------------------------------------------


def test_leaving_the_kiosk_needs_the_officers_pin(qtbot, db, vote, open_kiosk):
    kiosk = open_kiosk(make_event(db, vote, "approval", max_choices=2))
    press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = kiosk.pin_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.pin_edit.echoMode() == dialog.pin_edit.EchoMode.Password
    qtbot.keyClicks(dialog.pin_edit, "1111")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in dialog.message.text(), timeout=TIMEOUT)
    assert kiosk.isVisible() and dialog.isVisible()

    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Escape)  # changed their mind: the kiosk stays
    assert not dialog.isVisible() and kiosk.isVisible()

    click(qtbot, kiosk.officer_button)
    assert dialog.isVisible() and dialog.pin_edit.text() == ""
    qtbot.keyClicks(dialog.pin_edit, PIN)
    with qtbot.waitSignal(kiosk.left, timeout=TIMEOUT):
        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert not kiosk.isVisible()


def test_closing_the_kiosk_without_the_pin_is_refused(qtbot, db, vote, open_kiosk):
    kiosk = open_kiosk(make_event(db, vote, "approval", max_choices=2))
    kiosk.show_kiosk()
    assert kiosk.windowState() & Qt.WindowState.WindowFullScreen
    assert kiosk.close() is False  # Alt+F4 and the window's close button come here
    assert kiosk.isVisible()
    assert kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible()


# --- what the kiosk says about a ballot's problems, chosen from the data --------------------------------


def test_the_kiosk_speaks_to_the_voter_about_every_problem_from_the_count_s_data():
    """Every problem the count can find, said to a voter: "you", titles as on the cards, the count's
    numbers — never the count's sentences rewritten (the kiosk has no regular expressions over them)."""
    from test_ballots import EVERY_PROBLEM

    from grantdesk.voting.ballots import ballot_problems, problem_words
    from ui.kiosk_words import voter_words

    said = {}
    for rules, ballot, _expected in EVERY_PROBLEM:
        for problem in ballot_problems(rules, ballot):
            words = voter_words(problem)
            assert words and not words.startswith("It ") and "each voter" not in words, words
            assert "(P1)" not in words and "'Park benches'" not in words  # not the count's labels
            assert words != problem_words(problem)
            said[problem.code, problem.kind] = words
    assert said["too_many", "approval"] == "You have chosen 3 projects; you may choose at most 2."
    assert said["too_few", "approval"] == "You have chosen 1 project; choose at least 2."
    assert said["none_chosen", "approval"] == "Choose at least one project."
    assert said["not_exactly", "ranked"] == "You have ranked 2 projects; you must rank exactly 3."
    assert said["too_few", "ranked"] == "You have ranked 1 project; you must rank at least 2."
    assert said["marked_twice", "ranked"] == ("Your vote ranks “Park benches” 2 times (1st and 3rd); rank each "
                                              "project once.")
    assert said["category_over", "approval"] == ("You have chosen 2 large projects (“Library garden” and “Pool "
                                                 "changing rooms”); you may choose at most 1 large project.")
    assert said["unscored", "score"] == ("“Mural” and “Pool changing rooms” have no score; every project must "
                                         "be scored from 1 to 5 or marked “can't judge”.")
    assert said["tokens_over", "cumulative"] == "You have placed 12 tokens, but you have 10."
    assert said["tokens_unused", "cumulative"] == "You have placed 4 of the 10 tokens; every token must be used."
    assert said["over_budget", "knapsack"] == ("The projects you have chosen cost £52,000.00 in all, more than the "
                                               "budget of £50,000.00; the chosen projects must fit within the budget.")


def test_a_ballot_refused_when_cast_is_explained_to_the_voter_from_the_problems(qtbot, db, vote, open_kiosk):
    """The kiosk never offers a ballot that breaks the rules, so here it is handed the rejection the
    service would raise for one; what it says comes from the rejection's problems."""
    from grantdesk.voting.ballots import BallotRejected, ballot_problems

    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    enter_code(qtbot, kiosk, code)
    click(qtbot, kiosk.cards[0].choose_button)
    click(qtbot, kiosk.review_button)
    rules = kiosk.view.rules
    refused = BallotRejected(ballot_problems(rules, CastBallot.marked("kiosk", *vote.references[:3])))
    kiosk._cast_failed(refused)
    assert kiosk.review_message.text() == ("Your vote has not been cast: You have chosen 3 projects; you may choose "
                                           "at most 2. Please change your vote.")
    assert kiosk.change_button.isEnabled()


# --- a touch screen alone: the keypad; the PIN's slow-down; messages never cut off ----------------


def test_a_code_tapped_on_the_keypad_casts_a_ballot_with_no_keyboard(qtbot, db, vote, open_kiosk):
    event_id = make_event(db, vote, "approval", max_choices=2)
    [code] = events.issue_codes(db, event_id, 1)  # formatted, "K7M2-Q9XH"
    kiosk = open_kiosk(event_id)
    assert set(kiosk.keypad.keys) == set(events.CODE_ALPHABET)  # the keys the codes are made of
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in kiosk.keypad.keys.values())
    assert all(b.height() >= 60 and b.width() >= 48 for b in kiosk.keypad.keys.values())  # big touch targets
    wrong = next(ch for ch in events.CODE_ALPHABET if ch != code[0])
    click(qtbot, kiosk.keypad.keys[wrong])
    click(qtbot, kiosk.keypad.delete_button)
    for ch in code.replace("-", ""):
        click(qtbot, kiosk.keypad.keys[ch])
    assert kiosk.code_edit.text() == code.replace("-", "")
    click(qtbot, kiosk.start_button)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)
    click(qtbot, card(kiosk, vote.references[2]).choose_button)
    cast(qtbot, kiosk)
    assert events.event_results(db, event_id).kiosk.accepted == 1
    # the keyboard still types into the same field
    click(qtbot, kiosk.done_button)
    qtbot.waitUntil(lambda: kiosk.page == "start", timeout=TIMEOUT)
    click(qtbot, kiosk.keypad.keys["A"])
    qtbot.keyClicks(kiosk.code_edit, "b")
    assert kiosk.code_edit.text() == "AB"
    click(qtbot, kiosk.keypad.clear_button)
    assert kiosk.code_edit.text() == ""


def test_wrong_pins_slow_the_next_try_down_with_a_countdown(qtbot, db, vote):
    runner = TaskRunner()
    now = [1_000.0]
    kiosk = KioskWindow(db, runner, make_event(db, vote, "approval", max_choices=2), clock=lambda: now[0])
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    with qtbot.waitSignal(kiosk.ready, timeout=TIMEOUT):
        kiosk.start()
    click(qtbot, kiosk.officer_button)
    dialog = kiosk.pin_dialog
    tries = []
    dialog.submitted.connect(tries.append)

    def wrong(expect: str) -> None:
        failures = kiosk.pin_throttle.failures
        dialog.pin_edit.setText("1111")
        click(qtbot, dialog.leave_button)
        qtbot.waitUntil(lambda: kiosk.pin_throttle.failures == failures + 1, timeout=TIMEOUT)
        assert expect in dialog.message.text()

    wrong("not right. The kiosk stays open.")
    wrong("not right. The kiosk stays open.")
    wrong("Try again in 5 seconds.")  # the third wrong PIN: a wait, counted down
    assert not dialog.leave_button.isEnabled() and dialog.countdown.isActive()
    now[0] += 2
    dialog.tick()
    assert "Try again in 3 seconds." in dialog.message.text()
    before = len(tries)
    dialog.pin_edit.setText(PIN)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)  # Enter during the wait: not even checked
    assert len(tries) == before and kiosk.isVisible()
    now[0] += 3
    dialog.tick()
    assert "try again now" in dialog.message.text() and dialog.leave_button.isEnabled()
    assert not dialog.countdown.isActive()
    wrong("Try again in 10 seconds.")  # doubling
    # closing and opening the dialog again does not reset the wait
    dialog.reject()
    click(qtbot, kiosk.officer_button)
    assert "Try again in 10 seconds." in dialog.message.text() and not dialog.leave_button.isEnabled()
    now[0] += 10
    dialog.tick()
    dialog.pin_edit.setText(PIN)
    with qtbot.waitSignal(kiosk.left, timeout=TIMEOUT):
        click(qtbot, dialog.leave_button)
    assert kiosk.pin_throttle.failures == 0 and not dialog.countdown.isActive()
    runner.shutdown()


def _cut_labels(window) -> list[str]:
    """Visible labels whose text does not fit them: not wrapped and wider than the label, or wrapped
    and shorter than their lines need."""
    from PySide6.QtWidgets import QLabel

    cut = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text():
            continue
        if label.wordWrap():
            if label.height() < label.heightForWidth(label.width()):
                cut.append(label.text())
        elif label.sizeHint().width() > label.width() + 1:
            cut.append(label.text())
    return cut


@pytest.mark.parametrize("size", [(800, 1280), (1280, 800)])
def test_no_kiosk_message_is_cut_off(qtbot, db, vote, open_kiosk, size):
    kiosk = open_kiosk(make_event(db, vote, "approval", max_choices=2))
    kiosk.resize(*size)
    qtbot.waitUntil(lambda: kiosk.size().width() == size[0], timeout=TIMEOUT)
    assert kiosk.minimumSizeHint().width() <= size[0]
    assert all(label.wordWrap() for label in (kiosk.start_message, kiosk.review_message, kiosk.status_label))
    type_code(qtbot, kiosk, "ZZZZ-ZZZZ")  # refused: a long message on the start page
    qtbot.waitUntil(lambda: "not a code for this vote" in kiosk.start_message.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    assert kiosk.start_message.geometry().bottom() <= kiosk.start_page.height()
    [code] = events.issue_codes(db, kiosk.event_id, 1)
    enter_code(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    for ref in vote.references[:3]:  # three chosen of "up to 2": the status line says what is wrong
        click(qtbot, card(kiosk, ref).choose_button)
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    kiosk.ask_start_again()
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    # the wrong-PIN message, in full
    kiosk.ask_pin()
    dialog = kiosk.pin_dialog
    for _ in range(4):
        dialog.wrong_pin()
    qtbot.waitUntil(lambda: not _cut_labels(dialog), timeout=TIMEOUT)
    assert dialog.message.wordWrap() and "Try again in" in dialog.message.text()
    assert dialog.width() <= size[0]
    dialog.reject()
