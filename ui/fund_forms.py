"""The fields and tables the New Fund wizard and the Fund Settings window are built from: fields that
check what is typed (dates, money, month-days), notices, checklists, and tables you can type into or
paste a spreadsheet into. The fund's own parts made of them (areas, members, panel, questions, a round,
monitoring, letters and rules forms) are in ``ui.fund_parts``.

Labels and help text of fund settings come from their one declaration
(``grantdesk.domain.fund_settings.SETTINGS``), not typed again here. Nothing here runs a service:
the wizard and the settings window read these widgets and run their own ``Op``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.eligibility import ATTACHMENT_KINDS
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_settings import BY_KEY
from grantdesk.domain.money import format_money, parse_money
from grantdesk.domain.organisations import ORG_TYPE_LABELS, OrgType
from grantdesk.i18n import N_

CONTEXT = "FundForms"

# A notice under a page or a field: a coloured rule and tint, the words in the palette's own text colour
# (readable in light, dark and high-contrast themes alike), as the panel windows show theirs.
NOTICE_STYLES = {
    "error": "padding: 6px; border-radius: 4px; border: 1px solid rgba(220, 38, 38, 0.55); "
             "border-left: 4px solid rgb(220, 38, 38); background: rgba(220, 38, 38, 0.10);",
    "ok": "padding: 6px; border-radius: 4px; border: 1px solid rgba(22, 163, 74, 0.55); "
          "border-left: 4px solid rgb(22, 163, 74); background: rgba(22, 163, 74, 0.10);",
    "note": "padding: 6px; border-radius: 4px; border: 1px solid palette(mid); background: palette(alternate-base);",
}
FIELD_ERROR_STYLE = "border-left: 3px solid rgb(220, 38, 38); padding: 1px 0 1px 6px;"


def tr(text: str) -> str:
    """Words shown by the module's functions (classes use ``self.tr``)."""
    return QCoreApplication.translate(CONTEXT, text)


def setting_label(key: str) -> str:
    """A fund setting's label, from its declaration."""
    return QCoreApplication.translate("FundSettings", BY_KEY[key].label)


def setting_help(key: str) -> str:
    return QCoreApplication.translate("FundSettings", BY_KEY[key].help)


def quiet(label: QLabel) -> QLabel:
    """A label in the palette's quiet text colour, wrapping."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(True)
    return label


def money_text(pence: int | None) -> str:
    return "" if pence is None else format_money(pence)


def plain_pounds(pence: int) -> str:
    """Money as a definition file writes it ("2500.00")."""
    return f"{pence // 100}.{pence % 100:02d}"


def date_text(day: date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def key_from_label(label: str, taken: Sequence[str] = ()) -> str:
    """A question key made from its label: lower-case words joined by _, up to 40 characters, not one
    already ``taken``."""
    words = re.findall(r"[a-z0-9]+", label.casefold().replace("'", ""))
    stop = {"a", "an", "the", "of", "to", "and", "or", "you", "your", "is", "are", "do", "does", "for", "in", "on",
            "about", "how", "what", "which", "will", "have", "has", "with", "this", "that", "many", "any",
            "please", "there", "would", "from", "it", "be", "can"}
    chosen = [w for w in words if w not in stop][:3] or words[:3] or ["question"]
    key = "_".join(chosen)[:40].strip("_")
    if not key or not key[0].isalpha():
        key = ("q_" + key)[:40]
    base, n = key, 2
    while key in taken:
        suffix = f"_{n}"
        key = base[:40 - len(suffix)] + suffix
        n += 1
    return key


def fund_code_from(name: str) -> str:
    """A fund code suggested by its name: the initials (People Helping People → PHP)."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    code = "".join(w[0] for w in words if w.casefold() not in {"the", "of", "and", "for"}).upper()[:12]
    if len(code) < 2 and words:
        code = re.sub(r"[^A-Z0-9]", "", name.upper())[:3]
    if code and not code[0].isalpha():
        code = "F" + code[:11]
    return code


def prefix_example(council: str) -> str:
    """How a council's 360Giving prefix often looks: 360G-staffordshirecc for Staffordshire County Council."""
    words = re.findall(r"[A-Za-z]+", council)
    if not words:
        return tr("360G-yourcouncil")
    return "360G-" + words[0].lower() + "".join(w[0].lower() for w in words[1:])


# --- fields ----------------------------------------------------------------------------------------


class FieldMessage(QLabel):
    """The words under a field saying what is wrong with it (hidden when nothing is)."""

    def __init__(self, name: str = ""):
        super().__init__()
        self.setWordWrap(True)
        self.setObjectName(name)
        self.setStyleSheet(FIELD_ERROR_STYLE)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if text:
            self.setAccessibleDescription(text)


class Notice(QLabel):
    """A page's notice: a refusal (with the reason), a note, or what was saved."""

    def __init__(self, name: str = "notice"):
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_text(self, kind: str, text: str) -> None:
        self.kind = kind if text else ""
        self.setText(text)
        self.setStyleSheet(NOTICE_STYLES.get(kind, ""))
        self.setVisible(bool(text))

    def error(self, text: str) -> None:
        self.show_text("error", text)

    def ok(self, text: str) -> None:
        self.show_text("ok", text)

    def clear_notice(self) -> None:
        self.show_text("", "")


class DateField(QLineEdit):
    """A date typed the UK way (dd/mm/yyyy; "31 Oct 2026" is read too)."""

    def __init__(self, name: str, day: date | None = None, *, optional: bool = False):
        super().__init__(date_text(day))
        self.setAccessibleName(name)
        self.optional = optional
        self.setPlaceholderText(tr("dd/mm/yyyy"))
        if optional:
            self.setToolTip(tr("Optional: leave it empty if there is no such date."))
        self.setMaximumWidth(190)

    def value(self) -> date | None:
        """The date, ``None`` when blank, or ``ValidationError`` saying what is wrong."""
        text = self.text().strip()
        if not text:
            if self.optional:
                return None
            raise ValidationError(tr("{name} is needed, as dd/mm/yyyy.").format(name=self.accessibleName()))
        try:
            return parse_uk_date(text, field=self.accessibleName())
        except ValidationError as exc:
            raise ValidationError(f"{self.accessibleName()}: {exc}") from None

    def set_value(self, day: date | None) -> None:
        self.setText(date_text(day))


class MoneyField(QLineEdit):
    """An amount of money in pounds ("£2,500", "2500.00")."""

    def __init__(self, name: str, pence: int | None = None, *, optional: bool = True, placeholder: str = ""):
        super().__init__(money_text(pence))
        self.setAccessibleName(name)
        self.optional = optional
        self.setPlaceholderText(placeholder or (tr("none") if optional else "£"))
        self.setMaximumWidth(190)

    def value(self) -> int | None:
        text = self.text().strip()
        if not text:
            if self.optional:
                return None
            raise ValidationError(tr("{name} is needed.").format(name=self.accessibleName()))
        try:
            pence = parse_money(text, field=self.accessibleName())
        except ValidationError as exc:
            raise ValidationError(f"{self.accessibleName()}: {exc}") from None
        if pence < 0:
            raise ValidationError(tr("{name} cannot be negative.").format(name=self.accessibleName()))
        return pence

    def set_value(self, pence: int | None) -> None:
        self.setText(money_text(pence))


MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"), N_("August"),
          N_("September"), N_("October"), N_("November"), N_("December"))


class MonthDayEdit(QWidget):
    """A day of the year (apply by 31 October): a day and a month; stored as "10-31"."""

    changed = Signal()

    def __init__(self, name: str, value: str = "03-31"):
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.day = QSpinBox()
        self.day.setRange(1, 31)
        self.day.setAccessibleName(self.tr("{name}: day").format(name=name))
        self.month = QComboBox()
        for n, month in enumerate(MONTHS, start=1):
            self.month.addItem(QCoreApplication.translate(CONTEXT, month), n)
        self.month.setAccessibleName(self.tr("{name}: month").format(name=name))
        self.setAccessibleName(name)
        layout.addWidget(self.day)
        layout.addWidget(self.month)
        layout.addStretch(1)
        self.month.currentIndexChanged.connect(self._fit_days)
        self.day.valueChanged.connect(self.changed)
        self.month.currentIndexChanged.connect(self.changed)
        self.set_value(value)

    def setFocus(self, *args) -> None:  # noqa: N802 (Qt's name): a label's mnemonic focuses the day
        self.day.setFocus(*args)

    def _fit_days(self) -> None:
        self.day.setMaximum(calendar.monthrange(2000, self.month.currentData())[1])  # 29 February allowed

    def value(self) -> str:
        return f"{self.month.currentData():02d}-{self.day.value():02d}"

    def set_value(self, value: str) -> None:
        month, day = (int(value[:2]), int(value[3:])) if re.match(r"^\d{2}-\d{2}$", value or "") else (3, 31)
        self.month.setCurrentIndex(month - 1)
        self._fit_days()
        self.day.setValue(day)

    def in_year(self, financial_year: int) -> date:
        """This day in financial year ``financial_year`` (January to March fall in the next calendar year)."""
        month, day = self.month.currentData(), self.day.value()
        year = financial_year if month >= 4 else financial_year + 1
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))


class Checklist(QListWidget):
    """Tick boxes for a set of choices (kinds of organisation, documents)."""

    changed = Signal()

    def __init__(self, name: str, choices: Sequence[tuple[str, str]]):
        super().__init__()
        self.setAccessibleName(name)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key, label in choices:
            item = QListWidgetItem(label)
            item.setToolTip(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        rows = self.sizeHintForRow(0) if self.count() else 20
        self.setMinimumHeight(min(self.count(), 6) * rows + 6)

    def checked(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, keys: Sequence[str]) -> None:
        wanted = set(keys)
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.changed.emit()

    def item_for(self, key: str) -> QListWidgetItem | None:
        return next((self.item(i) for i in range(self.count()) if self.item(i).data(Qt.ItemDataRole.UserRole) == key),
                    None)


def org_type_choices() -> list[tuple[str, str]]:
    return [(t.value, QCoreApplication.translate("OrgType", ORG_TYPE_LABELS[t])) for t in OrgType]


def attachment_choices() -> list[tuple[str, str]]:
    return [(k, QCoreApplication.translate("Attachments", v)) for k, v in ATTACHMENT_KINDS.items()]


# --- tables ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | combo | check | int
    width: int = 0  # 0: stretch
    low: int = 0
    high: int = 100
    tip: str = ""


class RowsTable(QTableWidget):
    """A table to type into or paste a spreadsheet into (Ctrl+V pastes from the current cell, adding
    rows as needed). Combo columns choose from ``set_options``; int columns are spin boxes."""

    edited = Signal()

    def __init__(self, name: str, columns: Sequence[Column]):
        super().__init__(0, len(columns))
        self.columns = list(columns)
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.setAccessibleName(name)
        self.setHorizontalHeaderLabels([c.header for c in columns])
        for n, c in enumerate(columns):
            if c.tip:
                self.horizontalHeaderItem(n).setToolTip(c.tip)
        header = self.horizontalHeader()
        for n, c in enumerate(columns):
            if c.width:
                header.setSectionResizeMode(n, QHeaderView.ResizeMode.Interactive)
                self.setColumnWidth(n, c.width)
            else:
                header.setSectionResizeMode(n, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(30)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setTabKeyNavigation(False)  # Tab leaves the table, as in a form
        self.itemChanged.connect(lambda _item: self.edited.emit())

    # --- cells ----------------------------------------------------------------------------------------
    def column_index(self, key: str) -> int:
        return next(n for n, c in enumerate(self.columns) if c.key == key)

    def set_options(self, key: str, options: Sequence[tuple[str, str]]) -> None:
        """The choices of a combo column, as (value, words); rows keep their value if it is still there."""
        self.options[key] = list(options)
        col = self.column_index(key)
        for row in range(self.rowCount()):
            combo = self.cellWidget(row, col)
            if isinstance(combo, QComboBox):
                value = combo.currentData()
                self._fill_combo(combo, key, value)

    def _fill_combo(self, combo: QComboBox, key: str, value: Any) -> None:
        combo.blockSignals(True)
        combo.clear()
        for data, words in self.options.get(key, []):
            combo.addItem(words, data)
        index = combo.findData(value)
        if index < 0 and value not in (None, ""):
            text = str(value)
            match = next((i for i in range(combo.count())
                          if str(combo.itemData(i)).casefold() == text.casefold()), -1)
            if match >= 0:
                index = match
            else:  # kept so the officer sees it; the check says it is not one of the choices
                combo.addItem(text, text)
                index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _cell(self, row: int, col: int, value: Any) -> None:
        c = self.columns[col]
        name = self.tr("{column}, row {row}").format(column=c.header, row=row + 1)
        if c.kind == "combo":
            combo = QComboBox()
            combo.setAccessibleName(name)
            self._fill_combo(combo, c.key, value)
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
            self.setCellWidget(row, col, combo)
        elif c.kind == "int":
            spin = QSpinBox()
            spin.setRange(c.low, c.high)
            spin.setAccessibleName(name)
            spin.setValue(int(value) if value not in (None, "") else c.low)
            spin.valueChanged.connect(lambda _v: self.edited.emit())
            self.setCellWidget(row, col, spin)
        elif c.kind == "check":
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            self.setItem(row, col, item)
        else:
            self.setItem(row, col, QTableWidgetItem("" if value is None else str(value)))

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        values = values or {}
        self.blockSignals(True)
        row = self.rowCount()
        self.insertRow(row)
        for col, c in enumerate(self.columns):
            self._cell(row, col, values.get(c.key))
        self.blockSignals(False)
        self.edited.emit()
        return row

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        self.blockSignals(False)
        for values in rows:
            self.add_row(values)
        self.edited.emit()

    def value(self, row: int, key: str) -> Any:
        col = self.column_index(key)
        c = self.columns[col]
        if c.kind == "combo":
            combo = self.cellWidget(row, col)
            return combo.currentData() if isinstance(combo, QComboBox) else None
        if c.kind == "int":
            spin = self.cellWidget(row, col)
            return spin.value() if isinstance(spin, QSpinBox) else c.low
        item = self.item(row, col)
        if c.kind == "check":
            return item is not None and item.checkState() == Qt.CheckState.Checked
        return item.text().strip() if item is not None else ""

    def set_value(self, row: int, key: str, value: Any) -> None:
        col = self.column_index(key)
        c = self.columns[col]
        if c.kind == "combo":
            combo = self.cellWidget(row, col)
            if isinstance(combo, QComboBox):
                self._fill_combo(combo, key, value)
                self.edited.emit()
        elif c.kind == "int":
            spin = self.cellWidget(row, col)
            if isinstance(spin, QSpinBox) and value not in (None, ""):
                spin.setValue(int(value))
        elif c.kind == "check":
            item = self.item(row, col)
            if item is not None:
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        else:
            item = self.item(row, col)
            if item is None:
                self.setItem(row, col, QTableWidgetItem(str(value)))
            else:
                item.setText("" if value is None else str(value))

    def rows(self) -> list[dict[str, Any]]:
        """Every row that has something in it, as ``{column key: value}``."""
        out = []
        for row in range(self.rowCount()):
            values = {c.key: self.value(row, c.key) for c in self.columns}
            if any(values[c.key] not in ("", None, False) for c in self.columns if c.kind == "text"):
                out.append(values)
        return out

    def all_rows(self) -> list[dict[str, Any]]:
        return [{c.key: self.value(row, c.key) for c in self.columns} for row in range(self.rowCount())]

    def remove_selected(self) -> int:
        rows = sorted({i.row() for i in self.selectedIndexes()} | ({self.currentRow()} if self.currentRow() >= 0
                                                                    and not self.selectedIndexes() else set()),
                      reverse=True)
        for row in rows:
            self.removeRow(row)
        if rows:
            self.edited.emit()
        return len(rows)

    # --- pasting a spreadsheet ---------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.matches(QKeySequence.StandardKey.Paste) and self.state() != QAbstractItemView.State.EditingState:
            self.paste_text(QApplication.clipboard().text(), at=self.currentRow(), column=max(self.currentColumn(), 0))
            return
        super().keyPressEvent(event)

    def paste_text(self, text: str, *, at: int = -1, column: int = 0) -> int:
        """Rows copied from a spreadsheet (tab-separated lines) into the table from row ``at`` (added at
        the end when -1), from ``column``; rows are added as needed. Returns how many rows it filled."""
        lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
        row = at if at >= 0 else self.rowCount()
        for line in lines:
            cells = self.split_line(line)
            if row >= self.rowCount():
                self.add_row()
            for offset, cell in enumerate(cells):
                col = column + offset
                if col < len(self.columns):
                    self.set_value(row, self.columns[col].key, self.clean_cell(self.columns[col], cell))
            row += 1
        self.edited.emit()
        return len(lines)

    @staticmethod
    def split_line(line: str) -> list[str]:
        return [cell.strip() for cell in line.split("\t")]

    def clean_cell(self, column: Column, text: str) -> Any:
        if column.kind == "check":
            return text.strip().casefold() in {"yes", "y", "true", "1", "x", "✓", "required"}
        return text.strip()


def table_buttons(*buttons: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    return row


def labelled_row(form: QFormLayout, text: str, widget: QWidget, name: str, *below: QWidget) -> None:
    """A form row: ``text`` labels ``widget`` (its mnemonic focuses it), ``name`` names it for screen readers,
    and what is ``below`` (a message, a note) goes under it."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(name)
    if below:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        for b in below:
            column.addWidget(b)
        form.addRow(label, box)
    else:
        form.addRow(label, widget)
