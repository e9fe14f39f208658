"""Payments and monitoring for a fund: what is overdue or due soon, and every award with what is paid,
outstanding, returned and held back — record a payment, money coming back, or a report received.

Every action is one ``Op`` (one service call, one transaction, broadcast when it commits) and every
read a ``Query``; refusals (an over-payment, a holdback, more back than was paid) are shown in the
window in the services' words. The window follows awards and applications changed in other windows
(a payment in another payments window, an award made in the main window), so it never goes stale.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date
from grantdesk.domain.errors import GrantDeskError
from grantdesk.domain.money import format_money, parse_money
from grantdesk.i18n import N_, ngettext
from grantdesk.i18n import _ as core_text  # the core's report labels, translated
from ui.operations import Op, Query, follow_changes
from ui.tasks import TaskRunner
from ui.widgets import action_button

OVERDUE = QColor("#fee2e2")
SOON = QColor("#fef3c7")


PLAN_WORDS = {"full": N_("full"), "instalments": N_("instalments"), "on_claim": N_("on claim")}  # payment plan kinds


def _due(days: int, overdue: bool) -> str:
    """"overdue by 19 days", "due today", "due in 1 day"."""
    if overdue:
        return ngettext("overdue by {n} day", "overdue by {n} days", -days).format(n=-days)
    if days == 0:
        return QCoreApplication.translate("PaymentsWindow", "due today")
    return ngettext("due in {n} day", "due in {n} days", days).format(n=days)


class _Table(QAbstractTableModel):
    """A read-only table over a list of rows, each a tuple of display texts; ``item(row)`` gives the
    object behind a row. Sorting is not needed: the services return them in a useful order."""

    def __init__(self, headers: list[str], right: set[int] | None = None, parent=None):
        super().__init__(parent)
        self.headers, self.right = headers, right or set()
        self.rows: list[tuple[str, ...]] = []
        self.items: list[Any] = []
        self.shades: list[QColor | None] = []

    def set_rows(self, items: list[Any], rows: list[tuple[str, ...]], shades: list[QColor | None]) -> None:
        self.beginResetModel()
        self.items, self.rows, self.shades = items, rows, shades
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and self.shades[index.row()] is not None:
            return QBrush(self.shades[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


def _table(model: _Table, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class MoneyDialog(QDialog):
    """A payment, or money coming back (underspend or clawback, with a reason)."""

    def __init__(self, title: str, *, back: bool, parent=None, today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.amount = QLineEdit()
        self.amount.setAccessibleName(self.tr("Amount"))
        form.addRow(self.tr("&Amount:"), self.amount)
        self.day = QDateEdit(QDate(today or date.today()))
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName(self.tr("Date"))
        form.addRow(self.tr("&Date:"), self.day)
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind"))
        self.method = QLineEdit("BACS")
        self.reference = QLineEdit()
        self.reason = QLineEdit()
        if back:
            self.kind.addItem(self.tr("Underspend returned"), "underspend")
            self.kind.addItem(self.tr("Clawed back"), "clawback")
            form.addRow(self.tr("&Kind:"), self.kind)
            self.reason.setAccessibleName(self.tr("Reason"))
            form.addRow(self.tr("&Reason:"), self.reason)
        else:
            self.method.setAccessibleName(self.tr("Method"))
            form.addRow(self.tr("&Method:"), self.method)
            self.reference.setAccessibleName(self.tr("Payment reference"))
            form.addRow(self.tr("&Reference:"), self.reference)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #991b1b;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.pence = 0

    def _check(self) -> None:
        try:
            self.pence = parse_money(self.amount.text(), field="amount")
        except GrantDeskError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def chosen_day(self) -> date:
        return self.day.date().toPython()


class PaymentsWindow(QWidget):
    """A fund's payments and monitoring. ``start()`` loads; ``loaded`` after each load."""

    loaded = Signal()

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(parent)
        self.db, self.runner, self.fund_code = db, runner, fund_code
        self.today = today or date.today()
        self.setWindowTitle(self.tr("Payments and monitoring — {0}").format(fund_code))
        self.due_model = _Table([self.tr("Reference"), self.tr("Organisation"), self.tr("Report"), self.tr("Due"),
                                 self.tr("Status")])
        self.due_view = _table(self.due_model, self.tr("Reports overdue or due soon"))
        self.award_model = _Table([self.tr("Reference"), self.tr("Organisation"), self.tr("Awarded"), self.tr("Paid"),
                                   self.tr("Outstanding"), self.tr("Back"), self.tr("Held back"), self.tr("Plan")],
                                  right={2, 3, 4, 5, 6})
        self.award_view = _table(self.award_model, self.tr("Awards"))
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.hide()
        self.received_button = action_button(self.tr("Report &received"), "Ctrl+R", self.mark_received)
        self.pay_button = action_button(self.tr("Record &payment…"), "Ctrl+P", self.ask_payment)
        self.back_button = action_button(self.tr("Money &back…"), "Ctrl+B", self.ask_return)
        self.evidence_button = action_button(self.tr("Add &evidence of spend…"), "Ctrl+E", self.ask_evidence)

        due_box = QWidget()
        dl = QVBoxLayout(due_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(QLabel(self.tr("<b>Reports overdue or due in the next 30 days</b>")))
        dl.addWidget(self.due_view)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.received_button)
        dl.addLayout(row)
        awards_box = QWidget()
        al = QVBoxLayout(awards_box)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(QLabel(self.tr("<b>Awards</b>")))
        al.addWidget(self.award_view)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.evidence_button)
        row.addWidget(self.pay_button)
        row.addWidget(self.back_button)
        al.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(due_box)
        splitter.addWidget(awards_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self.resize(1100, 720)
        follow_changes(self, {Kind.AWARDS, Kind.APPLICATIONS}, lambda _changes: self.start())

    # --- loading ---------------------------------------------------------------------------------
    def start(self) -> None:
        code, today = self.fund_code, self.today

        def fetch(db):
            from grantdesk.services.payments import fund_awards, overdue_and_due_soon

            return overdue_and_due_soon(db, code, today=today), fund_awards(db, code)

        Query(self, fetch).success(lambda result: self._show(*result)).run()

    def _show(self, due, awards) -> None:
        chosen = {view: getattr(self._selected(view, model), key, None)
                  for view, model, key in ((self.due_view, self.due_model, "id"),
                                           (self.award_view, self.award_model, "award_id"))}
        self.due_model.set_rows(
            list(due),
            [(d.reference, d.organisation, core_text(d.label), format_date(d.due_on), _due(d.days, d.overdue))
             for d in due],
            [OVERDUE if d.overdue else SOON for d in due])
        self.award_model.set_rows(
            list(awards),
            [(a.reference, a.organisation, format_money(a.position.awarded_pence), format_money(a.position.paid_pence),
              format_money(a.position.outstanding_pence),
              format_money(a.position.returned_pence + a.position.clawed_back_pence),
              format_money(a.position.held_back_pence),
              self.tr(PLAN_WORDS[a.position.plan]) if a.position.plan in PLAN_WORDS
              else a.position.plan.replace("_", " ")) for a in awards],
            [None] * len(awards))
        # the row chosen before a refresh stays chosen (a change made elsewhere must not lose it)
        for view, items, key in ((self.due_view, self.due_model.items, "id"),
                                 (self.award_view, self.award_model.items, "award_id")):
            row = next((i for i, x in enumerate(items) if getattr(x, key) == chosen[view]), None)
            if chosen[view] is not None and row is not None:
                view.selectRow(row)
        self.loaded.emit()

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, in the window's notice (the operations layer calls this)."""
        self.say(text, error=True)

    def say(self, text: str, *, error: bool = False) -> None:
        self.notice.setText(text)
        self.notice.setStyleSheet("padding: 6px; background: %s; color: %s;"
                                  % (("#fef2f2", "#991b1b") if error else ("#ecfdf5", "#065f46")))
        self.notice.show()

    def _selected(self, view: QTableView, model: _Table) -> Any:
        rows = view.selectionModel().selectedRows()
        return model.items[rows[0].row()] if rows else None

    # --- actions ---------------------------------------------------------------------------------
    def mark_received(self, on: date | None = None) -> None:
        item = self._selected(self.due_view, self.due_model)
        if item is None:
            self.say(self.tr("Choose a report in the list first."), error=True)
            return
        day = on or self.today

        def work(db):
            from grantdesk.services.payments import report_received

            return report_received(db, item.id, day)

        self._run(work, self.tr("{report} for {reference} marked received.").format(report=core_text(item.label),
                                                                                    reference=item.reference))

    def ask_payment(self) -> None:
        if self._selected(self.award_view, self.award_model) is None:
            self.say(self.tr("Choose an award in the list first."), error=True)
            return
        dialog = MoneyDialog(self.tr("Record a payment"), back=False, parent=self, today=self.today)
        if dialog.exec():
            self.record_payment(dialog.pence, dialog.chosen_day(), dialog.method.text(), dialog.reference.text())

    def record_payment(self, pence: int, day: date, method: str = "BACS", reference: str = "") -> None:
        line = self._selected(self.award_view, self.award_model)
        if line is None:
            return

        def work(db):
            from grantdesk.services.payments import record_payment

            return record_payment(db, line.award_id, pence, day, method=method, reference=reference)

        self._run(work, self.tr("Paid {amount} on {reference}.").format(amount=format_money(pence),
                                                                        reference=line.reference))

    def ask_return(self) -> None:
        if self._selected(self.award_view, self.award_model) is None:
            self.say(self.tr("Choose an award in the list first."), error=True)
            return
        dialog = MoneyDialog(self.tr("Money coming back"), back=True, parent=self, today=self.today)
        if dialog.exec():
            self.record_return(dialog.kind.currentData(), dialog.pence, dialog.chosen_day(), dialog.reason.text())

    def record_return(self, kind: str, pence: int, day: date, reason: str) -> None:
        line = self._selected(self.award_view, self.award_model)
        if line is None:
            return

        def work(db):
            from grantdesk.services.payments import record_return

            return record_return(db, line.award_id, kind, pence, day, reason=reason)

        self._run(work, self.tr("{amount} back on {reference}.").format(amount=format_money(pence),
                                                                        reference=line.reference))

    def ask_evidence(self) -> None:
        if self._selected(self.award_view, self.award_model) is None:
            self.say(self.tr("Choose an award in the list first."), error=True)
            return
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, self.tr("Add evidence of spend"), "",
                                              self.tr("Receipts and invoices") + " (*.pdf *.jpg *.jpeg *.png);;"
                                              + self.tr("All files") + " (*)")
        if path:
            self.add_evidence(path)

    def add_evidence(self, path: str) -> None:
        """Keep a receipt or invoice with the selected award's application."""
        from pathlib import Path

        line = self._selected(self.award_view, self.award_model)
        if line is None:
            return
        file = Path(path)
        try:
            data = file.read_bytes()  # a receipt the officer just chose: small, and read before the worker
        except OSError as exc:
            self.say(self.tr("“{file}” could not be read: {why}.").format(file=file.name, why=exc.strerror or exc),
                     error=True)
            return

        def work(db):
            from grantdesk.services.attachments import add_attachment

            return add_attachment(db, line.application_id, file.name, data, kind="evidence_of_spend")

        self._run(work, self.tr("Kept the evidence of spend with {0}.").format(line.reference))

    def _run(self, work: Callable[[Any], Any], done_text: str) -> None:
        """One user action: ``work`` is one service call in one transaction; then read the window again."""
        def done(_result) -> None:
            self.say(done_text)
            self.start()

        Op(self, work).success(done).run()
