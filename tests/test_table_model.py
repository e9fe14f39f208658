"""The applications model sorts and filters its own list; no widget needed."""

from datetime import date

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from grantdesk.services.applications import ApplicationListRow
from ui.models import ROW_ROLE, SORT_ROLE, ApplicationsTableModel

M = ApplicationsTableModel


def row(n, *, title, org, pence, status="submitted", submitted=None, area=None):
    return ApplicationListRow(
        id=n, reference=f"PHP-2026-{n:04d}", title=title, status=status, amount_requested_pence=pence,
        organisation=org, area=area, submitted_on=submitted, round_id=1, area_id=None,
    )


@pytest.fixture
def model(qapp):
    m = M()
    m.set_rows([
        row(1, title="Lunch club", org="Burton Elders", pence=90000, status="awarded", submitted=date(2026, 5, 2)),
        row(2, title="Allotment tools", org="Stone Growers", pence=1000, submitted=date(2026, 4, 9)),
        row(3, title="Youth football kit", org="Kidsgrove Juniors", pence=5_000_000_000, status="draft"),
        row(4, title="Choir music", org="Leek Singers", pence=90001, status="eligible", submitted=date(2026, 6, 1)),
    ])
    return m


def column(model, col, role=Qt.ItemDataRole.DisplayRole):
    return [model.index(r, col).data(role) for r in range(model.rowCount())]


def test_rows_show_formatted_money_labels_and_uk_dates(model):
    assert column(model, M.REQUESTED)[:2] == ["£900.00", "£10.00"]
    assert column(model, M.STATUS)[0] == "Awarded"
    assert column(model, M.SUBMITTED)[0] == "2 May 2026"
    assert column(model, M.SUBMITTED)[2] == ""


def test_money_sorts_by_value_not_text_even_beyond_32_bit_pence(model):
    model.sort(M.REQUESTED, Qt.SortOrder.AscendingOrder)
    assert column(model, M.REQUESTED) == ["£10.00", "£900.00", "£900.01", "£50,000,000.00"]
    assert column(model, M.REQUESTED, SORT_ROLE)[-1] == 5_000_000_000
    model.sort(M.REQUESTED, Qt.SortOrder.DescendingOrder)
    assert column(model, M.REFERENCE)[0] == "PHP-2026-0003"


def test_status_sorts_in_workflow_order_and_dates_put_blanks_last(model):
    model.sort(M.STATUS)
    assert column(model, M.STATUS) == ["Draft", "Submitted", "Eligible", "Awarded"]
    model.sort(M.SUBMITTED)
    assert column(model, M.REFERENCE) == ["PHP-2026-0002", "PHP-2026-0001", "PHP-2026-0004", "PHP-2026-0003"]


def test_filter_matches_reference_title_or_organisation_ignoring_case(model):
    model.set_filter_text("  LEEK ")
    assert column(model, M.TITLE) == ["Choir music"]
    model.set_filter_text("0002")
    assert column(model, M.TITLE) == ["Allotment tools"]
    model.set_filter_text("kit")
    assert model.index(0, 0).data(ROW_ROLE).id == 3
    model.set_filter_text("")
    assert model.rowCount() == 4 and model.total_count == 4


def test_sorting_keeps_the_filter_and_the_selected_row(model):
    model.set_filter_text("o")  # every title but "Choir music" has an o in title or organisation
    shown = model.rowCount()
    selected = QPersistentModelIndex(model.index(model.row_for_id(3), M.TITLE))
    model.sort(M.REQUESTED, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == shown
    assert selected.isValid() and selected.row() == 0
    assert model.index(selected.row(), 0).data(ROW_ROLE).id == 3


@pytest.mark.parametrize("kept", [1, 40])
def test_sorting_moves_every_held_index_with_its_row_whether_few_or_many(qapp, kept):
    """A few held indexes (the current row) are looked up one by one; many (a big selection) in one
    pass; either way each follows its application through every sort."""
    m = M()
    m.set_rows([row(n, title=f"Project {(n * 37) % 101:03d}", org="Org", pence=n * 100) for n in range(1, 101)])
    m.set_filter_text("project")
    held = {n: QPersistentModelIndex(m.index(m.row_for_id(n), M.TITLE)) for n in range(1, kept + 1)}
    for column, order in ((M.TITLE, Qt.SortOrder.DescendingOrder), (M.REQUESTED, Qt.SortOrder.AscendingOrder),
                          (M.TITLE, Qt.SortOrder.AscendingOrder)):
        m.sort(column, order)
        for n, index in held.items():
            assert index.isValid() and m.index(index.row(), 0).data(ROW_ROLE).id == n
    assert [m.index(r, 0).data(ROW_ROLE).id for r in range(3)] == [71, 41, 11]  # titles 001, 002, 003
