"""Retention: how long the fund keeps people's details, what is due for removal on a day, and removing it
after asking (``grantdesk.services.retention``). For managers: the service checks the role, and a
refusal is shown here in its words.

The plan is a ``Query``; saving the periods and the run are one ``Op`` each. The window follows
applications, awards and funds changed elsewhere, so the plan is never stale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.widgets import action_button, labelled


class RowsModel(QAbstractTableModel):
    """A read-only table of display texts; ``items[row]`` is the object behind a row."""

    def __init__(self, headers: list[str], parent=None):
        super().__init__(parent)
        self.headers = headers
        self.rows: list[tuple[str, ...]] = []
        self.items: list[Any] = []

    def set_rows(self, items: list[Any], rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.items, self.rows = items, rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


def table_view(model: RowsModel, name: str) -> QTableView:
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


def _short(day: date | None) -> str:
    return format_date(day, style="short")


class RetentionWindow(QWidget):
    """The fund's retention periods, the plan for a day, and the run."""

    loaded = Signal()  # a plan is shown
    ran = Signal(object)  # a run finished: its RetentionRun

    def __init__(self, db: Any, runner: Any, fund_code: str, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(parent)
        self.db, self.runner, self.fund_code = db, runner, fund_code
        self.plan = None
        self.confirm_box: QMessageBox | None = None
        self.setWindowTitle(self.tr("Retention — {code}").format(code=fund_code))
        self.setAccessibleName(self.tr("Retention"))

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)

        periods = QGroupBox(self.tr("How long personal details are kept"))
        form = QFormLayout(periods)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.unsuccessful_spin = self._years()
        self.award_spin = self._years()
        self.draft_spin = self._years()
        form.addRow(labelled(self.tr("&Unsuccessful applications, years after the decision:"),
                             self.unsuccessful_spin), self.unsuccessful_spin)
        form.addRow(labelled(self.tr("A&wards, years after the end of their financial year (31 March):"),
                             self.award_spin), self.award_spin)
        form.addRow(labelled(self.tr("D&rafts never submitted, years after their last change:"), self.draft_spin),
                    self.draft_spin)
        self.save_button = action_button(self.tr("&Save Periods"), None, self.save_periods, "savePeriods")
        form.addRow("", self.save_button)

        self.as_of_edit = QDateEdit(QDate(today or date.today()))
        self.as_of_edit.setDisplayFormat("dd/MM/yyyy")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.dateChanged.connect(lambda _d: self.refresh())
        as_of_row = QHBoxLayout()
        as_of_row.addWidget(labelled(self.tr("What is due on &this day:"), self.as_of_edit))
        as_of_row.addWidget(self.as_of_edit)
        as_of_row.addStretch(1)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.model = RowsModel([self.tr("Kind"), self.tr("Reference"), self.tr("Kept until"), self.tr("Due from")],
                               self)
        self.view = table_view(self.model, self.tr("Applications due for removal"))

        self.explain = QLabel(self.tr(
            "A run removes contacts' names, e-mails and phones, individual applicants' names and addresses, "
            "unregistered groups' addresses, documents, photos and answers to the fund's questions, and cuts "
            "those names out of notes and reasons. It keeps references, amounts, dates, areas, decisions and "
            "outcomes, payments, and organisations' public identifiers, so reports and open data still add up. "
            "The run is recorded in the audit log with counts only."))
        self.explain.setWordWrap(True)
        self.explain.setTextFormat(Qt.TextFormat.PlainText)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setAccessibleName(self.tr("Message"))

        self.run_button = action_button(self.tr("&Remove Due Details…"), None, self.ask_run, "runRetention")
        self.run_button.setEnabled(False)
        self.close_button = action_button(self.tr("&Close"), None, self.close, "closeRetention")
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(periods)
        layout.addLayout(as_of_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.explain)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        follow_changes(self, {Kind.APPLICATIONS, Kind.AWARDS, Kind.FUNDS}, lambda _c: self.refresh())

    def _years(self) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, 50)
        spin.setMinimumWidth(110)

        def suffix(value: int) -> None:
            spin.setSuffix(self.tr(" year") if value == 1 else self.tr(" years"))

        spin.valueChanged.connect(suffix)
        suffix(spin.value())
        return spin

    # --- reading ----------------------------------------------------------------------------------------
    def start(self) -> None:
        self.refresh()

    def as_of(self) -> date:
        return self.as_of_edit.date().toPython()

    def refresh(self) -> None:
        code, day = self.fund_code, self.as_of()

        def work(db):
            from grantdesk.services.retention import retention_plan

            return retention_plan(db, code, day)

        Query(self, work).success(self._show).run()

    def _show(self, plan) -> None:
        from grantdesk.domain.retention import KIND_LABELS

        self.plan = plan
        self.heading.setText(self.tr("Retention of personal details — {fund}").format(fund=plan.fund_name))
        for spin, value in ((self.unsuccessful_spin, plan.periods.unsuccessful_years),
                            (self.award_spin, plan.periods.award_years), (self.draft_spin, plan.periods.draft_years)):
            spin.setValue(value)
        counts = plan.counts
        self.summary.setText(self.tr(
            "Due on {day}: {unsuccessful} unsuccessful, {awards} awarded and {drafts} draft application(s). "
            "{held} still held; {before} removed by earlier runs.").format(
            day=_short(plan.as_of), unsuccessful=counts["unsuccessful"], awards=counts["award"],
            drafts=counts["draft"], held=plan.held, before=plan.erased_before))
        self.model.set_rows(list(plan.due), [(self.tr(KIND_LABELS[r.kind]), r.reference, _short(r.held_until),
                                              _short(r.due_on)) for r in plan.due])
        self.run_button.setEnabled(bool(plan.due))
        self.loaded.emit()

    # --- changing -----------------------------------------------------------------------------------------
    def show_refusal(self, text: str) -> None:
        self.notice.setText(text)

    def save_periods(self) -> None:
        code = self.fund_code
        values = dict(unsuccessful_years=self.unsuccessful_spin.value(), award_years=self.award_spin.value(),
                      draft_years=self.draft_spin.value())

        def work(db):
            from grantdesk.services.retention import set_retention_periods

            return set_retention_periods(db, code, **values)

        def done(_periods) -> None:
            self.notice.setText(self.tr("Saved the retention periods."))
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))).run()

    def ask_run(self) -> QMessageBox | None:
        """Ask, then remove the details due (one transaction)."""
        if self.plan is None or not self.plan.due:
            return None
        n = len(self.plan.due)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Remove personal details"),
                          self.tr("Remove the personal details of %n application(s) due on {day}? Names, e-mails, "
                                  "phones, addresses and documents go for good; amounts, dates and decisions stay. "
                                  "This cannot be undone.", "", n).format(day=_short(self.plan.as_of)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("retentionConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(self.run)
        self.confirm_box = box
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def run(self) -> None:
        code, day = self.fund_code, self.as_of()

        def work(db):
            from grantdesk.services.retention import run_retention

            return run_retention(db, code, as_of=day)

        def done(result) -> None:
            self.notice.setText(self.tr("Removed the personal details of %n application(s): {what}.", "",
                                        result.applications).format(what=result.erased.summary()))
            self.ran.emit(result)
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))) \
            .with_progress(self.tr("Removing personal details")).run()


def open_retention_window(main_window: Any) -> RetentionWindow | None:
    """Fund ▸ Retention…: the selected fund's retention window (one per fund)."""
    if not main_window._fund_chosen():
        return None
    return main_window._fund_window("retention", lambda code: _sized(RetentionWindow(
        main_window.db, main_window.runner, code, main_window)))


def _sized(window: QWidget) -> QWidget:
    window.resize(1100, 720)
    return window
