"""Open members' windows stay true: a decision recorded or approved in the Member Decision dialog
appears in an open Members' Pots window without reopening it, and allotments set in the pots window
appear in an open decision dialog — each window refreshing once for another's change, never for its own."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_member_decision_ui import (
    TIMEOUT,
    YEAR,
    open_applications,
    open_dialog,
    record,
    type_into,
)
from test_members_dashboard_ui import open_dashboard, shown

from grantdesk.domain.money import format_money
from grantdesk.services import allocations
from ui.members_dashboard import MembersTableModel


def _committed(dashboard, member_id):
    row = dashboard.model.row_for_member(member_id)
    return shown(dashboard.model, row, MembersTableModel.COMMITTED)


def _loads(window):
    count = [0]
    window.loaded.connect(lambda: count.__setitem__(0, count[0] + 1))
    return count


def test_a_recommendation_and_its_approval_in_the_dialog_update_an_open_pots_window(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db)
                   if c.area_member_ids and c.members[0].remaining_pence >= c.amount_requested_pence)
    member = context.members[0]
    before = {p.member_id: p for p in allocations.member_positions(sample_db, "PHP", YEAR)}[member.member_id]
    amount = 25_000

    board = open_dashboard(qtbot, sample_db, runner)
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    assert board.isVisible() and dialog.isVisible()  # both open at once
    assert _committed(board, member.member_id) == format_money(before.committed_pence)
    board_loads, dialog_loads = _loads(board), _loads(dialog)

    # Record a recommendation in the dialog, through its widgets.
    dialog.choose_member(member.member_id)
    type_into(qtbot, dialog.amount_edit, f"{amount // 100}")
    qtbot.keyClicks(dialog.reasons_edit, "Helps people across the division.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)

    # The pots window shows it, without being reopened or asked to refresh.
    qtbot.waitUntil(lambda: _committed(board, member.member_id) == format_money(before.committed_pence + amount),
                    timeout=TIMEOUT)
    row = board.model.row_for_member(member.member_id)
    assert shown(board.model, row, MembersTableModel.REMAINING) == format_money(before.remaining_pence - amount)
    assert shown(board.model, row, MembersTableModel.DECISIONS) == str(before.decisions + 1)
    bar = next(r for r in board.chart_rows() if r.member_id == member.member_id)
    assert bar.committed_pence == before.committed_pence + amount
    assert board_loads[0] == 1  # one refresh for one change
    assert dialog_loads[0] == 1  # the dialog's own reload after recording; its own echo is ignored

    # The officer's approval in the dialog moves the money from committed to approved in the pots window.
    dialog.decisions_view.selectRow(0)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.approve_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(board.model, board.model.row_for_member(member.member_id),
                                  MembersTableModel.APPROVED) == format_money(before.approved_pence + amount),
                    timeout=TIMEOUT)
    assert _committed(board, member.member_id) == format_money(before.committed_pence)
    assert board_loads[0] == 2


def test_allotments_set_in_the_pots_window_update_an_open_decision_dialog(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db) if c.area_member_ids)
    member = context.members[0]
    board = open_dashboard(qtbot, sample_db, runner)
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(member.member_id)
    type_into(qtbot, dialog.amount_edit, "123")  # the officer has started typing
    assert f"{format_money(member.remaining_pence)} left" in dialog.member_combo.currentText()
    board_loads = _loads(board)

    board.select_member(member.member_id)
    allotments = board.open_allotments()
    allotments.selected_radio.setChecked(True)
    allotments.amount_edit.clear()
    qtbot.keyClicks(allotments.amount_edit, "3,000")
    qtbot.mouseClick(allotments.save_button, Qt.MouseButton.LeftButton)

    more = member.remaining_pence + 300_000 - (member.allotted_pence - member.rolled_over_pence)
    qtbot.waitUntil(lambda: f"{format_money(more)} left" in dialog.member_combo.currentText(), timeout=TIMEOUT)
    assert f"{format_money(more)} left" in dialog.member_note.text()
    assert dialog.member_combo.currentData() == member.member_id
    assert dialog.amount_edit.text() == "123"  # what was typed is kept
    qtbot.waitUntil(lambda: board_loads[0] >= 1, timeout=TIMEOUT)
    qtbot.wait(50)
    assert board_loads[0] == 1  # its own reload; the broadcast of its own change is not a second one
    assert "Set 1 member" in board.notice.text()


def test_a_hidden_pots_window_catches_up_when_it_is_shown_again(qtbot, sample_db, runner):
    context = next(c for c in open_applications(sample_db)
                   if c.area_member_ids and c.members[0].remaining_pence >= 10_000)
    member = context.members[0]
    board = open_dashboard(qtbot, sample_db, runner)
    before = _committed(board, member.member_id)
    board.hide()
    dialog = open_dialog(qtbot, sample_db, runner, context.application_id)
    dialog.choose_member(member.member_id)
    type_into(qtbot, dialog.amount_edit, "100")
    qtbot.keyClicks(dialog.reasons_edit, "A small part.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        record(qtbot, dialog)
    qtbot.wait(50)
    assert _committed(board, member.member_id) == before  # hidden: not refreshed yet
    with qtbot.waitSignal(board.loaded, timeout=TIMEOUT):
        board.show()
    assert _committed(board, member.member_id) != before
