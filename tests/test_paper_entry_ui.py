"""Counting paper ballots at the keyboard: every sheet keyed twice, mismatches resolved by an officer
after checking the paper, spoilt sheets with a reason, and paper and kiosk totals apart and together."""

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel

from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.voting.ballots import CastBallot
from ui.paper_entry import PaperEntryWidget

TIMEOUT = 10_000


@pytest.fixture
def vote(db):
    return build_vote_fund(db)  # four projects: £3,000, £2,000, £1,500, £1,000; budget £5,000


def make_event(db, vote, kind="approval", settings=None):
    return events.create_event(db, vote.fund_code, EventSettings(
        name="Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind=kind, ballot_settings=settings if settings is not None else {"max_choices": 2},
        rule="greedy", tie_break=("supporters", "cost", "lot"), tie_break_seed="festival", kiosk_pin="2468"))


def open_widget(qtbot, db, runner, event_id, who):
    widget = PaperEntryWidget(db, runner, event_id, who)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT):
        widget.start()
    return widget


def key_line(qtbot, widget, marks, sheet=None):
    """Key one sheet as a volunteer does: (the sheet number,) Enter, the numbers, Enter."""
    edit = widget.sheet_edit
    assert edit.hasFocus()  # after loading and after every keying the cursor is back on the sheet
    if sheet is not None:
        qtbot.keyClicks(edit, sheet)  # the pre-filled number is selected: typing replaces it
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert widget.marks.line.hasFocus()
    qtbot.keyClicks(widget.marks.line, marks)
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(widget.marks.line, Qt.Key.Key_Return)
    return widget.outcome.text()


def click_option(qtbot, radio):
    """Click a radio button on its circle, where a person clicks."""
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def key_spoilt(qtbot, widget, reason):
    qtbot.keySequence(widget.sheet_edit, "Ctrl+S")
    dialog = widget.spoilt_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason_combo.lineEdit(), reason)
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(dialog.reason_combo.lineEdit(), Qt.Key.Key_Return)
    return widget.outcome.text()


def test_sheets_keyed_twice_count_and_a_mismatch_is_resolved_through_the_dialog(qtbot, db, runner, vote):
    r = vote.references
    event_id = make_event(db, vote)
    for code, choice in zip(events.issue_codes(db, event_id, 2), (r[0], r[3]), strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", choice))

    first = open_widget(qtbot, db, runner, event_id, "Volunteer A")
    assert first.sheet_edit.text() == "1"
    assert "Idea 3" in first.findChild(QLabel, "ballotLegend").text()
    assert "keyed once" in key_line(qtbot, first, "1 2")
    assert first.sheet_edit.text() == "2"  # advanced, selected, ready for the next paper
    key_line(qtbot, first, "4")
    key_line(qtbot, first, "1, 3")
    assert "keyed once" in key_spoilt(qtbot, first, "voter wrote their name")
    assert first.progress_labels["waiting"].text() == "4"
    assert not first.marks.line.text()

    # A typing slip is caught before anything is stored.
    qtbot.keyClick(first.sheet_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(first.marks.line, "1 9")
    qtbot.keyClick(first.marks.line, Qt.Key.Key_Return)
    assert "“9” is not a project's number" in first.entry_error.text()
    assert events.paper_progress(db, event_id).keyed_once == ("1", "2", "3", "4")  # sheet 5 not stored
    first.marks.clear()

    first.close()  # the second volunteer keys on another laptop
    second = open_widget(qtbot, db, runner, event_id, "Volunteer B")
    qtbot.keySequence(second.sheet_edit, "Ctrl+K")
    assert second.second_mode.isChecked()
    assert [second.waiting_list.item(i).text() for i in range(second.waiting_list.count())] == ["1", "2", "3", "4"]
    assert second.sheet_edit.text() == "1" and second.marks.line.text() == ""  # never the first keying's marks
    assert "counted" in key_line(qtbot, second, "2 1")  # crosses in another order: the same ballot
    assert second.sheet_edit.text() == "2"  # the next sheet keyed once comes up by itself
    assert "differ" in key_line(qtbot, second, "3")
    assert "counted" in key_line(qtbot, second, "1 3")
    assert "spoilt" in key_spoilt(qtbot, second, "voter wrote their name")
    assert second.outcome.property("state") == "spoilt"

    progress = events.paper_progress(db, event_id)
    assert (progress.counted, progress.spoilt, progress.mismatches, progress.keyed_once) == (2, 1, 1, ())
    assert second.mismatch_model.rows == [("2", "4 · Idea 4", "Volunteer A", "3 · Idea 3", "Volunteer B")]

    view = second.mismatch_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(second.mismatch_model.index(0, 1)).center())
    assert view.hasFocus() and view.selectionModel().selectedRows()[0].row() == 0
    qtbot.keySequence(view, "Ctrl+R")
    dialog = second.resolve_dialog
    assert dialog is not None and dialog.keep1.isChecked() and not dialog.ok.isEnabled()  # a reason first
    qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT)
    assert dialog.reason_edit.hasFocus() and dialog.reason() == "checked the paper:"
    click_option(qtbot, dialog.keep2)
    dialog.reason_edit.setFocus()
    dialog.reason_edit.end(False)
    qtbot.keyClicks(dialog.reason_edit, "the cross is on idea 3")
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(second.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "counted after an officer resolved a mismatch (checked the paper: the cross is on idea 3)" \
        in second.outcome.text()
    assert events.paper_mismatches(db, event_id) == []
    assert second.mismatch_model.rowCount() == 0 and not second.resolve_button.isEnabled()

    results = events.event_results(db, event_id)
    assert (results.paper.cast, results.paper.accepted, results.paper.spoilt_count) == (4, 3, 1)
    assert (results.kiosk.cast, results.tally.cast) == (2, 6)
    assert [results.paper.project(x).total for x in r] == [2, 1, 2, 0]
    assert [results.tally.project(x).total for x in r] == [3, 1, 2, 1]
    assert "voter wrote their name" in results.spoilt_reasons
    totals = second.totals_label.text()
    assert "Kiosk</td><td align='right'><b>2</b>" in totals and "Paper</td><td align='right'><b>4</b>" in totals
    assert "<b>Combined</b></td><td align='right'><b>6</b>" in totals
    assert [row[2:] for row in second.totals_model.rows] == [("1", "2", "3"), ("0", "1", "1"), ("0", "2", "2"),
                                                            ("1", "0", "1")]
    assert [second.progress_labels[k].text() for k in ("counted", "spoilt", "mismatches", "waiting")] == \
        ["3", "1", "0", "0"]


def test_a_first_keying_of_a_sheet_already_keyed_once_is_refused_and_a_spoilt_reason_is_required(
        qtbot, db, runner, vote):
    event_id = make_event(db, vote)
    widget = open_widget(qtbot, db, runner, event_id, "Volunteer A")
    key_line(qtbot, widget, "2")
    widget.sheet_edit.selectAll()
    qtbot.keyClicks(widget.sheet_edit, "1")
    qtbot.keyClick(widget.sheet_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(widget.marks.line, "3")
    qtbot.keyClick(widget.marks.line, Qt.Key.Key_Return)
    assert "keyed once already" in widget.entry_error.text()
    assert events.paper_progress(db, event_id).keyed_once == ("1",)

    widget.marks.clear()
    widget._focus_first()
    qtbot.keyClicks(widget.sheet_edit, "7")
    qtbot.keySequence(widget.sheet_edit, "Ctrl+S")
    dialog = widget.spoilt_dialog
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()  # no reason, no spoilt ballot
    dialog.reason_combo.setCurrentIndex(0)  # a preset
    assert dialog.reason() == "unreadable" and ok.isEnabled()
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "Sheet 7 keyed once" in widget.outcome.text()
    assert widget.sheet_edit.text() == "8"
    assert events.paper_progress(db, event_id).keyed_once == ("1", "7")


def test_a_score_ballot_is_keyed_in_boxes_with_cant_judge_and_blanks(qtbot, db, runner, vote):
    r = vote.references
    event_id = make_event(db, vote, "score", {"low": 0, "high": 5, "cant_judge": True})
    widget = open_widget(qtbot, db, runner, event_id, "Volunteer A")
    assert widget.marks.line is None and len(widget.marks.spins) == 4
    for keying in (1, 2):  # keyed twice, "twice by one"
        qtbot.keyClick(widget.sheet_edit, Qt.Key.Key_Return)
        for text in ("4", "-", "", "2"):  # "-": can't judge; empty: not marked
            spin = QApplication.focusWidget()
            assert spin in widget.marks.spins
            if text:
                qtbot.keyClicks(spin, text)
            if spin is not widget.marks.spins[-1]:
                qtbot.keyClick(spin, Qt.Key.Key_Tab)
        assert [s.text() for s in widget.marks.spins] == ["4", "-", "", "2"]
        with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert all(s.text() == "" for s in widget.marks.spins)  # cleared for the next paper
        if keying == 1:
            assert "keyed once" in widget.outcome.text()
            widget.second_mode.setChecked(True)
            assert widget.sheet_edit.text() == "1"
    assert "Sheet 1 is counted" in widget.outcome.text()
    results = events.event_results(db, event_id)
    assert results.paper.accepted == 1 and results.kiosk.cast == 0
    assert results.tally.project(r[0]).total == 4 and results.tally.project(r[3]).total == 2
    assert results.tally.project(r[1]).cant_judge == 1 and results.tally.project(r[1]).judged == 0
    assert results.tally.project(r[2]).judged == 0 and results.tally.project(r[2]).cant_judge == 0
    assert [row[4] for row in widget.totals_model.rows] == ["4", "0", "0", "2"]


def test_a_mismatch_can_be_keyed_as_the_paper_reads_or_spoilt(qtbot, db, runner, vote):
    r = vote.references
    event_id = make_event(db, vote)
    for by, marks in (("A", ("1",)), ("B", ("2",))):
        events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", r[int(marks[0]) - 1]), entered_by=by)
        events.key_paper_ballot(db, event_id, "2", CastBallot.marked("", r[int(marks[0]) + 1]), entered_by=by)
    widget = open_widget(qtbot, db, runner, event_id, "Officer")
    assert [row[0] for row in widget.mismatch_model.rows] == ["1", "2"]

    dialog = widget.open_resolve()  # the first mismatch is chosen
    click_option(qtbot, dialog.as_read)
    assert dialog.marks.isEnabled()
    qtbot.keyClicks(dialog.marks.line, "2 1")
    qtbot.keyClick(dialog.marks.line, Qt.Key.Key_Return)
    assert "after “checked the paper:”" in dialog.error.text()  # no reason yet: nothing stored
    dialog.reason_edit.end(False)
    qtbot.keyClicks(dialog.reason_edit, "two crosses, on 1 and 2")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(dialog.marks.line, Qt.Key.Key_Return)
    assert "Sheet 1 is counted" in widget.outcome.text()

    dialog = widget.open_resolve()
    click_option(qtbot, dialog.spoilt)
    qtbot.keyClicks(dialog.spoilt_combo.lineEdit(), "torn in half")
    qtbot.keyClicks(dialog.reason_edit, "the paper is torn across the crosses")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    results = events.event_results(db, event_id)
    assert (results.paper.accepted, results.paper.spoilt_count) == (1, 1)
    assert results.paper.project(r[0]).total == 1 and results.paper.project(r[1]).total == 1
    assert results.spoilt_reasons == ("torn in half",)
