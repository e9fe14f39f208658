"""Panel scoring, driven as a panel's officer would: panellists score with the keyboard in the score
table, declare interests, the panel decides (with a reason when it goes against the scores) and the
officer applies the decisions to the applications."""

from fractions import Fraction

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from grantdesk.services import panels
from grantdesk.services.applications import list_application_rows
from grantdesk.services.common import fund_by_code
from grantdesk.services.decisions import add_panel
from ui.panel_models import BAR_ROLE, CANT, DETAIL_ROLE, NOTE_ROLE, SCORE_ROLE
from ui.panel_scoring import NOT_TAKEN_AWAY, NOTE_WAITS, PanelScoringWidget

TIMEOUT = 10_000


@pytest.fixture
def panel(db):
    return make_panel(db)


def make_panel(db):
    """Three shortlisted applications (£3,000, £2,000, £1,500; budget £4,000), a panel of three and
    two criteria (benefit ×2, plan ×1, both 0 to 5)."""
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
    if not combo.isActiveWindow():
        combo.window().activateWindow()
        qtbot.waitUntil(combo.isActiveWindow, timeout=TIMEOUT)
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClicks(combo, text)


def choose_panellist(qtbot, widget, name):
    type_into_combo(qtbot, widget.panellist_combo, name)
    assert widget.panellist_combo.currentText().startswith(name)


def go_to_cell(qtbot, widget, app_id, crit_id):
    """Put the keyboard on a score cell, as arrow keys and clicks would."""
    view = widget.score_view
    if not widget.isActiveWindow():  # another window is in front: bring this one forward first
        widget.activateWindow()
        qtbot.waitUntil(widget.isActiveWindow, timeout=TIMEOUT)
    view.setFocus()
    index = widget.score_model.index_of(app_id, crit_id)
    view.setCurrentIndex(index)
    assert view.hasFocus() and view.currentIndex() == index
    return index


def cell_value(widget, app_id, crit_id, role=Qt.ItemDataRole.DisplayRole):
    return widget.score_model.index_of(app_id, crit_id).data(role)


def score_cell(qtbot, widget, app_id, crit_id, text, *, key=Qt.Key.Key_Return):
    """Type a score into a cell of the table: the first key opens the cell's editor, the rest go to
    the editor, and Enter (or Tab) keeps it."""
    go_to_cell(qtbot, widget, app_id, crit_id)
    view = widget.score_view
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClick(view, text[0])
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox) and editor.objectName() == "scoreEditor"  # the delegate's editor
    assert editor.accessibleName().endswith(": score")
    if text[1:]:
        qtbot.keyClicks(editor, text[1:])
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(editor, key)


def click_option(qtbot, radio):
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def results_row(widget, reference):
    model = widget.results_model
    [n] = [i for i, a in enumerate(model.rows) if a.reference == reference]
    return [model.index(n, c).data() for c in range(model.columnCount())]


def test_two_panellists_score_by_keyboard_with_notes_and_a_cant_judge(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    widget = open_widget(qtbot, db, runner, panel_id)
    assert widget.tabs.currentIndex() == 0
    assert [widget.panellist_combo.itemText(i) for i in range(3)] == ["Shanice (Leys)", "Dave (Leys)",
                                                                     "Amina (Northfield)"]
    model = widget.score_model
    assert model.rowCount() == 3 and model.columnCount() == 4  # application, two criteria, interest
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Benefit to local people\n×2 · 0 to 5"
    assert cell_value(widget, app1, benefit) == "–"

    score_cell(qtbot, widget, app1, benefit, "4")
    assert cell_value(widget, app1, benefit) == "4" and cell_value(widget, app1, benefit, SCORE_ROLE) == 4
    qtbot.keyClick(widget.score_view, Qt.Key.Key_Tab)  # Tab leaves the table for the current cell's note
    assert widget.note_edit.hasFocus() and widget.note_target.text() == f"on {vote.references[0]}, Benefit to local people"
    qtbot.keyClicks(widget.note_edit, "Lots of families asked for this")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(widget.note_edit, Qt.Key.Key_Return)  # keeping the note saves it with the score
    score_cell(qtbot, widget, app1, plan, "3", key=Qt.Key.Key_Tab)  # Tab keeps it too
    score_cell(qtbot, widget, app2, benefit, "5")

    choose_panellist(qtbot, widget, "Dave")
    assert cell_value(widget, app1, benefit) == "–"  # Dave's own sheet
    go_to_cell(qtbot, widget, app1, benefit)
    assert widget.note_edit.text() == ""
    widget.note_edit.setFocus()
    qtbot.keyClicks(widget.note_edit, "I don't know the area well enough")
    qtbot.keyClick(widget.note_edit, Qt.Key.Key_Return)
    assert widget.score_notice.text() == NOTE_WAITS  # a note waits for its score
    score_cell(qtbot, widget, app1, benefit, "C")  # can't judge, and the note goes with it
    assert cell_value(widget, app1, benefit) == "Can't judge"
    assert cell_value(widget, app1, benefit, SCORE_ROLE) == CANT
    assert cell_value(widget, app1, benefit, NOTE_ROLE) == "I don't know the area well enough"
    score_cell(qtbot, widget, app2, benefit, "2")

    sheet = panels.score_sheet(db, panel_id)
    first = sheet.application(vote.references[0])
    assert {(s.panellist_id, s.criterion_id): (s.score, s.note) for s in first.scores} == {
        (shanice, benefit): (4, "Lots of families asked for this"), (shanice, plan): (3, ""),
        (dave, benefit): (None, "I don't know the area well enough")}
    assert first.means == {benefit: Fraction(4), plan: Fraction(3)} and first.weighted == 11
    assert sheet.application(vote.references[1]).weighted == 2 * Fraction(7, 2)

    # A score can be changed but not taken away.
    go_to_cell(qtbot, widget, app2, benefit)
    qtbot.keyClick(widget.score_view, Qt.Key.Key_Delete)
    assert widget.score_notice.text() == NOT_TAKEN_AWAY and cell_value(widget, app2, benefit) == "2"

    choose_panellist(qtbot, widget, "Shanice")
    assert cell_value(widget, app1, benefit) == "4"
    go_to_cell(qtbot, widget, app1, benefit)
    assert widget.note_edit.text() == "Lots of families asked for this"
    accessible = widget.score_model.index_of(app1, benefit).data(Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == f"{vote.references[0]}, Benefit to local people: score 4; note: Lots of families asked for this"

    qtbot.keySequence(widget, "Ctrl+2")
    assert widget.tabs.currentIndex() == 1
    rows = [results_row(widget, ref) for ref in vote.references]
    assert [r[1] for r in rows] == [f"{vote.references[0]} · Idea 1", f"{vote.references[1]} · Idea 2",
                                    f"{vote.references[2]} · Idea 3"]
    assert rows[0][2] == "11 of 15" and rows[0][3:5] == ["4", "3"] and rows[0][5] == "2 of 3"  # 2 scorers
    assert rows[1][3] == "3.50"  # (5 + 2) / 2, by the one rounding rule
    assert rows[0][6] == "Fund" and rows[1][6] == "Not funded" and rows[2][6] == "Not scored"
    assert widget.results_model.index(0, widget.results_model.WEIGHTED).data(BAR_ROLE) == pytest.approx(11 / 15)


def test_the_score_table_sorts_in_its_model_by_the_scores_themselves(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    panels.record_score(db, shanice, app1, benefit, 2)
    panels.record_score(db, shanice, app2, benefit, None)  # can't judge sorts after every number
    panels.record_score(db, shanice, app3, benefit, 5)
    widget = open_widget(qtbot, db, runner, panel_id)
    header = widget.score_view.horizontalHeader()
    assert widget.score_view.model() is widget.score_model  # no proxy
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 10, header.height() // 2))
    order = [widget.score_model.rows[r].application_id for r in range(3)]
    if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        assert order == [app1, app3, app2]
    else:
        assert order == [app2, app3, app1]
    go_to_cell(qtbot, widget, app3, benefit)
    widget.score_model.sort(0, Qt.SortOrder.DescendingOrder)
    assert widget.score_view.currentIndex() == widget.score_model.index_of(app3, benefit)  # the cell stays put
    # The results sort by the exact weighted score, not by its words.
    results = widget.results_model
    results.sort(results.WEIGHTED, Qt.SortOrder.DescendingOrder)
    assert [a.application_id for a in results.rows] == [app3, app1, app2]  # app2: nobody scored it, last


def test_a_panellist_who_declared_an_interest_cannot_score_that_application(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    panels.record_score(db, dave, app1, benefit, 5)
    widget = open_widget(qtbot, db, runner, panel_id)
    choose_panellist(qtbot, widget, "Dave")
    assert cell_value(widget, app1, benefit) == "5"

    go_to_cell(qtbot, widget, app1, plan)
    qtbot.mouseClick(widget.declare_button, Qt.MouseButton.LeftButton)
    dialog = widget.interest_dialog
    assert dialog is not None and dialog.intro.text().startswith("<b>Dave (Leys)</b> declares an interest")
    assert vote.references[0] in dialog.intro.text()  # the current row's application
    assert not dialog.ok.isEnabled()
    type_into_combo(qtbot, dialog.kind_combo, "Non")
    assert dialog.kind() == "non_registrable" and not dialog.ok.isEnabled()  # the nature is needed too
    dialog.nature_edit.setFocus()
    qtbot.keyClicks(dialog.nature_edit, "My daughter runs the group")
    with qtbot.waitSignal(widget.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(dialog.nature_edit, Qt.Key.Key_Return)

    model = widget.score_model
    for crit in (benefit, plan):
        index = model.index_of(app1, crit)
        assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert index.data() == "Interest declared"
        assert "My daughter runs the group" in index.data(Qt.ItemDataRole.ToolTipRole)
    interest = model.index(model.row_of(app1), model.interest_column)
    assert interest.data() == "Non-registrable interest"
    assert not widget.note_edit.isEnabled()
    assert widget.note_edit.text() == "Interest declared: Non-registrable interest: My daughter runs the group"
    # Typing into a blocked cell opens no editor and records nothing.
    go_to_cell(qtbot, widget, app1, benefit)
    qtbot.keyClick(widget.score_view, "3")
    assert QApplication.focusWidget() is widget.score_view and widget.score_view.indexWidget(
        model.index_of(app1, benefit)) is None
    assert model.flags(model.index_of(app2, benefit)) & Qt.ItemFlag.ItemIsEditable

    with qtbot.waitSignal(widget.failed, timeout=TIMEOUT) as refused:
        widget.score(app1, benefit, 3)
    assert "My daughter runs the group" in refused.args[0] and "cannot score it" in refused.args[0]
    assert refused.args[0].startswith("Refused:") and "My daughter runs the group" in widget.score_notice.text()
    row = panels.score_sheet(db, panel_id).application(vote.references[0])
    assert row.scores == () and dave in row.conflicted  # the earlier score no longer counts either

    choose_panellist(qtbot, widget, "Shanice")
    assert model.flags(model.index_of(app1, benefit)) & Qt.ItemFlag.ItemIsEditable
    qtbot.keySequence(widget, "Ctrl+2")
    results = widget.results_model
    n = [a.reference for a in results.rows].index(vote.references[0])
    scorers = results.index(n, results.column("Scorers"))
    assert scorers.data() == "0 of 3" and scorers.data(DETAIL_ROLE) == "Interest: Dave"
    assert scorers.data(Qt.ItemDataRole.ToolTipRole).endswith(
        "Declared interests — Dave: Non-registrable interest: My daughter runs the group")


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
    results = widget.results_model
    decision = results.index(results.row_of(app3), results.column("Decision"))
    assert decision.data() == "Fund £1,000.00 · differs"
    assert decision.data(DETAIL_ROLE) == "Not applied yet · The pitch showed young people leading it; the panel " \
                                         "funded part of it"

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
    cell = widget.score_model.index_of(app1, benefit)
    assert not widget.score_model.flags(cell) & Qt.ItemFlag.ItemIsEditable  # and so are the scores


def test_a_two_digit_score_is_typed_in_full_and_the_models_keep_qts_rules(qtbot, qtmodeltester, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    reach = panels.add_criterion(db, panel_id, "Reach", weight=1, low=0, high=10)
    widget = open_widget(qtbot, db, runner, panel_id)
    score_cell(qtbot, widget, app2, reach, "10")  # "1" then "0" reaches 10, not 1
    assert cell_value(widget, app2, reach) == "10"
    [given] = panels.score_sheet(db, panel_id).application(vote.references[1]).scores
    assert (given.panellist_id, given.criterion_id, given.score) == (shanice, reach, 10)
    qtmodeltester.check(widget.score_model, force_py=True)
    qtmodeltester.check(widget.results_model, force_py=True)


def test_at_1280_by_800_every_results_column_shows_and_the_application_is_not_cut_to_an_ellipsis(
        qtbot, db, runner, panel):
    vote, panel_id, people, benefit, plan = panel
    panels.add_criterion(db, panel_id, "Reaches the people who need it most", weight=2)
    for person in people:
        panels.record_score(db, person, vote.application_ids[0], benefit, 5)
    panels.record_decision(db, panel_id, vote.application_ids[2], "decline",
                           reason="The panel would rather see the hall booked first")
    widget = open_widget(qtbot, db, runner, panel_id)
    qtbot.keySequence(widget, "Ctrl+2")
    view, model = widget.results_view, widget.results_model
    qtbot.waitUntil(lambda: view.viewport().width() > 1000, timeout=TIMEOUT)
    header = view.horizontalHeader()
    last = model.columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()  # the decision is on screen, not off to the right
    application = header.sectionSize(model.APPLICATION)
    assert application >= 240
    assert application >= view.fontMetrics().horizontalAdvance(f"{vote.references[0]} · Idea 1") + 12
    decision = model.index(model.row_of(vote.application_ids[2]), model.column("Decision"))
    assert decision.data(Qt.ItemDataRole.ToolTipRole) == "Do not fund: The panel would rather see the hall booked first"
