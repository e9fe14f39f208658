"""Panel scoring, driven as a panel's officer would: panellists score with the keyboard, declare
interests, the panel decides (with a reason when it goes against the scores) and the officer applies
the decisions to the applications."""

from fractions import Fraction

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from grantdesk.services import panels
from grantdesk.services.applications import list_application_rows
from grantdesk.services.common import fund_by_code
from grantdesk.services.decisions import add_panel
from ui.panel_scoring import PanelScoringWidget

TIMEOUT = 10_000


@pytest.fixture
def panel(db):
    vote = build_vote_fund(db, costs_pence=(300_000, 200_000, 150_000), budget_pence=400_000)
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, vote.fund_code)
        p = add_panel(uow.session, actor="Officer", fund_id=fund.id, round_id=vote.round_id, name="Leys Panel",
                      panellists=[("Shanice", "Leys"), ("Dave", "Leys"), ("Amina", "Northfield")])
        people = [x.id for x in p.panellists]
        uow.commit()
        panel_id = p.id
    benefit = panels.add_criterion(db, panel_id, "Benefit to local people", weight=2, low=0, high=5)
    plan = panels.add_criterion(db, panel_id, "A realistic plan", weight=1, low=0, high=5)
    return vote, panel_id, people, benefit, plan


def open_widget(qtbot, db, runner, panel_id):
    widget = PanelScoringWidget(db, runner, panel_id)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT):
        widget.start()
    return widget


def type_into_combo(qtbot, combo, text):
    """Keyboard search, as people choose from a list: a fresh search each time."""
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClicks(combo, text)


def choose_panellist(qtbot, widget, name):
    type_into_combo(qtbot, widget.panellist_combo, name)
    assert widget.panellist_combo.currentText().startswith(name)


def score_cell(qtbot, widget, app_id, crit_id, text):
    combo, _note = widget.cells[(app_id, crit_id)]
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        type_into_combo(qtbot, combo, text)


def click_option(qtbot, radio):
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def test_two_panellists_score_by_keyboard_with_notes_and_a_cant_judge(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    widget = open_widget(qtbot, db, runner, panel_id)
    assert widget.tabs.currentIndex() == 0
    assert [widget.panellist_combo.itemText(i) for i in range(3)] == ["Shanice (Leys)", "Dave (Leys)",
                                                                     "Amina (Northfield)"]
    combo, note = widget.cells[(app1, benefit)]
    assert [combo.itemText(i) for i in range(combo.count())] == ["– not scored", "0", "1", "2", "3", "4", "5",
                                                                 "Can't judge"]

    score_cell(qtbot, widget, app1, benefit, "4")
    note.setFocus()
    qtbot.keyClicks(note, "Lots of families asked for this")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(note, Qt.Key.Key_Tab)  # leaving the note saves it with the score
    score_cell(qtbot, widget, app1, plan, "3")
    score_cell(qtbot, widget, app2, benefit, "5")

    choose_panellist(qtbot, widget, "Dave")
    assert widget.cells[(app1, benefit)][0].currentText() == "– not scored"  # Dave's own sheet
    assert widget.cells[(app1, benefit)][1].text() == ""
    combo, note = widget.cells[(app1, benefit)]
    note.setFocus()
    qtbot.keyClicks(note, "I don't know the area well enough")
    qtbot.keyClick(note, Qt.Key.Key_Tab)
    assert "Choose a score" in widget.score_notice.text()  # a note waits for its score
    score_cell(qtbot, widget, app1, benefit, "C")  # can't judge, and the note goes with it
    score_cell(qtbot, widget, app2, benefit, "2")

    sheet = panels.score_sheet(db, panel_id)
    first = sheet.application(vote.references[0])
    assert {(s.panellist_id, s.criterion_id): (s.score, s.note) for s in first.scores} == {
        (shanice, benefit): (4, "Lots of families asked for this"), (shanice, plan): (3, ""),
        (dave, benefit): (None, "I don't know the area well enough")}
    assert first.means == {benefit: Fraction(4), plan: Fraction(3)} and first.weighted == 11
    assert sheet.application(vote.references[1]).weighted == 2 * Fraction(7, 2)
    assert widget.cells[(app1, benefit)][0].currentText() == "Can't judge"

    choose_panellist(qtbot, widget, "Shanice")
    assert widget.cells[(app1, benefit)][0].currentText() == "4"
    assert widget.cells[(app1, benefit)][1].text() == "Lots of families asked for this"

    qtbot.keySequence(widget, "Ctrl+2")
    assert widget.tabs.currentIndex() == 1
    rows = widget.results_model.rows
    assert [r[1] for r in rows] == [f"{vote.references[0]} · Idea 1", f"{vote.references[1]} · Idea 2",
                                    f"{vote.references[2]} · Idea 3"]
    assert rows[0][3] == "11 of 15" and rows[0][4:6] == ("4", "3") and rows[0][6] == "2"  # 2 scorers
    assert rows[0][8] == "Fund" and rows[1][8] == "Not funded" and rows[2][8] == "Not scored"
    assert widget.results_model.bars[0] == pytest.approx(11 / 15)


def test_a_panellist_who_declared_an_interest_cannot_score_that_application(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    panels.record_score(db, dave, app1, benefit, 5)
    widget = open_widget(qtbot, db, runner, panel_id)
    choose_panellist(qtbot, widget, "Dave")
    assert widget.cells[(app1, benefit)][0].currentText() == "5"

    qtbot.mouseClick(widget.interest_buttons[app1], Qt.MouseButton.LeftButton)
    dialog = widget.interest_dialog
    assert dialog is not None and dialog.intro.text().startswith("<b>Dave (Leys)</b> declares an interest")
    assert not dialog.ok.isEnabled()
    type_into_combo(qtbot, dialog.kind_combo, "Non")
    assert dialog.kind() == "non_registrable" and not dialog.ok.isEnabled()  # the nature is needed too
    dialog.nature_edit.setFocus()
    qtbot.keyClicks(dialog.nature_edit, "My daughter runs the group")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(dialog.nature_edit, Qt.Key.Key_Return)

    for crit in (benefit, plan):
        combo, note = widget.cells[(app1, crit)]
        assert not combo.isEnabled() and not note.isEnabled()
        assert note.text() == "Interest declared: Non-registrable interest: My daughter runs the group"
    assert widget.interest_labels[app1].text().startswith("Interest declared: Non-registrable interest")
    assert widget.cells[(app2, benefit)][0].isEnabled()

    with qtbot.waitSignal(widget.failed, timeout=TIMEOUT) as refused:
        widget.score(app1, benefit, 3)
    assert "My daughter runs the group" in refused.args[0] and "cannot score it" in refused.args[0]
    assert "My daughter runs the group" in widget.score_notice.text()
    row = panels.score_sheet(db, panel_id).application(vote.references[0])
    assert row.scores == () and dave in row.conflicted  # the earlier score no longer counts either

    choose_panellist(qtbot, widget, "Shanice")
    assert widget.cells[(app1, benefit)][0].isEnabled()
    qtbot.keySequence(widget, "Ctrl+2")
    model = widget.results_model
    [n] = [i for i, r in enumerate(model.rows) if r[1].startswith(vote.references[0])]
    conflicts = model.index(n, model.headers.index("Conflicts"))
    assert conflicts.data() == "Dave"
    assert conflicts.data(Qt.ItemDataRole.ToolTipRole) == "Dave: Non-registrable interest: My daughter runs the group"


def test_the_panel_decides_against_the_scores_with_a_reason_and_the_officer_applies_it(qtbot, db, runner, panel):
    vote, panel_id, people, benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    for person in people:
        panels.record_score(db, person, app1, benefit, 5)
        panels.record_score(db, person, app2, benefit, 3)
        panels.record_score(db, person, app3, benefit, 1)
    widget = open_widget(qtbot, db, runner, panel_id)
    qtbot.keySequence(widget, "Ctrl+3")
    assert widget.tabs.currentIndex() == 2 and not widget.apply_button.isEnabled()

    # Idea 3 ranks last and the scores do not fund it: funding part of it needs a reason.
    qtbot.mouseClick(widget.decide_buttons[app3], Qt.MouseButton.LeftButton)
    dialog = widget.decide_dialog
    assert dialog.decline.isChecked()  # the scores' suggestion is the starting point
    click_option(qtbot, dialog.fund)
    dialog.amount_edit.selectAll()
    qtbot.keyClicks(dialog.amount_edit, "£1,000")
    with qtbot.waitSignal(widget.failed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "rank VOT-2026-0003 3 of 3" in dialog.error.text() and "say why" in dialog.error.text()
    assert dialog.isVisible() and panels.score_sheet(db, panel_id).application(vote.references[2]).decision is None
    dialog.reason_edit.setFocus()
    qtbot.keyClicks(dialog.reason_edit, "The pitch showed young people leading it; the panel funded part of it")
    with qtbot.waitSignal(widget.decided, timeout=TIMEOUT) as decided:
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert decided.args[0].differs_from_scores
    qtbot.waitUntil(lambda: "differs from the scores" in widget.decision_labels[app3].text(), timeout=TIMEOUT)

    qtbot.mouseClick(widget.decide_buttons[app1], Qt.MouseButton.LeftButton)
    dialog = widget.decide_dialog
    assert dialog.fund.isChecked() and dialog.amount_edit.text() == "£3,000.00"
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # agrees with the scores: no reason needed
    qtbot.mouseClick(widget.decide_buttons[app2], Qt.MouseButton.LeftButton)
    dialog = widget.decide_dialog
    click_option(qtbot, dialog.defer)
    dialog.reason_edit.setFocus()
    qtbot.keyClicks(dialog.reason_edit, "Come back with a venue confirmed")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    widget.notes_edit.setFocus()
    qtbot.keyClicks(widget.notes_edit, "We talked longest about the youth project.")
    with qtbot.waitSignal(widget.notes_saved, timeout=TIMEOUT):
        qtbot.keySequence(widget.notes_edit, "Ctrl+S")

    sheet = panels.score_sheet(db, panel_id)
    assert sheet.notes == "We talked longest about the youth project."
    third = sheet.application(vote.references[2]).decision
    assert (third.outcome, third.amount_pence, third.differs_from_scores) == ("fund", 100_000, True)
    assert third.reason.startswith("The pitch showed young people")
    assert not sheet.application(vote.references[0]).decision.differs_from_scores
    assert widget.apply_button.isEnabled()

    qtbot.mouseClick(widget.apply_button, Qt.MouseButton.LeftButton)
    box = widget.confirm_box
    assert "Apply 3 decisions" in box.text() and "2 will be awarded, 0 declined and 1 deferred" in box.text()
    with qtbot.waitSignal(widget.applied, timeout=TIMEOUT) as applied:
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert set(applied.args[0].awarded) == {vote.references[0], vote.references[2]}
    after = {r.reference: r.status for r in list_application_rows(db, vote.fund_code)}
    assert after == {vote.references[0]: "awarded", vote.references[1]: "deferred", vote.references[2]: "awarded"}
    qtbot.waitUntil(lambda: not widget.apply_button.isEnabled(), timeout=TIMEOUT)
    assert "2 awarded" in widget.deliberation_notice.text()
    assert not widget.decide_buttons[app1].isEnabled()  # applied decisions are final
