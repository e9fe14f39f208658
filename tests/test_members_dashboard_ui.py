"""The members' pots dashboard, driven through its widgets: the Staffordshire sample's positions in the
table and the chart, sorting by a header, allotments for the selected member, the spend-by reminder,
a member's statement, and the year-end shown before it runs (refused while the pots are open, run once
on a small fund after its spend-by day)."""

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from test_allocations import build

from grantdesk.domain.money import format_money
from grantdesk.services import allocations
from ui.members_dashboard import MembersDashboard, MembersTableModel
from ui.models import SORT_ROLE

TIMEOUT = 20_000
TODAY = date(2026, 9, 15)
YEAR = 2026


def open_dashboard(qtbot, db, runner, code="PHP", today=TODAY):
    dashboard = MembersDashboard(db, runner, code, today=today)
    qtbot.addWidget(dashboard)
    dashboard.resize(1280, 800)
    dashboard.show()
    with qtbot.waitSignal(dashboard.loaded, timeout=TIMEOUT):
        dashboard.start()
    return dashboard


def click_header(qtbot, table, column):
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def shown(model, row, column):
    return model.data(model.index(row, column))


def test_the_dashboard_shows_every_member_with_the_services_numbers_and_sorts_by_a_header(qtbot, sample_db, runner):
    expected = {p.member_id: p for p in allocations.member_positions(sample_db, "PHP", YEAR)}
    dashboard = open_dashboard(qtbot, sample_db, runner)
    model = dashboard.model
    assert dashboard.year_combo.currentData() == YEAR and "2026–27" in dashboard.year_combo.currentText()
    assert model.rowCount() == len(expected) == 20
    for row in range(model.rowCount()):
        p = expected[model.position_at(row).member_id]
        assert [shown(model, row, c) for c in range(model.columnCount())] == [
            p.name, p.area, format_money(p.allotted_pence), format_money(p.committed_pence),
            format_money(p.approved_pence), format_money(p.paid_pence), format_money(p.remaining_pence),
            str(p.decisions)]
    total = sum(p.remaining_pence for p in expected.values())
    assert f"remaining {format_money(total)}" in dashboard.totals_label.text()

    click_header(qtbot, dashboard.table, MembersTableModel.REMAINING)
    assert model.sort_column == MembersTableModel.REMAINING
    remaining = [model.position_at(r).remaining_pence for r in range(model.rowCount())]
    descending = dashboard.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert remaining == sorted(remaining, reverse=descending) and remaining != sorted(remaining, reverse=not descending)
    assert shown(model, 0, MembersTableModel.REMAINING) == format_money(remaining[0])
    click_header(qtbot, dashboard.table, MembersTableModel.REMAINING)  # and back the other way
    again = [model.position_at(r).remaining_pence for r in range(model.rowCount())]
    assert again == sorted(remaining, reverse=not descending)
    assert model.data(model.index(0, MembersTableModel.REMAINING), SORT_ROLE)[0] == again[0]

    # the chart: one bar per member, most used first, the unused ones marked
    rows = dashboard.chart_rows()
    assert sorted(r.member_id for r in rows) == sorted(expected)
    shares = [r.share for r in rows]
    assert shares == sorted(shares, reverse=True)
    assert {r.member_id for r in rows if r.untouched} == {m for m, p in expected.items() if p.untouched} != set()
    for r in rows:
        assert r.bar.width() > 0 and r.approved.width() + r.committed.width() + r.remaining.width() == \
            pytest.approx(r.bar.width())
        p = expected[r.member_id]
        assert r.approved.width() == pytest.approx(r.bar.width() * p.approved_pence / p.allotted_pence)
    tops = [r.row.top() for r in rows]
    assert tops == sorted(tops) and rows[-1].row.bottom() <= dashboard.chart.height()
    assert not dashboard.banner.isVisible()  # six months before the spend-by day


def test_set_allotments_for_the_selected_member_only(qtbot, sample_db, runner):
    before = {p.member_id: p for p in allocations.member_positions(sample_db, "PHP", YEAR)}
    member = next(p for p in before.values() if p.untouched)
    dashboard = open_dashboard(qtbot, sample_db, runner)
    dashboard.select_member(member.member_id)
    assert dashboard.selected_member_ids() == [member.member_id]
    qtbot.mouseClick(dashboard.allot_button, Qt.MouseButton.LeftButton)
    dialog = dashboard.allotments_dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=TIMEOUT)
    assert dialog.amount_edit.text() == "£2,500.00" and dialog.all_radio.isChecked()
    assert member.name in dialog.selected_radio.text()
    dialog.selected_radio.setChecked(True)
    dialog.amount_edit.clear()
    qtbot.keyClicks(dialog.amount_edit, "3,000")
    with qtbot.waitSignal(dashboard.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    after = {p.member_id: p for p in allocations.member_positions(sample_db, "PHP", YEAR)}
    assert after[member.member_id].allotted_pence == 300_000
    assert all(after[m].allotted_pence == before[m].allotted_pence for m in before if m != member.member_id)
    row = dashboard.model.row_for_member(member.member_id)
    assert shown(dashboard.model, row, MembersTableModel.ALLOTTED) == "£3,000.00"
    assert "Set 1 member" in dashboard.notice.text()


def test_an_allotment_below_what_is_committed_is_refused_in_the_dialog(qtbot, sample_db, runner):
    spent = next(p for p in allocations.member_positions(sample_db, "PHP", YEAR) if p.approved_pence)
    dashboard = open_dashboard(qtbot, sample_db, runner)
    dashboard.select_member(spent.member_id)
    dialog = dashboard.open_allotments()
    dialog.selected_radio.setChecked(True)
    dialog.amount_edit.clear()
    qtbot.keyClicks(dialog.amount_edit, "1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=TIMEOUT)
    assert "already recommended" in dialog.error_label.text() and dialog.isVisible()
    assert next(p for p in allocations.member_positions(sample_db, "PHP", YEAR)
                if p.member_id == spent.member_id).allotted_pence == spent.allotted_pence


def test_near_the_spend_by_day_a_banner_names_who_still_has_money_left(qtbot, sample_db, runner):
    positions = allocations.member_positions(sample_db, "PHP", YEAR)
    dashboard = open_dashboard(qtbot, sample_db, runner, today=date(2027, 2, 1))  # 47 days before 20 Mar 2027
    assert dashboard.year_combo.currentData() == YEAR
    assert dashboard.banner.isVisible()
    text = dashboard.banner.text()
    assert "20 Mar 2027" in text and "in 47 days" in text
    for p in positions:
        assert (p.name in text) == (p.remaining_pence > 0)


def test_statement_asks_for_the_selected_members_statement(qtbot, sample_db, runner):
    member = allocations.member_positions(sample_db, "PHP", YEAR)[3]
    dashboard = open_dashboard(qtbot, sample_db, runner)
    assert not dashboard.statement_button.isEnabled()
    dashboard.select_member(member.member_id)
    with qtbot.waitSignal(dashboard.statement_requested, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(dashboard.statement_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [member.member_id, YEAR]


def open_year_end(qtbot, dashboard):
    qtbot.mouseClick(dashboard.year_end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dashboard.year_end_dialog is not None and dashboard.year_end_dialog.isVisible(),
                    timeout=TIMEOUT)
    return dashboard.year_end_dialog


def test_the_year_end_is_shown_line_by_line_and_refused_while_the_pots_are_open(qtbot, sample_db, runner):
    plan = allocations.year_end_plan(sample_db, "PHP", YEAR)
    dashboard = open_dashboard(qtbot, sample_db, runner)
    dialog = open_year_end(qtbot, dashboard)
    assert dialog.plan_lines() == [(x.name, format_money(x.unspent_pence), "Lapses" if x.unspent_pence else "—",
                                    format_money(x.next_year_pence)) for x in plan.lines]
    assert plan.summary() in dialog.summary_label.text() and "lapses" in dialog.heading.text()
    assert dialog.run_button.isVisible()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message_label.isVisible(), timeout=TIMEOUT)
    assert "open until 20 Mar 2027" in dialog.message_label.text()
    assert not allocations.year_end_plan(sample_db, "PHP", YEAR).done and dialog.run_button.isEnabled()


def test_after_the_spend_by_day_the_year_end_rolls_over_once(qtbot, db, runner):
    (ash, birch, cedar), _ = build(db, mode="roll_over")
    allocations.set_allotments(db, "MEM", YEAR + 1, 100_000)
    dashboard = open_dashboard(qtbot, db, runner, code="MEM", today=date(2027, 3, 25))
    assert dashboard.year_combo.currentData() == YEAR  # 25 March is still in 2026–27
    assert "closed on 20 Mar 2027" in dashboard.banner.text()
    dialog = open_year_end(qtbot, dashboard)
    assert [line[2] for line in dialog.plan_lines()] == ["Rolls over", "Rolls over", "—"]
    assert dialog.plan_lines()[0] == ("Cllr Ash", "£2,500.00", "Rolls over", "£3,500.00")
    with qtbot.waitSignal(dashboard.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Done" in dialog.message_label.text(), timeout=TIMEOUT)
    assert allocations.year_end_plan(db, "MEM", YEAR).done and not dialog.run_button.isVisible()
    nxt = {p.member_id: p for p in allocations.member_positions(db, "MEM", YEAR + 1)}
    assert (nxt[ash].allotted_pence, nxt[ash].rolled_over_pence) == (350_000, 250_000)
    assert nxt[cedar].rolled_over_pence == 0
    qtbot.waitUntil(lambda: not dashboard.banner.isVisible(), timeout=TIMEOUT)
