"""A whole community vote, as an officer and residents run it, through the real windows: set it up,
print the code cards, vote at the kiosk (a reused code and an invalid ballot refused), key paper
ballots twice with a mismatch resolved, reveal the result on the projector, close, confirm, print the
results sheet and export the ballots."""

from pathlib import Path

from helpers import build_vote_fund
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from grantdesk.services import events
from grantdesk.services.applications import list_application_rows
from grantdesk.voting.pabulib import read_pb
from grantdesk.voting.rules import counting_from_meta, run_rule
from ui.voting_desk import VotingDesk

TIMEOUT = 20_000
PIN = "8642"


def kiosk_vote(qtbot, kiosk, code, *titles):
    """A resident types their code, chooses by clicking, reviews and casts; returns the receipt."""
    kiosk.code_edit.setFocus()
    qtbot.keyClicks(kiosk.code_edit, code)
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)
    for title in titles:
        card = next(c for c in kiosk.cards if c.title == title)
        qtbot.mouseClick(card.choose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.review_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT) as cast:
        qtbot.mouseClick(kiosk.cast_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(kiosk, Qt.Key.Key_Return)  # "Done": back to the start for the next voter
    qtbot.waitUntil(lambda: kiosk.page == "start", timeout=TIMEOUT)
    return cast.args[0]


def key_sheet(qtbot, paper, marks):
    paper.sheet_edit.setFocus()
    qtbot.keyClick(paper.sheet_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(paper.marks.line, marks)
    with qtbot.waitSignal(paper.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(paper.marks.line, Qt.Key.Key_Return)
    return paper.outcome.text()


def test_a_whole_community_vote(qtbot, db, runner, tmp_path, monkeypatch):
    vote = build_vote_fund(db)  # Idea 1–4: £3,000, £2,000, £1,500, £1,000; pot £5,000
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    desk = VotingDesk(db, runner, "VOT")
    qtbot.addWidget(desk)
    desk.show()
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.start()

    # 1. Set it up: approve up to 2, greedy, results hidden until revealed.
    qtbot.keyClick(desk, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(desk, "setup_dialog", None) is not None and desk.setup_dialog.isVisible(),
                    timeout=TIMEOUT)
    setup = desk.setup_dialog
    qtbot.keyClicks(setup.name_edit, "Estate summer vote")
    setup._kind_pages["approval"]["max_choices"].setValue(2)
    qtbot.keyClicks(setup.pin_edit, PIN)
    assert setup.hide_check.isChecked()
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(setup.buttons.button(setup.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    [summary] = events.list_events(db, "VOT")
    event_id = summary.id
    assert desk.current.id == event_id and desk.current.state == "setup"

    # 2. Print six code cards.
    cards = tmp_path / "cards.pdf"
    desk.print_codes(6, cards)
    qtbot.waitUntil(lambda: "Issued 6 code cards" in desk.notice.text(), timeout=TIMEOUT)
    codes = events.event_codes(db, event_id)
    assert len(codes) == 6
    text = "".join(page.extract_text() for page in PdfReader(cards).pages)
    assert all(code in text for code in codes)

    # 3. Vote at the kiosk.
    kiosk = desk.open_kiosk(full_screen=False)
    qtbot.waitUntil(lambda: kiosk.page == "start" and bool(kiosk.cards), timeout=TIMEOUT)
    receipts = [kiosk_vote(qtbot, kiosk, codes[0], "Idea 1", "Idea 2"),
                kiosk_vote(qtbot, kiosk, codes[1], "Idea 1", "Idea 3"),
                kiosk_vote(qtbot, kiosk, codes[2], "Idea 3")]
    assert len(set(receipts)) == 3
    # A reused code is refused with a message …
    kiosk.code_edit.setFocus()
    qtbot.keyClicks(kiosk.code_edit, codes[0])
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "already been used" in kiosk.start_message.text(), timeout=TIMEOUT)
    assert kiosk.page == "start"
    # … and a ballot with three choices where two are allowed cannot be cast.
    kiosk.code_edit.selectAll()
    qtbot.keyClicks(kiosk.code_edit, codes[3])
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)
    for card in kiosk.cards[:3]:
        qtbot.mouseClick(card.choose_button, Qt.MouseButton.LeftButton)
    assert not kiosk.review_button.isEnabled() and "at most 2" in kiosk.status_label.text()
    qtbot.mouseClick(kiosk.cards[2].choose_button, Qt.MouseButton.LeftButton)  # the voter takes one back
    qtbot.mouseClick(kiosk.review_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT) as cast:
        qtbot.mouseClick(kiosk.cast_button, Qt.MouseButton.LeftButton)
    kiosk_vote_receipt = cast.args[0]
    assert kiosk_vote_receipt
    # The officer leaves kiosk mode with the PIN.
    qtbot.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible(), timeout=TIMEOUT)
    qtbot.keyClicks(kiosk.pin_dialog.pin_edit, PIN)
    with qtbot.waitSignal(kiosk.left, timeout=TIMEOUT):
        qtbot.keyClick(kiosk.pin_dialog.pin_edit, Qt.Key.Key_Return)
    assert events.event_results(db, event_id).kiosk.accepted == 4

    # 4. Paper ballots, each keyed twice; sheet 2's keyings differ and an officer resolves it.
    paper = desk.open_paper_entry()
    qtbot.waitUntil(lambda: paper.sheet_edit.text() == "1", timeout=TIMEOUT)
    assert "keyed once" in key_sheet(qtbot, paper, "2")
    assert "keyed once" in key_sheet(qtbot, paper, "4")
    paper.keyer_edit.selectAll()  # a second volunteer takes the keyboard: each sheet is keyed by two people
    qtbot.keyClicks(paper.keyer_edit, "Second Volunteer")
    qtbot.keySequence(paper.sheet_edit, "Ctrl+K")  # second keying
    qtbot.waitUntil(lambda: paper.second_mode.isChecked() and paper.sheet_edit.text() == "1", timeout=TIMEOUT)
    assert "counted" in key_sheet(qtbot, paper, "2")
    assert "differ" in key_sheet(qtbot, paper, "3")
    qtbot.waitUntil(lambda: paper.mismatch_model.rowCount() == 1, timeout=TIMEOUT)
    view = paper.mismatch_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(paper.mismatch_model.index(0, 1)).center())
    qtbot.keySequence(view, "Ctrl+R")
    dialog = paper.resolve_dialog
    qtbot.mouseClick(dialog.keep1, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.keep1.height() // 2))
    dialog.reason_edit.setFocus()
    dialog.reason_edit.end(False)
    qtbot.keyClicks(dialog.reason_edit, " the cross is on idea 4")
    with qtbot.waitSignal(paper.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert events.paper_mismatches(db, event_id) == []
    paper.close()

    # 5. The projector: hidden until the officer reveals it.
    screen = desk.open_results()
    qtbot.waitUntil(lambda: screen.results is not None and screen.hidden, timeout=TIMEOUT)
    assert screen.chart.rows() == []  # no totals while hidden
    with qtbot.waitSignal(screen.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(screen, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not screen.hidden and bool(screen.chart.rows()), timeout=TIMEOUT)
    # Kiosk: {1, 2}, {1, 3}, {3}, {1, 2}; paper: {2}, {4}. Idea 1 and Idea 2 tie on 3 votes and 3
    # supporters; the lower cost puts Idea 2 (£2,000) first, then Idea 1 (£3,000) takes the rest of the pot.
    results = events.event_results(db, event_id)
    r = vote.references
    assert [results.tally.project(x).total for x in r] == [3, 3, 2, 1]
    assert results.allocation.selected == (r[1], r[0])
    assert any(step.kind == "tie" for step in results.allocation.explanation)
    assert [row.funded for row in screen.chart.rows()] == [p.funded for p in results.projects]
    screen.close()

    # 6. Close voting, confirm; the applications move.
    with qtbot.waitSignal(desk.loaded, timeout=TIMEOUT):
        desk.close_button.click()
    qtbot.waitUntil(lambda: desk.confirm_button.isEnabled(), timeout=TIMEOUT)
    desk.confirm_button.click()
    qtbot.waitUntil(lambda: "Results confirmed" in desk.notice.text(), timeout=TIMEOUT)
    statuses = {row.reference: row.status for row in list_application_rows(db, "VOT")}
    assert statuses == {r[0]: "awarded", r[1]: "awarded", r[2]: "declined", r[3]: "declined"}

    # 7. The results sheet and the research export.
    sheet, pb = tmp_path / "results.pdf", tmp_path / "vote.pb"
    desk.save_results_sheet(sheet)
    desk.export_pabulib(pb)
    qtbot.waitUntil(lambda: sheet.exists() and pb.exists() and not runner.busy, timeout=TIMEOUT)
    text = "".join(page.extract_text() for page in PdfReader(sheet).pages)
    assert "Estate summer vote" in text and "lower cost" in text and all(x in text for x in r)
    election = read_pb(pb)
    tie_break, options = counting_from_meta(election, "greedy")
    assert run_rule(election, "greedy", tie_break, **options).selected == results.allocation.selected
    desk.close()
    QApplication.processEvents()
    assert Path(cards).stat().st_size > 0
