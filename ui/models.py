"""Item models for GrantDesk's lists.

The applications table sorts and filters its own Python list (never a ``QSortFilterProxyModel``
calling ``data()`` per comparison, which needs 16–20 s for 100,000 rows). The heavy preparation
(search keys) runs on the worker thread with ``prepare_rows``; cell text is made only for rows that
are painted, once per row, with money formatted once per value. Native values come out through
``SORT_ROLE`` (so £10 sorts after £9 and pence never pass through Qt's 32-bit ints) and the row
itself through ``ROW_ROLE``. An edit updates its one row in place; nothing reloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from grantdesk.domain.dates import format_date
from grantdesk.domain.money import money_formatter
from grantdesk.domain.workflow import STATUS_LABELS, Status
from grantdesk.i18n import N_, locale_name
from grantdesk.i18n import _ as core_text  # the core's status labels, in the current language
from ui.style import STATUS_COLOURS

SORT_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex

_STATUS_ORDER = {s.value: i for i, s in enumerate(Status)}
_STATUS_TEXT = {s.value: STATUS_LABELS[s] for s in Status}


@lru_cache(maxsize=4096)
def _display_date(day: date | None) -> str:
    # "12 May 2026" (en_GB's medium date; "12 Mai 2026" in Welsh: the app's language, chosen before the first
    # window and changed only by a restart). Cached per day: a list has few distinct dates.
    return format_date(day)


@lru_cache(maxsize=None)
def _status_brush(status: str) -> QBrush:
    return QBrush(QColor(STATUS_COLOURS.get(status, "#374151")))


def search_key(row: Any) -> str:
    return f"{row.reference}\n{row.title}\n{row.organisation}".casefold()


@dataclass
class PreparedRows:
    """Rows plus their search keys, built off the GUI thread by ``prepare_rows``."""

    rows: list[Any]
    search: list[str] = field(default_factory=list)


def prepare_rows(rows: Iterable[Any]) -> PreparedRows:
    """Pure Python, safe on the worker thread: everything the model needs that costs per row."""
    rows = list(rows)
    return PreparedRows(rows, [search_key(r) for r in rows])


@dataclass(frozen=True)
class ListFilter:
    """What the list shows: text in reference/title/organisation, statuses, an area, a set of ids."""

    text: str = ""
    statuses: frozenset[str] = frozenset()  # empty: every status
    area: str | None = None
    ids: frozenset[int] | None = None  # e.g. the applications a member is involved in

    def matches(self, row: Any, key: str) -> bool:
        return (
            (not self.text or self.text in key)
            and (not self.statuses or row.status in self.statuses)
            and (self.area is None or row.area == self.area)
            and (self.ids is None or row.id in self.ids)
        )

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.statuses and self.area is None and self.ids is None


class ApplicationsTableModel(QAbstractTableModel):
    """A fund's applications: ``ApplicationListRow`` values from ``grantdesk.services``."""

    # Status and amount come early so they stay in view on a laptop screen.
    REFERENCE, TITLE, STATUS, REQUESTED, ORGANISATION, AREA, SUBMITTED = range(7)
    HEADERS = (N_("Reference"), N_("Title"), N_("Status"), N_("Requested"), N_("Organisation"), N_("Area"),
               N_("Submitted"))  # shown translated

    def __init__(self, parent=None, *, currency: str = "GBP"):
        super().__init__(parent)
        self._currency = currency
        self._money_format: Any = None  # babel's locale data loads on the first painted row, not at start-up
        self._rows: list[Any] = []
        self._search: list[str] = []
        self._cells: dict[int, tuple[str, ...]] = {}  # display text, made when a row is first painted
        self._order: list[int] = []  # all rows, in the current sort order
        self._view: list[int] = []  # the rows shown: _order filtered
        self._sort_column = self.REFERENCE
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter = ListFilter()

    # --- loading ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.set_prepared(prepare_rows(rows))

    def set_prepared(self, prepared: PreparedRows) -> None:
        self.beginResetModel()
        self._rows, self._search = prepared.rows, prepared.search
        self._cells = {}
        self._order = list(range(len(self._rows)))
        self._apply_sort()
        self._apply_filter()
        self.endResetModel()

    def upsert_row(self, row: Any) -> int | None:
        """Put a changed or new row in place without reloading; returns its row in the view."""
        i = next((n for n, r in enumerate(self._rows) if r.id == row.id), None)
        key = search_key(row)
        if i is None:  # a new application: add it at the end of the view
            i = len(self._rows)
            self._rows.append(row)
            self._search.append(key)
            self._order.append(i)
            if not self._filter.matches(row, key):
                return None
            self.beginInsertRows(QModelIndex(), len(self._view), len(self._view))
            self._view.append(i)
            self.endInsertRows()
            return len(self._view) - 1
        self._rows[i], self._search[i] = row, key
        self._cells.pop(i, None)
        try:
            view_row = self._view.index(i)
        except ValueError:
            return None
        self.dataChanged.emit(self.index(view_row, 0), self.index(view_row, self.columnCount() - 1))
        return view_row

    def row_at(self, row: int) -> Any:
        return self._rows[self._view[row]]

    def row_for_id(self, application_id: int) -> int | None:
        for view_row, i in enumerate(self._view):
            if self._rows[i].id == application_id:
                return view_row
        return None

    @property
    def total_count(self) -> int:
        return len(self._rows)

    # --- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def _cells_for(self, i: int) -> tuple[str, ...]:
        cells = self._cells.get(i)
        if cells is None:
            r = self._rows[i]
            if self._money_format is None:
                self._money_format = money_formatter(self._currency, locale_name())
            cells = (
                r.reference,
                r.title,
                core_text(_STATUS_TEXT[r.status]),
                self._money_format(r.amount_requested_pence),
                r.organisation,
                r.area or "",
                _display_date(r.submitted_on),
            )
            self._cells[i] = cells
        return cells

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        i = self._view[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells_for(i)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.REQUESTED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.TITLE, self.ORGANISATION, self.STATUS):
            return self._cells_for(i)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            return _status_brush(self._rows[i].status)
        if role == SORT_ROLE:
            return self._sort_key(col)(i)
        if role == ROW_ROLE:
            return self._rows[i]
        return None

    # --- sorting and filtering in the model's own list ----------------------------------------
    def _sort_key(self, column: int):
        rows = self._rows
        if column == self.REQUESTED:
            return lambda i: rows[i].amount_requested_pence
        if column == self.SUBMITTED:  # not yet submitted sorts after every date
            return lambda i: rows[i].submitted_on or date.max
        if column == self.STATUS:
            return lambda i: _STATUS_ORDER[rows[i].status]
        attribute = {self.REFERENCE: "reference", self.TITLE: "title", self.ORGANISATION: "organisation",
                     self.AREA: "area"}[column]
        return lambda i: (getattr(rows[i], attribute) or "").casefold()

    def _apply_sort(self) -> None:
        self._order.sort(key=self._sort_key(self._sort_column),
                         reverse=self._sort_order == Qt.SortOrder.DescendingOrder)

    def _apply_filter(self) -> None:
        f = self._filter
        if f.is_empty:
            self._view = list(self._order)
        elif not f.statuses and f.area is None and f.ids is None:  # text only: the common, fast case
            search, needle = self._search, f.text
            self._view = [i for i in self._order if needle in search[i]]
        else:
            rows, search = self._rows, self._search
            self._view = [i for i in self._order if f.matches(rows[i], search[i])]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        old_view = self._view
        persistent = self.persistentIndexList()
        kept = [(p, old_view[p.row()]) for p in persistent if p.isValid()]
        self._sort_column, self._sort_order = column, order
        self._apply_sort()
        self._apply_filter()
        if kept:
            view = self._view
            if len(kept) > 16:  # many (a big selection): one pass over the view
                position = {row: n for n, row in enumerate(view)}
            else:  # the usual current row and a few selected: look each one up, not 100,000 rows
                position = {}
                for _, r in kept:
                    if r not in position:
                        try:
                            position[r] = view.index(r)
                        except ValueError:
                            pass
            self.changePersistentIndexList(
                [p for p, _ in kept],
                [self.index(position[r], p.column()) if r in position else QModelIndex() for p, r in kept],
            )
        self.layoutChanged.emit()

    def set_filter(self, list_filter: ListFilter) -> None:
        if list_filter == self._filter:
            return
        self.beginResetModel()
        self._filter = list_filter
        self._apply_filter()
        self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        f = self._filter
        self.set_filter(ListFilter(text.strip().casefold(), f.statuses, f.area, f.ids))

    @property
    def list_filter(self) -> ListFilter:
        return self._filter

    @property
    def filter_text(self) -> str:
        return self._filter.text
