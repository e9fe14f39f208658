"""The voting desk and the set-up dialog, driven through their widgets."""

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot
from ui.event_setup import EventSetupDialog
from ui.voting_desk import VotingDesk

TIMEOUT = 20_000


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


def open_desk(qtbot, db, runner, code="VOT"):
    desk = VotingDesk(db, runner, code)
    qtbot.addWidget(desk)
    desk.show()
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.start()
    return desk


def setup_dialog(qtbot, desk, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(getattr(desk, "setup_dialog", None), EventSetupDialog)
                    and desk.setup_dialog.isVisible(), timeout=TIMEOUT)
    return desk.setup_dialog


def test_a_vote_is_set_up_through_the_dialog(qtbot, db, runner, vote):
    desk = open_desk(qtbot, db, runner)
    assert desk.event_list.count() == 0 and not desk.kiosk_button.isEnabled()
    dialog = setup_dialog(qtbot, desk, desk.findChild(type(desk.setup_button), "newEventButton"))
    assert dialog.ballot_model.rowCount() == 4  # every shortlisted application of the round, ticked
    assert dialog.budget_edit.text() == "£5,000.00"
    qtbot.keyClicks(dialog.name_edit, "Estate summer vote")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("approval"))
    dialog._kind_pages["approval"]["max_choices"].setValue(2)
    dialog.ballot_model.item(3, 0).setCheckState(Qt.CheckState.Unchecked)  # leave the last one off the ballot
    qtbot.keyClicks(dialog.pin_edit, "1357")
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [summary] = events.list_events(db, "VOT")
    event = events.get_event(db, summary.id)
    assert (event.name, event.ballot_kind, event.ballot_settings["max_choices"]) == ("Estate summer vote", "approval", 2)
    assert [p.reference for p in event.projects] == vote.references[:3]
    assert events.check_kiosk_pin(db, event.id, "1357")
    assert desk.kiosk_button.isEnabled() and "Estate summer vote" in desk.summary.toPlainText()


def test_a_refused_set_up_keeps_the_dialog_open_with_the_reason(qtbot, db, runner, vote):
    desk = open_desk(qtbot, db, runner)
    dialog = setup_dialog(qtbot, desk, desk.findChild(type(desk.setup_button), "newEventButton"))
    qtbot.keyClicks(dialog.name_edit, "No PIN vote")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("ranked"))
    dialog.ballot_model.item(3, 0).setCheckState(Qt.CheckState.Unchecked)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT)
    assert desk.setup_dialog is dialog and dialog.isVisible()  # the same dialog, still open
    assert "PIN" in dialog.error_label.text()
    # everything the officer chose is still there to correct
    assert dialog.name_edit.text() == "No PIN vote" and dialog.kind_combo.currentData() == "ranked"
    assert dialog.ballot_model.item(3, 0).checkState() == Qt.CheckState.Unchecked
    assert events.list_events(db, "VOT") == []
    qtbot.keyClicks(dialog.pin_edit, "1357")  # given the PIN, Save works from the same dialog
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    [summary] = events.list_events(db, "VOT")
    assert summary.name == "No PIN vote" and events.get_event(db, summary.id).ballot_kind == "ranked"


def test_once_a_ballot_is_in_the_set_up_is_shown_locked(qtbot, db, runner, vote):
    event_id = events.create_event(db, "VOT", EventSettings(
        name="Locked vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="choose-one", rule="greedy", kiosk_pin="2468"))
    [code] = events.issue_codes(db, event_id, 1)
    events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))
    desk = open_desk(qtbot, db, runner)
    dialog = setup_dialog(qtbot, desk, desk.setup_button)
    assert dialog.locked and dialog.banner.isVisible() and "locked" in dialog.banner.text()
    assert not dialog.kind_combo.isEnabled() and not dialog.projects.isEnabled()
    dialog.close()


def test_close_and_confirm_from_the_desk_move_the_applications(qtbot, db, runner, vote, monkeypatch):
    event_id = events.create_event(db, "VOT", EventSettings(
        name="Quick vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="choose-one", rule="greedy", kiosk_pin="2468"))
    for code in events.issue_codes(db, event_id, 3):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[1]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    desk = open_desk(qtbot, db, runner)
    assert desk.close_button.isEnabled() and not desk.confirm_button.isEnabled()
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.close_button.click()
    qtbot.waitUntil(lambda: desk.confirm_button.isEnabled(), timeout=TIMEOUT)
    desk.confirm_button.click()
    qtbot.waitUntil(lambda: "Results confirmed" in desk.notice.text(), timeout=TIMEOUT)
    assert "1 applications awarded" in desk.notice.text() or "awarded" in desk.notice.text()
    assert events.get_event(db, event_id).state == "confirmed"


def test_the_main_window_opens_the_desk_for_the_chosen_fund(qtbot, sample_path):
    from helpers import opened_window

    window = opened_window(qtbot, sample_path, fund_code="BBL")
    desk = window.open_voting_desk()
    qtbot.waitUntil(lambda: desk.event_list.count() == 1 and desk.current is not None, timeout=TIMEOUT)
    assert "Leys Festival" in desk.summary.toPlainText() and desk.panel_list.count() == 1
    assert window.open_voting_desk() is desk  # one desk per fund
    desk.close()
    QApplication.processEvents()


def test_code_cards_that_cannot_be_drawn_leave_no_codes_and_say_why(qtbot, db, runner, vote, tmp_path, monkeypatch):
    import grantdesk.reports.ballot_cards as cards_module

    event_id = events.create_event(db, "VOT", EventSettings(
        name="Cards vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="choose-one", rule="greedy", kiosk_pin="2468"))
    desk = open_desk(qtbot, db, runner)
    real = cards_module.ballot_cards_pdf

    def disk_full(view, codes, path):
        path.write_bytes(b"%PDF half")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(cards_module, "ballot_cards_pdf", disk_full)
    desk.print_codes(4, tmp_path / "cards.pdf")
    qtbot.waitUntil(lambda: "No space left on device" in desk.notice.text(), timeout=TIMEOUT)
    assert events.event_codes(db, event_id) == [] and not (tmp_path / "cards.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    monkeypatch.setattr(cards_module, "ballot_cards_pdf", real)
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.print_codes(4, tmp_path / "cards.pdf")
    assert "Issued 4 code cards" in desk.notice.text() and (tmp_path / "cards.pdf").stat().st_size > 0
    assert len(events.event_codes(db, event_id)) == 4
    assert "4 issued, 0 used" in " ".join(desk.summary.toPlainText().split())


def test_confirming_a_vote_at_the_desk_updates_the_open_main_window_list(qtbot, db, vote, monkeypatch):
    """The desk has no wiring to the main window: the awards reach it as a broadcast change."""
    from helpers import opened_window

    from ui.models import ROW_ROLE

    event_id = events.create_event(db, "VOT", EventSettings(
        name="Quick vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="choose-one", rule="greedy", kiosk_pin="2468"))
    for code in events.issue_codes(db, event_id, 3):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[1]))
    events.close_voting(db, event_id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window = opened_window(qtbot, db.location.path, fund_code="VOT")

    def statuses():
        model = window.app_model
        return {model.index(r, 0).data(ROW_ROLE).reference: model.index(r, 0).data(ROW_ROLE).status
                for r in range(model.rowCount())}

    assert set(statuses().values()) == {"shortlisted"}
    desk = window.open_voting_desk()
    qtbot.waitUntil(lambda: desk.confirm_button.isEnabled(), timeout=TIMEOUT)
    desk.confirm_button.click()
    qtbot.waitUntil(lambda: statuses()[vote.references[1]] == "awarded", timeout=TIMEOUT)
    assert {s for ref, s in statuses().items() if ref != vote.references[1]} <= {"awarded", "declined"}
    desk.close()
    QApplication.processEvents()


def _quick_vote(db, vote, name="Quick vote", apps=None):
    return events.create_event(db, "VOT", EventSettings(
        name=name, round_id=vote.round_id, application_ids=tuple(apps or vote.application_ids),
        ballot_kind="choose-one", rule="greedy", kiosk_pin="2468"))


def test_one_vote_per_shortlist_at_a_time_in_the_service(db, vote):
    from grantdesk.domain.errors import ValidationError

    first = _quick_vote(db, vote, "Summer vote")
    # set up, not yet open: a second vote on the same applications is refused, naming the first
    with pytest.raises(ValidationError, match="“Summer vote” is being set up on the same shortlist"):
        _quick_vote(db, vote, "Autumn vote", vote.application_ids[1:])
    # open (a ballot in): still refused
    [code] = events.issue_codes(db, first, 1)
    events.cast_ballot(db, first, code, CastBallot.marked("", vote.references[0]))
    with pytest.raises(ValidationError, match="“Summer vote” is open for voting"):
        _quick_vote(db, vote, "Autumn vote")
    # once the first is closed, the shortlist may be put to a vote again
    events.close_voting(db, first)
    second = _quick_vote(db, vote, "Autumn vote")
    assert {e.name for e in events.list_events(db, "VOT")} == {"Summer vote", "Autumn vote"}
    # and changing the second's own set-up is not refused by itself
    events.update_event(db, second, events.get_event(db, second).settings())


def test_close_voting_only_while_voting_is_open(db, vote):
    from grantdesk.domain.errors import ValidationError

    event_id = _quick_vote(db, vote)
    with pytest.raises(ValidationError, match="still being set up"):
        events.close_voting(db, event_id)
    [code] = events.issue_codes(db, event_id, 1)
    events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))
    events.close_voting(db, event_id)
    with pytest.raises(ValidationError, match="closed already"):
        events.close_voting(db, event_id)


def test_the_desk_shows_a_second_vote_on_the_same_shortlist_refused(qtbot, db, runner, vote):
    _quick_vote(db, vote, "Summer vote")
    desk = open_desk(qtbot, db, runner)
    dialog = setup_dialog(qtbot, desk, desk.findChild(type(desk.setup_button), "newEventButton"))
    qtbot.keyClicks(dialog.name_edit, "Autumn vote")
    qtbot.keyClicks(dialog.pin_edit, "1357")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT)
    assert "“Summer vote” is being set up on the same shortlist" in dialog.error_label.text()
    assert [e.name for e in events.list_events(db, "VOT")] == ["Summer vote"]
    dialog.close()


def test_close_voting_is_offered_only_while_voting_is_open(qtbot, db, runner, vote, monkeypatch):
    event_id = _quick_vote(db, vote)
    desk = open_desk(qtbot, db, runner)
    assert desk.current.state == "setup" and not desk.close_button.isEnabled()
    [code] = events.issue_codes(db, event_id, 1)
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))
        desk.start()
    assert desk.current.state == "voting" and desk.close_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.close_button.click()
    qtbot.waitUntil(lambda: desk.current.state == "closed", timeout=TIMEOUT)
    assert not desk.close_button.isEnabled() and desk.confirm_button.isEnabled()
