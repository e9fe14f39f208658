"""Counting paper ballots at the keyboard: every sheet keyed twice, mismatches resolved by an officer
after checking the paper, spoilt sheets with a reason, and paper and kiosk totals apart and together."""

import json

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pypdf import PdfReader
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store.models import AuditEntry
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
    for keying in (1, 2):  # keyed twice, by two people taking turns at one laptop
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
            widget.keyer_edit.selectAll()
            qtbot.keyClicks(widget.keyer_edit, "Volunteer B")
            widget.second_mode.setChecked(True)
            assert widget.sheet_edit.text() == "1"
            widget.sheet_edit.setFocus()
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


# --- two keyers, spoilt at keying, the audit, blank ballots (issue 19) --------------------------------


def test_the_second_keying_by_the_first_keyer_is_refused_in_the_service(db, vote):
    r = vote.references
    event_id = make_event(db, vote)
    events.key_paper_ballot(db, event_id, "12", CastBallot.marked("", r[0]), entered_by="Priya Shah")
    for same in ("Priya Shah", "  priya   SHAH "):
        with pytest.raises(ValidationError) as refused:
            events.key_paper_ballot(db, event_id, "12", CastBallot.marked("", r[0]), entered_by=same)
        assert str(refused.value) == ("Sheet 12 was keyed first by Priya Shah; the second keying must be done by "
                                      "someone else, so one person's slip is caught by another.")
        assert refused.value.field == "entered_by"
    assert events.paper_progress(db, event_id).keyed_once == ("12",)  # nothing stored
    out = events.key_paper_ballot(db, event_id, "12", CastBallot.marked("", r[0]), entered_by="Tom Evans")
    assert out.state == "counted" and out.pass_no == 2


def test_the_window_shows_the_refusal_and_a_second_person_keys_on_the_same_laptop(qtbot, db, runner, vote):
    event_id = make_event(db, vote)
    widget = open_widget(qtbot, db, runner, event_id, "Priya Shah")
    assert widget.keyer_edit.text() == "Priya Shah" and widget.keyer_edit.accessibleName()
    key_line(qtbot, widget, "1 3", sheet="12")
    qtbot.keySequence(widget.sheet_edit, "Ctrl+K")
    assert widget.sheet_edit.text() == "12"
    widget.sheet_edit.setFocus()
    qtbot.keyClick(widget.sheet_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(widget.marks.line, "1 3")
    with qtbot.waitSignal(widget.failed, timeout=TIMEOUT):
        qtbot.keyClick(widget.marks.line, Qt.Key.Key_Return)
    assert widget.outcome.text() == ("Sheet 12 was keyed first by Priya Shah; the second keying must be done by "
                                     "someone else, so one person's slip is caught by another.")
    assert widget.outcome.property("state") == "error" and widget.keyer_edit.hasFocus()
    assert widget.marks.line.text() == "1 3"  # kept for the next person to check, not lost
    assert events.paper_progress(db, event_id).keyed_once == ("12",)

    qtbot.keyClicks(widget.keyer_edit, "Tom Evans")  # selected: typing replaces it
    widget.marks.line.setFocus()
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(widget.marks.line, Qt.Key.Key_Return)
    assert "Sheet 12 is counted" in widget.outcome.text()
    [keying1, keying2] = [e for e in audit_entries(db) if e.action == "event.paper_key"]
    assert (keying1.actor, keying2.actor) == ("Priya Shah", "Tom Evans")


def test_an_over_marked_sheet_is_spoilt_at_keying_with_the_rule_quoted(qtbot, db, runner, vote):
    event_id = make_event(db, vote)  # choose up to 2
    widget = open_widget(qtbot, db, runner, event_id, "Volunteer A")
    text = key_line(qtbot, widget, "1 2 3 4")
    assert text == ("Sheet 1 is spoilt as keyed: It approves 4 projects; each voter may approve at most 2. "
                    "Check the paper; it is counted as spoilt when the second keying agrees.")
    assert widget.outcome.property("state") == "spoilt"
    widget.keyer_edit.setText("Volunteer B")
    qtbot.keySequence(widget.sheet_edit, "Ctrl+K")
    widget.sheet_edit.setFocus()
    assert key_line(qtbot, widget, "4 3 2 1") == \
        "Sheet 1 is spoilt: It approves 4 projects; each voter may approve at most 2."
    assert widget.progress_labels["spoilt"].text() == "1" and widget.progress_labels["counted"].text() == "0"
    results = events.event_results(db, event_id)
    assert (results.paper.cast, results.paper.accepted, results.paper.spoilt_count) == (1, 0, 1)


@pytest.mark.parametrize(("kind", "settings", "marks", "rule"), [
    ("knapsack", {}, (0, 1, 2), "The projects it chooses cost £6,500.00 in all, more than the budget of £5,000.00"),
    ("cumulative", {"tokens": 5}, {0: 4, 1: 3}, "It spreads 7 tokens, but each voter has 5."),
    ("ranked", {"max_ranked": 2}, (3, 2, 1), "It ranks 3 projects; each voter may rank at most 2."),
])
def test_each_ballot_kind_spoils_at_keying_by_its_own_rule(db, vote, kind, settings, marks, rule):
    r = vote.references
    event_id = make_event(db, vote, kind, settings)
    ballot = CastBallot.scored("", {r[n]: v for n, v in marks.items()}) if isinstance(marks, dict) else \
        CastBallot.marked("", *(r[n] for n in marks))
    first = events.key_paper_ballot(db, event_id, "3", ballot, entered_by="A")
    assert first.state == "waiting" and first.spoilt_as_keyed and rule in first.message
    second = events.key_paper_ballot(db, event_id, "3", ballot, entered_by="B")
    assert second.state == "spoilt" and rule in second.reason


def audit_entries(db):
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("event.%")).order_by(AuditEntry.id)))


def test_keyings_resolutions_and_the_confirmation_are_audited_without_the_choices(db, vote):
    r = vote.references
    event_id = make_event(db, vote)
    events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", r[0], r[2]), entered_by="Priya Shah")
    events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", r[0], r[2]), entered_by="Tom Evans")
    events.key_paper_ballot(db, event_id, "2", CastBallot.marked("", r[1]), entered_by="Priya Shah")
    events.key_paper_ballot(db, event_id, "2", CastBallot.marked("", r[3]), entered_by="Tom Evans")
    events.key_paper_ballot(db, event_id, "3", CastBallot.marked("", *r), entered_by="Tom Evans")
    events.resolve_mismatch(db, event_id, "2", use=1, reason="checked the paper", actor="Officer Jones")
    events.key_paper_ballot(db, event_id, "3", CastBallot.marked("", *r), entered_by="Priya Shah")
    events.close_voting(db, event_id, actor="Officer Jones")
    events.confirm_results(db, event_id, actor="Officer Jones")

    entries = audit_entries(db)
    keyings = [(e.actor, e.after["sheet"], e.after["keying"], e.after["state"]) for e in entries
               if e.action == "event.paper_key"]
    assert keyings == [("Priya Shah", "1", 1, "waiting"), ("Tom Evans", "1", 2, "counted"),
                       ("Priya Shah", "2", 1, "waiting"), ("Tom Evans", "2", 2, "mismatch"),
                       ("Tom Evans", "3", 1, "spoilt as keyed"), ("Priya Shah", "3", 2, "spoilt")]
    [resolved] = [e for e in entries if e.action == "event.paper_resolve"]
    assert resolved.actor == "Officer Jones" and resolved.after["sheet"] == "2" and resolved.after["kept"] == 1
    assert "sheet 2" in resolved.summary
    [confirmed] = [e for e in entries if e.action == "event.confirm"]
    assert confirmed.actor == "Officer Jones"
    titles = [f"Idea {n}" for n in range(1, 5)]
    for e in entries:
        if e.action not in ("event.paper_key", "event.paper_resolve"):
            continue
        written = e.summary + json.dumps(e.after) + json.dumps(e.before)
        assert not any(x in written for x in (*r, *titles)), written  # never what a sheet marks
        assert "It approves" not in written  # nor the rule's words, which can name a project


def test_blank_ballots_are_printed_from_the_window_numbered_on(qtbot, db, runner, vote, tmp_path):
    event_id = make_event(db, vote)
    widget = open_widget(qtbot, db, runner, event_id, "Volunteer A")
    out = tmp_path / "paper.pdf"
    with qtbot.waitSignal(widget.printed, timeout=TIMEOUT):
        widget.print_ballots(count=3, path=out)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(out)).pages]
    assert len(pages) == 3 and "Sheet 3" in pages[2] and "Choose up to 2 projects." in pages[0]
    assert "1 Idea 1" in pages[0] and "4 Idea 4" in pages[0]
    assert "Saved 3 blank paper ballots, sheets 1 to 3" in widget.outcome.text()
    assert widget.print_button.isEnabled() and widget.print_button.accessibleName()
