"""Elected members' pots across a fund: every member's position in a financial year (allotted,
committed, approved, paid, remaining), a chart of who has spent what, a banner when the spend-by day
is near and money is still unused, and the officer's actions on the pots — set the allotments (for
everyone or the selected members), run the year-end (shown line by line before it runs), and ask for
one member's statement. The allotments and year-end dialogs are in ``ui.members_dialogs``.

Every read is a ``Query`` and every action an ``Op`` (``ui.operations``); the services are imported
inside the jobs. The window follows the changes other windows make to the pots, the awards and the
applications (a member's decision recorded or approved in the Member Decision dialog, a payment), so
it stays true without being reopened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from html import escape
from typing import Any, Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grantdesk.domain.changes import Changes, Kind
from grantdesk.domain.dates import financial_year_label, financial_year_of, format_date
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, ngettext
from ui.members_dialogs import ERROR_STYLE, OK_STYLE, AllotmentsDialog, YearEndDialog, right_aligned
from ui.models import ROW_ROLE, SORT_ROLE
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.tasks import TaskRunner
from ui.widgets import action_button

Index = QModelIndex | QPersistentModelIndex

BANNER_DAYS = 60  # the spend-by day is "approaching" this many days ahead
# What an open Members' Pots window shows changes with these: members' decisions, approvals, allotments
# and year-ends (MEMBERS), awards and payments (AWARDS), and applications awarded or withdrawn.
FOLLOWS = (Kind.MEMBERS, Kind.AWARDS, Kind.APPLICATIONS)

APPROVED_COLOUR = "#15803d"
COMMITTED_COLOUR = "#d97706"
REMAINING_COLOUR = "#e5e7eb"
UNUSED_COLOUR = "#b45309"  # names of members who have not used their pot (AA on white)
UNUSED_BACKGROUND = "#fef3c7"

BANNER_STYLE = "padding: 8px; background: #fef3c7; color: #78350f; border: 1px solid #f59e0b;"

__all__ = ["MembersDashboard", "MembersTableModel", "MembersChart", "ChartRow", "AllotmentsDialog", "YearEndDialog"]


# --- the table ------------------------------------------------------------------------------------


class MembersTableModel(QAbstractTableModel):
    """``MemberPosition`` rows. Sorts its own list (native values: pence as ints, names folded)."""

    MEMBER, DIVISION, ALLOTTED, COMMITTED, APPROVED, PAID, REMAINING, DECISIONS = range(8)
    HEADERS = (N_("Member"), N_("Division"), N_("Allotted"), N_("Committed"), N_("Approved"), N_("Paid"),
               N_("Remaining"), N_("Decisions"))
    TIPS = (None, None, N_("This year's allotment, with anything rolled over"),
            N_("Recommended by the member, waiting for the officer"), N_("Approved by the officer"),
            N_("Paid out of the member's approved recommendations"), N_("What the member can still recommend"),
            N_("Decisions recorded this year, refusals too"))
    _MONEY = {ALLOTTED: "allotted_pence", COMMITTED: "committed_pence", APPROVED: "approved_pence",
              PAID: "paid_pence", REMAINING: "remaining_pence"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._cells: list[tuple[str, ...]] = []
        self._order: list[int] = []
        self._sort_column = self.MEMBER
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_positions(self, positions: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(positions)
        self._cells = [self._make_cells(p) for p in self._rows]
        self._order = list(range(len(self._rows)))
        self._apply_sort()
        self.endResetModel()

    def _make_cells(self, p: Any) -> tuple[str, ...]:
        return (p.name, p.area, format_money(p.allotted_pence), format_money(p.committed_pence),
                format_money(p.approved_pence), format_money(p.paid_pence), format_money(p.remaining_pence),
                str(p.decisions))

    def position_at(self, row: int) -> Any:
        return self._rows[self._order[row]]

    def positions(self) -> list[Any]:
        """The rows in the order shown."""
        return [self._rows[i] for i in self._order]

    def row_for_member(self, member_id: int) -> int | None:
        for n, i in enumerate(self._order):
            if self._rows[i].member_id == member_id:
                return n
        return None

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # --- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr(self.TIPS[section]) if self.TIPS[section] else None
        if role == Qt.ItemDataRole.TextAlignmentRole and (section in self._MONEY or section == self.DECISIONS):
            return right_aligned()
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        i = self._order[index.row()]
        col = index.column()
        p = self._rows[i]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[i][col]
        if role == Qt.ItemDataRole.TextAlignmentRole and (col in self._MONEY or col == self.DECISIONS):
            return right_aligned()
        if role == Qt.ItemDataRole.BackgroundRole and p.untouched:
            return QBrush(QColor(UNUSED_BACKGROUND))
        if role == Qt.ItemDataRole.ToolTipRole:
            if p.untouched:
                return self.tr("{name} has not used any of their pot yet.").format(name=p.name)
            if col == self.ALLOTTED and p.rolled_over_pence:
                return self.tr("Includes {amount} rolled over from last year.").format(
                    amount=format_money(p.rolled_over_pence))
            return None
        if role == SORT_ROLE:
            return self._sort_key(col)(i)
        if role == ROW_ROLE:
            return p
        return None

    def _sort_key(self, column: int) -> Callable[[int], Any]:
        rows = self._rows
        if column in self._MONEY:
            attribute = self._MONEY[column]
            return lambda i: (getattr(rows[i], attribute), rows[i].name.casefold())
        if column == self.DECISIONS:
            return lambda i: (rows[i].decisions, rows[i].name.casefold())
        if column == self.DIVISION:
            return lambda i: (rows[i].area.casefold(), rows[i].name.casefold())
        return lambda i: rows[i].name.casefold()

    def _apply_sort(self) -> None:
        self._order.sort(key=self._sort_key(self._sort_column),
                         reverse=self._sort_order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        kept = [(p, self._order[p.row()]) for p in persistent if p.isValid()]
        self._sort_column, self._sort_order = column, order
        self._apply_sort()
        position = {i: n for n, i in enumerate(self._order)}
        self.changePersistentIndexList([p for p, _ in kept], [self.index(position[i], p.column()) for p, i in kept])
        self.layoutChanged.emit()


# --- the chart ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartRow:
    """One member's bar as laid out: geometry in widget pixels, figures in pence."""

    member_id: int
    name: str
    allotted_pence: int
    approved_pence: int
    committed_pence: int
    remaining_pence: int
    share: Fraction  # committed + approved over allotted, exactly, 0–1
    untouched: bool
    row: QRectF  # the whole line (label, bar and figure)
    bar: QRectF  # the full allotment
    approved: QRectF
    committed: QRectF
    remaining: QRectF


class MembersChart(QWidget):
    """One horizontal stacked bar per member — approved, committed, remaining of the allotment — sorted
    by the share used, members who have not used their pot in amber. Painted with QPainter."""

    MARGIN = 8
    MIN_ROW_H = 20
    MAX_ROW_H = 30
    LEGEND = ((APPROVED_COLOUR, N_("Approved")), (COMMITTED_COLOUR, N_("Committed (waiting for the officer)")),
              (REMAINING_COLOUR, N_("Remaining")), (None, N_("● Not used yet")))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("membersChart")
        self.setAccessibleName(self.tr("Chart of each member's pot"))
        self.setMouseTracking(True)
        self.setAutoFillBackground(True)
        self._positions: list[Any] = []
        self.year_label = ""

    def set_positions(self, positions: Sequence[Any], year_label: str = "") -> None:
        self._positions = sorted(positions, key=lambda p: (-p.spent_share, -p.approved_pence, p.name.casefold()))
        self.year_label = year_label
        self.setMinimumHeight(int(self._legend(420)[1]) + self.MARGIN * 2 + self.MIN_ROW_H * len(self._positions))
        unused = [p.name for p in self._positions if p.untouched]
        self.setAccessibleDescription(
            ngettext("{n} member's {year} pot, most used first.", "{n} members' {year} pots, most used first.",
                     len(self._positions)).format(n=len(self._positions), year=year_label) + " "
            + (self.tr("Not used yet: {names}.").format(names=", ".join(unused)) if unused
               else self.tr("Every member has used some of their pot.")))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(460, 60 + 24 * max(len(self._positions), 1))

    def _legend(self, width: float) -> tuple[list[tuple[QRectF, QRectF, str | None, str]], float]:
        """Legend entries (swatch, text box, colour, text), flowing onto more lines when narrow, and
        the height they take."""
        fm = QFontMetrics(self._bold())
        x, y, line_h = float(self.MARGIN), float(self.MARGIN), 22.0
        out = []
        for colour, words in self.LEGEND:
            text = self.tr(words)
            swatch_w = 20.0 if colour else 0.0
            w = swatch_w + fm.horizontalAdvance(text) + 6
            if x > self.MARGIN and x + w > width - self.MARGIN:
                x, y = float(self.MARGIN), y + line_h
            out.append((QRectF(x, y + 4, 14, 14), QRectF(x + swatch_w, y, w - swatch_w, line_h), colour, text))
            x += w + 16
        return out, y + line_h + 6 - self.MARGIN

    def _bold(self) -> QFont:
        bold = QFont(self.font())
        bold.setBold(True)
        return bold

    def _columns(self, width: float) -> tuple[float, float]:
        """Widths of the name column and of the figure after each bar."""
        bold = QFontMetrics(self._bold())
        names = max((bold.horizontalAdvance("● " + p.name) for p in self._positions), default=80) + 4
        figure = QFontMetrics(self.font()).horizontalAdvance(self.tr("{amount} left").format(amount="£10,000.00")) + 8
        return float(min(names, max(110.0, width * 0.38))), float(figure)

    def layout_rows(self, width: float | None = None, height: float | None = None) -> list[ChartRow]:
        """The bars as they are (or would be) drawn at this size, top to bottom."""
        w = float(width if width is not None else self.width())
        h = float(height if height is not None else self.height())
        n = len(self._positions)
        if not n:
            return []
        top = self.MARGIN + self._legend(w)[1]
        row_h = max(self.MIN_ROW_H, min(self.MAX_ROW_H, (h - top - self.MARGIN) / n))
        label_w, figure_w = self._columns(w)
        bar_x = self.MARGIN + label_w + 8
        bar_full = max(w - bar_x - figure_w - self.MARGIN - 6, 20.0)
        biggest = max((p.allotted_pence for p in self._positions), default=0)
        bar_h = max(10.0, row_h * 0.62)
        rows = []
        for k, p in enumerate(self._positions):
            y = top + k * row_h
            line = QRectF(self.MARGIN, y, w - 2 * self.MARGIN, row_h)
            length = bar_full * p.allotted_pence / biggest if biggest > 0 and p.allotted_pence > 0 else 0.0
            by = y + (row_h - bar_h) / 2
            bar = QRectF(bar_x, by, length, bar_h)
            whole = max(p.allotted_pence, p.approved_pence + p.committed_pence, 1)
            a = length * max(p.approved_pence, 0) / whole
            c = length * max(p.committed_pence, 0) / whole
            approved = QRectF(bar_x, by, a, bar_h)
            committed = QRectF(bar_x + a, by, c, bar_h)
            remaining = QRectF(bar_x + a + c, by, max(length - a - c, 0.0), bar_h)
            rows.append(ChartRow(p.member_id, p.name, p.allotted_pence, p.approved_pence, p.committed_pence,
                                 p.remaining_pence, p.spent_share, p.untouched, line, bar, approved, committed,
                                 remaining))
        return rows

    def row_at(self, x: float, y: float) -> ChartRow | None:
        return next((r for r in self.layout_rows() if r.row.contains(x, y)), None)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            pos = e.pos()
            r = self.row_at(pos.x(), pos.y())
            if r is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), (
                    f"<b>{escape(r.name)}</b><br>"
                    + self.tr("Allotted {allotted}<br>Approved {approved}<br>Committed {committed}<br>"
                              "Remaining {remaining}<br>{percent} used").format(
                        allotted=format_money(r.allotted_pence), approved=format_money(r.approved_pence),
                        committed=format_money(r.committed_pence), remaining=format_money(r.remaining_pence),
                        percent=f"{round(r.share * 100)}%")
                    + ("<br><i>" + self.tr("Not used yet") + "</i>" if r.untouched else "")), self)
            return True
        return super().event(e)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        font, bold = QFont(self.font()), self._bold()
        for swatch, box, colour, text in self._legend(self.width())[0]:
            if colour:
                p.setPen(QPen(QColor("#9ca3af")))
                p.setBrush(QColor(colour))
                p.drawRect(swatch)
            p.setFont(font if colour else bold)
            p.setPen(QColor("#111827" if colour else UNUSED_COLOUR))
            p.drawText(box, int(Qt.AlignmentFlag.AlignVCenter), text)
        rows = self.layout_rows()
        if not rows:
            p.setFont(font)
            p.setPen(QColor("#4b5563"))
            p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.tr("No members in this fund."))
            p.end()
            return
        label_w, _figure_w = self._columns(self.width())
        metrics = QFontMetrics(font)
        for r in rows:
            if r.untouched:
                p.fillRect(r.row, QColor(UNUSED_BACKGROUND))
            p.setFont(bold if r.untouched else font)
            fm = QFontMetrics(bold if r.untouched else font)
            p.setPen(QColor(UNUSED_COLOUR if r.untouched else "#111827"))
            name = ("● " if r.untouched else "") + r.name
            p.drawText(QRectF(self.MARGIN, r.row.top(), label_w, r.row.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_w)))
            p.setFont(font)
            if r.bar.width() <= 0:
                p.setPen(QColor("#4b5563"))
                p.drawText(QRectF(r.bar.left(), r.row.top(), 200, r.row.height()), int(Qt.AlignmentFlag.AlignVCenter),
                           self.tr("No allotment"))
                continue
            p.setPen(Qt.PenStyle.NoPen)
            for rect, colour in ((r.approved, APPROVED_COLOUR), (r.committed, COMMITTED_COLOUR),
                                 (r.remaining, REMAINING_COLOUR)):
                if rect.width() > 0:
                    p.fillRect(rect, QColor(colour))
            p.setPen(QPen(QColor(UNUSED_COLOUR if r.untouched else "#9ca3af"), 1.5 if r.untouched else 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.bar)
            p.setPen(QColor("#111827"))
            room = self.width() - r.bar.right() - 6 - self.MARGIN
            p.drawText(QRectF(r.bar.right() + 6, r.row.top(), room, r.row.height()),
                       int(Qt.AlignmentFlag.AlignVCenter),
                       metrics.elidedText(self.tr("{amount} left").format(amount=format_money(max(r.remaining_pence, 0))),
                                          Qt.TextElideMode.ElideRight, int(room)))
        p.end()


# --- the dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    year: int
    years: tuple[int, ...]
    fund_name: str
    positions: tuple[Any, ...]
    plan: Any
    spend_by: date | None


def _fund_spend_by(db: Any, fund_code: str, year: int) -> date | None:
    """The last day the year's pots can be used (worker thread)."""
    from grantdesk.services.allocations import spend_by_day

    return spend_by_day(db, fund_code, year)


def _refuse_in(dialog: Any, error: BaseException) -> None:
    """A refusal of what a dialog asked for is shown in the dialog (if it is still open), its form kept."""
    if isValid(dialog):
        dialog.show_error(refusal_text(error))


class MembersDashboard(QWidget):
    """Every member's pot in a fund for a financial year. ``start()`` loads it; ``loaded`` fires after
    each load, ``changed`` after this window sets allotments or runs a year-end (other windows learn of
    it from the operations' broadcast, not from this signal), and ``statement_requested`` (member id,
    financial year) when the officer asks for a member's statement. Changes made in other windows to
    what it shows (``FOLLOWS``) reload it."""

    loaded = Signal()
    changed = Signal()
    statement_requested = Signal(int, int)
    settings_requested = Signal(str)  # a Fund Settings page to open ("members": the fund has none yet)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.db = db
        self.runner = runner
        self.fund_code = fund_code
        self._today = today
        self.year = financial_year_of(self.today)
        self.snapshot: _Snapshot | None = None
        self.allotments_dialog: AllotmentsDialog | None = None
        self.year_end_dialog: YearEndDialog | None = None
        self.setObjectName("membersDashboard")
        self.setWindowTitle(self.tr("Members' pots — {code}").format(code=fund_code))
        self._build()
        self.resize(1280, 800)
        follow_changes(self, FOLLOWS, self._changed_elsewhere)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _changed_elsewhere(self, _changes: Changes) -> None:
        """Another window recorded a decision, an approval, a payment…: show the pots as they are now."""
        self.load(self.year)

    # --- construction -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        self.year_combo.setAccessibleName(self.tr("Financial year"))
        self.year_combo.addItem(financial_year_label(self.year), self.year)
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)
        year_label = QLabel(self.tr("Financial &year"))
        year_label.setBuddy(self.year_combo)
        self.title_label = QLabel()
        self.title_label.setObjectName("dashboardTitle")
        self.allot_button = action_button(self.tr("Set &allotments…"), "Ctrl+Shift+A", self.open_allotments, "allotmentsButton")
        self.year_end_button = action_button(self.tr("Year-&end…"), "Ctrl+Shift+Y", self.open_year_end, "yearEndButton")
        self.statement_button = action_button(self.tr("&Statement…"), "Ctrl+Shift+S", self.request_statement, "statementButton")
        self.refresh_button = action_button(self.tr("Refresh"), "F5", self.start, "refreshButton")
        top = QHBoxLayout()
        top.addWidget(year_label)
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        top.addWidget(self.title_label, 1)
        for b in (self.allot_button, self.year_end_button, self.statement_button, self.refresh_button):
            top.addWidget(b)

        self.banner = QLabel()
        self.banner.setObjectName("spendByBanner")
        self.banner.setAccessibleName(self.tr("Spend-by reminder"))
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.notice = QLabel()
        self.notice.setObjectName("dashboardNotice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.hide()
        # A fund with no members yet: what to do next, with the button for it.
        self.no_members = QWidget()
        self.no_members.setObjectName("noMembers")
        self.no_members_label = QLabel(self.tr(
            "This fund has no members yet. Add its councillors, the division each represents and their yearly "
            "pots in Fund Settings; their pots then show here."))
        self.no_members_label.setWordWrap(True)
        self.add_members_button = action_button(self.tr("Add &members…"), None,
                                                lambda: self.settings_requested.emit("members"), "addMembersButton")
        nm = QHBoxLayout(self.no_members)
        nm.setContentsMargins(0, 4, 0, 4)
        nm.addWidget(self.no_members_label, 1)
        nm.addWidget(self.add_members_button)
        self.no_members.hide()

        self.model = MembersTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("membersTable")
        self.table.setAccessibleName(self.tr("Members' pots"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(MembersTableModel.MEMBER, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MembersTableModel.MEMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MembersTableModel.DIVISION, QHeaderView.ResizeMode.Stretch)
        for col in range(MembersTableModel.ALLOTTED, MembersTableModel.DECISIONS + 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _i: self.request_statement())
        self.totals_label = QLabel()
        self.totals_label.setObjectName("totalsLabel")
        self.totals_label.setAccessibleName(self.tr("Totals for all members"))
        self.totals_label.setWordWrap(True)

        table_box = QWidget()
        tl = QVBoxLayout(table_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.totals_label)

        self.chart = MembersChart()
        chart_scroll = QScrollArea()
        chart_scroll.setObjectName("chartScroll")
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.chart)
        chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        chart_box = QGroupBox(self.tr("Share of each pot used"))
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(4, 8, 4, 4)
        cl.addWidget(chart_scroll)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(table_box)
        splitter.addWidget(chart_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([810, 450])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.no_members)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # --- loading --------------------------------------------------------------------------------
    def start(self) -> None:
        self.load(self.year)

    def load(self, year: int) -> None:
        code, today = self.fund_code, self.today

        def fetch(db) -> _Snapshot:
            from grantdesk.services.allocations import member_positions, year_end_plan
            from grantdesk.services.funds import list_funds

            fund = next((f for f in list_funds(db) if f.code == code), None)
            current = financial_year_of(today)
            years = {current - 1, current, current + 1, year}
            if fund is not None:
                years |= {r.financial_year for r in fund.rounds}
            return _Snapshot(year, tuple(sorted(years, reverse=True)), fund.name if fund else code,
                             tuple(member_positions(db, code, year)), year_end_plan(db, code, year),
                             _fund_spend_by(db, code, year))

        Query(self, fetch).success(self._on_loaded).run()

    def _on_loaded(self, snap: _Snapshot) -> None:
        self.snapshot = snap
        self.year = snap.year
        keep = set(self.selected_member_ids())
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in snap.years:
            self.year_combo.addItem(self.tr("{year} (this year)").format(year=financial_year_label(y))
                                    if y == financial_year_of(self.today) else financial_year_label(y), y)
        self.year_combo.setCurrentIndex(self.year_combo.findData(snap.year))
        self.year_combo.blockSignals(False)
        label = financial_year_label(snap.year)
        self.setWindowTitle(self.tr("Members' pots — {fund} — {year}").format(fund=snap.fund_name, year=label))
        count = len(snap.positions)
        members = ngettext("{n} member", "{n} members", count).format(n=count)
        spend = (" · " + self.tr("pots close {date}").format(date=format_date(snap.spend_by))) if snap.spend_by else ""
        self.title_label.setText(f"<b>{escape(snap.fund_name)}</b> — {members}{spend}")
        self.model.set_positions(snap.positions)
        for member_id in keep:
            row = self.model.row_for_member(member_id)
            if row is not None:
                self.table.selectionModel().select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        self.chart.set_positions(snap.positions, label)
        self._show_totals(snap.positions)
        self._show_banner(snap)
        self.no_members.setVisible(not snap.positions)
        self._update_buttons()
        self.loaded.emit()

    def _show_totals(self, positions: Sequence[Any]) -> None:
        def total(attr: str) -> str:
            return format_money(sum(getattr(p, attr) for p in positions))

        unused = sum(1 for p in positions if p.untouched)
        figures = ngettext(
            "All {n} member: allotted {allotted} · committed {committed} · approved {approved} · paid {paid} · "
            "remaining {remaining}",
            "All {n} members: allotted {allotted} · committed {committed} · approved {approved} · paid {paid} · "
            "remaining {remaining}", len(positions)).format(
            n=len(positions), allotted=total("allotted_pence"), committed=total("committed_pence"),
            approved=total("approved_pence"), paid=total("paid_pence"), remaining=total("remaining_pence"))
        self.totals_label.setText(
            figures + (". " + self.tr("<span style='color:{colour}'><b>{n} not used yet</b></span> (shaded).").format(
                colour=UNUSED_COLOUR, n=unused) if unused else "."))

    def _show_banner(self, snap: _Snapshot) -> None:
        text = self.banner_text(snap)
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def banner_text(self, snap: _Snapshot | None = None) -> str:
        """The reminder shown when the year's spend-by day is near (or past without a year-end)."""
        snap = snap or self.snapshot
        if snap is None or snap.spend_by is None or snap.plan.done:
            return ""
        label = financial_year_label(snap.year)
        days = (snap.spend_by - self.today).days
        left = sorted((p for p in snap.positions if p.remaining_pence > 0),
                      key=lambda p: (-p.remaining_pence, p.name.casefold()))
        if days < 0:
            return self.tr("The {year} pots closed on {date}. Run the year-end when every recommendation has been "
                           "approved or returned.").format(year=label, date=format_date(snap.spend_by))
        if days > BANNER_DAYS or not left:
            return ""
        when = self.tr("today") if days == 0 else (self.tr("tomorrow") if days == 1 else
                                                    ngettext("in {n} day", "in {n} days", days).format(n=days))
        unused = [p for p in left if p.untouched]
        partly = [p for p in left if not p.untouched]
        parts = []
        if unused:
            parts.append(self.tr("<b>Not used their pot yet:</b> {names}.").format(
                names=escape(", ".join(p.name for p in unused))))
        if partly:
            names = escape("; ".join(f"{p.name} ({format_money(p.remaining_pence)})" for p in partly))
            parts.append((self.tr("<b>Still with money left:</b> {names}.") if not unused
                          else self.tr("<b>Also with money left:</b> {names}.")).format(names=names))
        return ngettext("<b>The {year} pots close on {date}, {when}; {n} member has money left.</b>",
                        "<b>The {year} pots close on {date}, {when}; {n} members have money left.</b>",
                        len(left)).format(year=label, date=format_date(snap.spend_by), when=when,
                                          n=len(left)) + " " + " ".join(parts)

    def _on_year_chosen(self, index: int) -> None:
        year = self.year_combo.itemData(index)
        if year is not None and year != self.year:
            self.year = year
            self.load(year)

    # --- selection and buttons ----------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.table.selectionModel().selectedRows())

    def selected_positions(self) -> list[Any]:
        return [self.model.position_at(r) for r in self.selected_rows()]

    def selected_member_ids(self) -> list[int]:
        return [p.member_id for p in self.selected_positions()]

    def select_member(self, member_id: int) -> None:
        row = self.model.row_for_member(member_id)
        if row is not None:
            self.table.selectRow(row)

    def chart_rows(self) -> list[ChartRow]:
        """The chart's bars as laid out now (one per member, most used first)."""
        return self.chart.layout_rows()

    def _update_buttons(self) -> None:
        ready = self.snapshot is not None
        self.allot_button.setEnabled(ready)
        self.year_end_button.setEnabled(ready)
        self.statement_button.setEnabled(ready and len(self.selected_rows()) == 1)

    def show_refusal(self, text: str) -> None:
        """A refusal, or something the officer must do first, in the window's notice line."""
        self.notice.setText(text)
        self.notice.setStyleSheet(ERROR_STYLE)
        self.notice.show()

    def show_message(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setStyleSheet(OK_STYLE)
        self.notice.show()

    # --- allotments ---------------------------------------------------------------------------------
    def open_allotments(self) -> AllotmentsDialog | None:
        if self.snapshot is None:
            return None
        dialog = AllotmentsDialog(self.year, self.snapshot.positions, self.selected_positions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda amount, ids: self._save_allotments(dialog, amount, ids))
        self.allotments_dialog = dialog
        dialog.open()
        return dialog

    def _save_allotments(self, dialog: AllotmentsDialog, amount: int, member_ids: list[int] | None) -> None:
        code, year = self.fund_code, self.year

        def work(db) -> int:
            from grantdesk.services.allocations import set_allotments

            return set_allotments(db, code, year, amount, member_ids=member_ids)

        def done(count: int) -> None:
            if isValid(dialog):
                dialog.accept()
            self.show_message(ngettext("Set {n} member's {year} allotment to {amount}.",
                                       "Set {n} members' {year} allotment to {amount}.", count).format(
                n=count, year=financial_year_label(year), amount=format_money(amount)))
            self.changed.emit()
            self.load(year)

        Op(self, work).success(done).failure(lambda error: _refuse_in(dialog, error)).run()

    # --- the year-end ---------------------------------------------------------------------------------
    def open_year_end(self) -> None:
        code, year = self.fund_code, self.year

        def fetch(db):
            from grantdesk.services.allocations import year_end_plan

            return year_end_plan(db, code, year), _fund_spend_by(db, code, year)

        Query(self, fetch).success(lambda result: self._show_year_end(*result)).run()

    def _show_year_end(self, plan: Any, spend_by: date | None) -> None:
        dialog = YearEndDialog(plan, spend_by, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.run_requested.connect(lambda: self._run_year_end(dialog))
        self.year_end_dialog = dialog
        dialog.open()

    def _run_year_end(self, dialog: YearEndDialog) -> None:
        code, year, today = self.fund_code, dialog.plan.year, self.today

        def work(db):
            from grantdesk.services.allocations import run_year_end

            return run_year_end(db, code, year, today=today)

        def done(plan) -> None:
            if isValid(dialog):
                dialog.show_done(plan)
            self.show_message(self.tr("The {year} year-end has been run: {summary}").format(
                year=financial_year_label(year), summary=plan.summary()))
            self.changed.emit()
            self.load(self.year)

        Op(self, work).success(done).failure(lambda error: _refuse_in(dialog, error)).run()

    # --- statement ----------------------------------------------------------------------------------
    def request_statement(self) -> None:
        chosen = self.selected_member_ids()
        if len(chosen) != 1:
            self.show_refusal(self.tr("Choose one member in the table to make their statement."))
            return
        self.statement_requested.emit(chosen[0], self.year)
