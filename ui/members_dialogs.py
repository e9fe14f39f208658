"""The officer's dialogs on the members' pots: set the year's allotments (for every member or the
selected ones), and the year-end shown line by line before it runs (unspent money lapses, or rolls over
into next year's allotment). The Members' Pots window (``ui.members_dashboard``) opens them and runs
what they ask for; a refusal is shown in the dialog and its form kept.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.dates import financial_year_label, format_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money, parse_money

Index = QModelIndex | QPersistentModelIndex

ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"


def right_aligned() -> int:
    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class AllotmentsDialog(QDialog):
    """Set the year's allotment: one amount, for every member or for the selected ones only. The
    dashboard saves it; a refusal is shown here and the form kept."""

    submitted = Signal(int, object)  # amount in pence, member ids (None: every member)

    def __init__(self, year: int, positions: Sequence[Any], selected: Sequence[Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.year = year
        self.setWindowTitle(self.tr("Set allotments — {year}").format(year=financial_year_label(year)))
        self.setObjectName("allotmentsDialog")
        self.selected_ids = [p.member_id for p in selected]
        common = Counter(p.allotted_pence - p.rolled_over_pence for p in positions).most_common(1)
        default = common[0][0] if common and common[0][0] > 0 else 0
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The allotment each member has to recommend from in {year} (1 April – 31 March). "
                               "Money rolled over from last year is added to it.").format(
                                   year=financial_year_label(year)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.amount_edit = QLineEdit(format_money(default) if default else "")
        self.amount_edit.setObjectName("allotmentAmount")
        self.amount_edit.setAccessibleName(self.tr("Allotment per member"))
        self.amount_edit.setPlaceholderText("£2,500.00")
        form.addRow(self.tr("&Amount per member"), self.amount_edit)
        layout.addLayout(form)
        self.all_radio = QRadioButton(self.tr("For &every member of the fund ({n})").format(n=len(positions)))
        self.all_radio.setObjectName("allMembersRadio")
        self.all_radio.setAccessibleName(self.tr("For every member"))
        names = ", ".join(p.name for p in selected[:4])
        if len(selected) > 4:
            names = self.tr("{names} and {n} more").format(names=names, n=len(selected) - 4)
        self.selected_radio = QRadioButton(
            self.tr("For the &selected members only ({n}: {names})").format(n=len(selected), names=names) if selected
            else self.tr("For the &selected members only ({n})").format(n=len(selected)))
        self.selected_radio.setObjectName("selectedMembersRadio")
        self.selected_radio.setAccessibleName(self.tr("For the selected members only"))
        self.selected_radio.setEnabled(bool(selected))
        self.all_radio.setChecked(True)
        layout.addWidget(self.all_radio)
        layout.addWidget(self.selected_radio)
        self.error_label = QLabel()
        self.error_label.setObjectName("allotmentsError")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("allotmentsSave")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(480, 240)

    def _submit(self) -> None:
        try:
            amount = parse_money(self.amount_edit.text(), field="amount")
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        ids = list(self.selected_ids) if self.selected_radio.isChecked() else None
        self.save_button.setEnabled(False)
        self.submitted.emit(amount, ids)

    def show_error(self, text: str) -> None:
        self.save_button.setEnabled(True)
        self.error_label.setText(text)
        self.error_label.show()


class _LinesModel(QAbstractTableModel):
    """A small read-only table of prepared text (the year-end plan's lines)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = (), parent=None):
        super().__init__(parent)
        self.headers, self.rows, self.right = tuple(headers), [tuple(r) for r in rows], set(right)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right:
            return right_aligned()
        return None


class YearEndDialog(QDialog):
    """The year-end before it runs: each member's unspent money and what happens to it (it lapses, or
    rolls over into next year's allotment), with the summary; Run only while it has not been run."""

    run_requested = Signal()

    def __init__(self, plan: Any, spend_by: date | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("yearEndDialog")
        self.setWindowTitle(self.tr("Year-end — {year}").format(year=financial_year_label(plan.year)))
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("yearEndHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.table = QTableView()
        self.table.setObjectName("yearEndLines")
        self.table.setAccessibleName(self.tr("What happens to each member's unspent money"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        layout.addWidget(self.table, 1)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("yearEndSummary")
        self.summary_label.setAccessibleName(self.tr("Summary"))
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        layout.addWidget(self.summary_label)
        self.message_label = QLabel()
        self.message_label.setObjectName("yearEndMessage")
        self.message_label.setAccessibleName(self.tr("Message"))
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = QPushButton(self.tr("&Run the year-end"))
        self.run_button.setObjectName("runYearEndButton")
        self.run_button.setAccessibleName(self.tr("Run the year-end"))
        self.buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.clicked.connect(self._run)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.spend_by = spend_by
        self.plan = plan
        self.show_plan(plan)
        self.resize(720, 620)

    def show_plan(self, plan: Any) -> None:
        self.plan = plan
        label = financial_year_label(plan.year)
        nxt = financial_year_label(plan.year + 1)
        rolls = plan.mode == "roll_over"
        if plan.done:
            heading = (self.tr("<b>The {year} year-end has been run.</b> This fund's setting is that unspent money "
                               "rolls over into next year's allotment.") if rolls else
                       self.tr("<b>The {year} year-end has been run.</b> This fund's setting is that unspent money "
                               "lapses (it is not carried forward)."))
        else:
            heading = (self.tr("<b>Before the {year} year-end runs</b>: this fund's setting is that unspent money "
                               "rolls over into next year's allotment.") if rolls else
                       self.tr("<b>Before the {year} year-end runs</b>: this fund's setting is that unspent money "
                               "lapses (it is not carried forward)."))
        closes = (" " + self.tr("The pots close on {date}; the year-end runs after that.").format(
            date=format_date(self.spend_by))) if self.spend_by and not plan.done else ""
        self.heading.setText(heading.format(year=label) + closes)
        rows = []
        for line in plan.lines:
            effect = "—" if not line.unspent_pence else (self.tr("Rolls over") if rolls else self.tr("Lapses"))
            rows.append((line.name, format_money(line.unspent_pence), effect, format_money(line.next_year_pence)))
        model = _LinesModel((self.tr("Member"), self.tr("Unspent in {year}").format(year=label),
                             self.tr("What happens"), self.tr("{year} allotment").format(year=nxt)), rows, (1, 3),
                            self.table)
        self.table.setModel(model)
        self.lines_model = model
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        summary = plan.summary()
        if plan.pending_pence and not plan.done:
            summary += " " + self.tr("{amount} of recommendations still wait for the officer; approve or return them "
                                     "before the year-end.").format(amount=format_money(plan.pending_pence))
        self.summary_label.setText(summary)
        self.run_button.setVisible(not plan.done)
        self.run_button.setEnabled(not plan.done)

    def plan_lines(self) -> list[tuple[str, ...]]:
        """The lines as shown, for tests and screen readers."""
        return list(self.lines_model.rows)

    def _run(self) -> None:
        self.run_button.setEnabled(False)
        self.message_label.hide()
        self.run_requested.emit()

    def show_error(self, text: str) -> None:
        self.run_button.setEnabled(not self.plan.done)
        self.message_label.setText(text)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.show()

    def show_done(self, plan: Any) -> None:
        self.show_plan(plan)
        self.message_label.setText(self.tr("Done. {summary}").format(summary=plan.summary()))
        self.message_label.setStyleSheet(OK_STYLE)
        self.message_label.show()
