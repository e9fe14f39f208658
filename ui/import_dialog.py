"""Import applications from an online-form export: choose the file, say which column is which field
(with a live preview of the first rows), check every row, then import — all in the background, with a
progress bar and Cancel. The mapping is kept for the fund, for next time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.operations import Op, Query, refusal_text
from ui.tasks import TaskRunner

PREVIEW_ROWS = 5
RAW_ROWS = 20  # the file as it is, shown while its columns are mapped
IGNORE = ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


class PreviewModel(QAbstractTableModel):
    """The first rows of the file as GrantDesk will read them: one column per mapped field."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []

    def show(self, table: Any, mapping: dict[str, str], labels: dict[str, str]) -> None:
        self.beginResetModel()
        used = [(i, labels.get(mapping.get(h, ""), "")) for i, h in enumerate(table.headers) if mapping.get(h)]
        self._headers = [label for _i, label in used]
        self._rows = [[_cell(row[i]) if i < len(row) else "" for i, _label in used]
                      for row in table.rows[:PREVIEW_ROWS]]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return f"Row {section + 2}"

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None


class RawDataModel(QAbstractTableModel):
    """The first ``RAW_ROWS`` rows of the file exactly as it holds them, every column, headed by the
    file's own header and, under it, the field the column is mapped to — so the officer sees what each
    column holds before and while choosing."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []
        self._fields: list[str] = []  # the label of the field each column is mapped to, "" if left out

    @staticmethod
    def tr(text: str) -> str:
        return QCoreApplication.translate("RawDataModel", text)

    def set_table(self, table: Any) -> None:
        self.beginResetModel()
        self._headers = [str(h) for h in table.headers]
        width = len(self._headers)
        self._rows = [[_cell(row[i]) if i < len(row) else "" for i in range(width)] for row in table.rows[:RAW_ROWS]]
        self._fields = [""] * width
        self.endResetModel()

    def set_mapping(self, mapping: dict[str, str], labels: dict[str, str]) -> None:
        self._fields = [labels.get(mapping.get(h, IGNORE) or "", "") for h in self._headers]
        if self._headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

    def header(self, column: int) -> str:
        return self._headers[column]

    def column_of(self, header: str) -> int:
        return self._headers.index(header) if header in self._headers else -1

    def mapped_to(self, column: int) -> str:
        return self._fields[column]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            return str(section + 2) if role == Qt.ItemDataRole.DisplayRole else None  # the spreadsheet's row
        if not 0 <= section < len(self._headers):
            return None
        field = self._fields[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self._headers[section]}\n→ {field}" if field else \
                f"{self._headers[section]}\n{self.tr('(left out)')}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if field:
                return self.tr("Column “{0}” is read as {1}.").format(self._headers[section], field)
            return self.tr("Column “{0}” is left out of the import.").format(self._headers[section])
        if role == Qt.ItemDataRole.ForegroundRole and not field:
            return _placeholder_brush()
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not self._fields[index.column()]:
            return _placeholder_brush()  # a column left out reads greyed, in the palette's own grey
        return None


def _placeholder_brush():
    return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)


class _FocusWatcher(QObject):
    """Calls ``on_focus(header)`` when the combo of a column gets the keyboard focus."""

    def __init__(self, parent: QObject, on_focus):
        super().__init__(parent)
        self._on_focus = on_focus

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            header = watched.property("importHeader")
            if header is not None:
                self._on_focus(str(header))
        return False


class ImportDialog(QDialog):
    loaded = Signal()  # the file is read and the mapping shown
    checked = Signal(object)  # an ImportPlan
    imported = Signal(int)  # how many applications were imported
    failed = Signal(str)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.fund_code = db, runner, fund_code
        self.table: Any = None
        self.plan: Any = None
        self.labels: dict[str, str] = {}
        self.combos: dict[str, QComboBox] = {}
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import Applications into {fund_code}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1200, 760)
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.choose_button = QPushButton("&Choose File…")
        self.choose_button.setObjectName("chooseFileButton")
        self.choose_button.clicked.connect(self.choose_file)
        self.file_label = QLabel("Choose a CSV or Excel (.xlsx) export from your online form.")
        self.file_label.setObjectName("importFile")
        self.file_label.setWordWrap(True)
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        outer.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Vertical)
        mapping_box = QGroupBox("Which column holds what")
        mapping_layout = QVBoxLayout(mapping_box)
        self.mapping_form_host = QWidget()
        self.mapping_form = QFormLayout(self.mapping_form_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping_form_host)
        mapping_layout.addWidget(scroll)
        self.mapping_scroll = scroll
        beside = QSplitter(Qt.Orientation.Horizontal)  # the mapping beside the file as it is
        beside.addWidget(mapping_box)
        beside.addWidget(self._build_raw_data())
        beside.setSizes([480, 760])
        splitter.addWidget(beside)

        preview_box = QGroupBox(f"Preview: the first {PREVIEW_ROWS} rows as GrantDesk will read them")
        preview_layout = QVBoxLayout(preview_box)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        self.preview.setAccessibleName("Preview of the first rows")
        self.preview.setModel(self.preview_model)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setDefaultSectionSize(140)
        preview_layout.addWidget(self.preview)
        splitter.addWidget(preview_box)

        result_box = QGroupBox("Check")
        result_layout = QVBoxLayout(result_box)
        self.summary = QLabel("Check every row before anything is written.")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        result_layout.addWidget(self.summary)
        self.problem_model = QStringListModel(self)
        self.problems = QListView()
        self.problems.setObjectName("importProblems")
        self.problems.setAccessibleName("Problems found")
        self.problems.setModel(self.problem_model)
        self.problems.setUniformItemSizes(True)
        result_layout.addWidget(self.problems)
        splitter.addWidget(result_box)
        splitter.setSizes([380, 150, 130])
        outer.addWidget(splitter, 1)

        self.valid_only = QCheckBox("Import only the rows without problems, and write the others to a file to fix")
        self.valid_only.setObjectName("validOnly")
        self.valid_only.toggled.connect(self._update_buttons)
        outer.addWidget(self.valid_only)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.check_button = QPushButton("C&heck")
        self.check_button.setObjectName("checkButton")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.run_import)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for button in (self.check_button, self.import_button, close):
            buttons.addWidget(button)
        outer.addLayout(buttons)

    # --- the file and its mapping ---------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import applications", str(Path.home()),
                                              "Spreadsheets (*.csv *.xlsx *.tsv);;All files (*)")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        code = self.fund_code
        self.file_label.setText(f"Reading {path.name}…")
        self.plan = None
        self._update_buttons()

        def work(db):
            from grantdesk.io.tabular import read_table
            from grantdesk.services.imports import importable_fields, suggest_mapping

            table = read_table(path)
            return table, importable_fields(db, code), suggest_mapping(db, code, table.headers)

        Query(self, work).success(self._show_file).failure(self._failed).run()

    def _show_file(self, result: tuple[Any, dict[str, str], dict[str, str]]) -> None:
        previous = self.mapping()
        self.table, self.labels, mapping = result
        if previous and set(previous) == set(self.table.headers):
            mapping = previous  # the corrected file of the one just mapped: keep the officer's choices
        self.file_label.setText(f"{self.table.source}: {len(self.table.rows):,} rows, "
                                f"{len(self.table.headers)} columns.")
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.combos = {}
        for index, header in enumerate(self.table.headers):
            combo = QComboBox()
            combo.setObjectName(f"map_{index}")
            combo.setAccessibleName(f"Field for column {header}")
            combo.addItem("— ignore this column —", IGNORE)
            for name, label in self.labels.items():
                combo.addItem(label, name)
            combo.setCurrentIndex(max(combo.findData(mapping.get(header, IGNORE)), 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            sample = next((_cell(r[index]) for r in self.table.rows if index < len(r) and _cell(r[index])), "")
            label = QLabel(f"<b>{_escape(header)}</b><br><span style='color:#6b7280'>e.g. "
                           f"{_escape(sample[:60])}</span>")
            label.setBuddy(combo)
            self.mapping_form.addRow(label, combo)
            self.combos[header] = combo
        self._show_raw_data()
        self._mapping_changed()
        self.loaded.emit()

    def mapping(self) -> dict[str, str]:
        return {header: combo.currentData() or IGNORE for header, combo in self.combos.items()}

    def set_field(self, header: str, field: str) -> None:
        combo = self.combos[header]
        combo.setCurrentIndex(max(combo.findData(field), 0))

    def _mapping_changed(self) -> None:
        self.plan = None  # a new mapping needs a new check
        if self.table is not None:
            self.preview_model.show(self.table, self.mapping(), self.labels)
            self.raw_model.set_mapping(self.mapping(), self.labels)
        self.summary.setText("Check every row before anything is written.")
        self.problem_model.setStringList([])
        self._update_buttons()

    # --- the file as it is (raw data beside the mapping) -------------------------------------------
    def _build_raw_data(self) -> QGroupBox:
        box = QGroupBox(self.tr("Your file as it is: the first {0} rows, every column").format(RAW_ROWS))
        layout = QVBoxLayout(box)
        self.raw_hint = QLabel(self.tr("Choose a file to see what each of its columns holds."))
        self.raw_hint.setObjectName("importRawHint")
        self.raw_hint.setWordWrap(True)
        self.raw_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.raw_hint)
        self.raw_model = RawDataModel(self)
        self.raw_view = QTableView()
        self.raw_view.setObjectName("importRawData")
        self.raw_view.setAccessibleName(self.tr("The file's first rows, every column, as the file holds them"))
        self.raw_view.setAccessibleDescription(
            self.tr("Each column is headed by the file's header and the field it is read as; choose a column's "
                    "header to go to its field."))
        self.raw_view.setModel(self.raw_model)
        self.raw_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.raw_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.raw_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.raw_view.setWordWrap(False)
        header = self.raw_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(150)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._raw_header_clicked)
        self.raw_view.verticalHeader().setDefaultSectionSize(22)
        layout.addWidget(self.raw_view, 1)
        self._focus_watcher = _FocusWatcher(self, self.show_column)
        return box

    def _show_raw_data(self) -> None:
        """The file's first rows in the raw table, and each column's combo tied to its column there."""
        table = self.table
        self.raw_model.set_table(table)
        shown = min(RAW_ROWS, len(table.rows))
        self.raw_hint.setText(self.tr("Rows 2 to {0} of {1:,}, as the file holds them. Choose a column's header "
                                      "to go to its field.").format(shown + 1, len(table.rows))
                              if shown else self.tr("The file has a header row and no rows under it."))
        self.raw_view.horizontalHeader().resizeSections(QHeaderView.ResizeMode.Interactive)
        for column in range(self.raw_model.columnCount()):
            wanted = max(self.raw_view.sizeHintForColumn(column),
                         self.raw_view.horizontalHeader().sectionSizeHint(column))
            width = max(110, min(240, wanted))
            self.raw_view.setColumnWidth(column, width)
        for header, combo in self.combos.items():
            combo.setProperty("importHeader", header)
            combo.installEventFilter(self._focus_watcher)
            # a long question wraps beside its field rather than pushing the field out of sight
            label = self.mapping_form.labelForField(combo)
            if isinstance(label, QLabel):
                label.setWordWrap(True)
            combo.setMinimumWidth(190)

    def show_column(self, header: str) -> None:
        """Select the column ``header`` in the raw table and bring it into view."""
        column = self.raw_model.column_of(header)
        if column < 0:
            return
        self.raw_view.selectColumn(column)
        self.raw_view.scrollTo(self.raw_model.index(0, column), QAbstractItemView.ScrollHint.PositionAtTop)
        combo = self.combos.get(header)
        if combo is not None:
            self.mapping_scroll.ensureWidgetVisible(combo)

    def _raw_header_clicked(self, column: int) -> None:
        combo = self.combos.get(self.raw_model.header(column))
        if combo is not None:
            self.mapping_scroll.ensureWidgetVisible(combo)
            combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- check and import ---------------------------------------------------------------------
    def check(self) -> None:
        if self.table is None:
            return
        code, table, mapping = self.fund_code, self.table, self.mapping()
        self.summary.setText("Checking every row…")

        def work(db, progress):
            from grantdesk.services.imports import check_import

            return check_import(db, code, table, mapping, progress=progress)

        Query(self, work).success(self._show_plan).failure(self._failed).cancelled(self._cancelled) \
            .with_progress("Checking the file").run()

    def _show_plan(self, plan: Any) -> None:
        self.plan = plan
        lines = [str(p) for p in plan.problems]
        lines += [f"row {d.row}: possible duplicate — {d.message}" for d in plan.duplicates]
        self.problem_model.setStringList(lines)
        rows_with_problems = len({p.row for p in plan.problems if p.row > 1})
        if plan.ok:
            text = f"All {plan.total_rows:,} rows are ready to import."
        elif plan.valid_rows == 0 and any(p.row == 1 for p in plan.problems):
            text = "The column mapping needs attention before any row can be imported."
        else:
            text = (f"{plan.valid_rows:,} of {plan.total_rows:,} rows are ready; {rows_with_problems:,} "
                    f"row{'s have' if rows_with_problems != 1 else ' has'} problems. Nothing is imported until "
                    "they are fixed, unless you import only the rows without problems.")
        if plan.duplicates:
            text += f" {len(plan.duplicates):,} look like applications already made (listed; not refused)."
        self.summary.setText(text)
        self._update_buttons()
        self.checked.emit(plan)

    def run_import(self) -> None:
        plan = self.plan
        if plan is None:
            return
        valid_only = self.valid_only.isChecked()

        def work(db, progress):
            from grantdesk.services.imports import run_import

            # the rows, and the mapping for next time: one transaction
            return run_import(db, plan, valid_only=valid_only, progress=progress, remember_mapping=True)

        self.import_button.setEnabled(False)
        Op(self, work).success(self._done).failure(self._failed).cancelled(self._cancelled) \
            .with_progress("Importing applications").run()

    def _done(self, result: Any) -> None:
        self.summary.setText(result.message)
        self.plan = None
        self.problem_model.setStringList([])
        self._update_buttons()
        self.imported.emit(result.imported)

    def _cancelled(self) -> None:
        self._failed(None)

    def _failed(self, error: BaseException | None) -> None:
        message = "Cancelled — nothing was written." if error is None else refusal_text(error)
        self.summary.setText(message)
        problems = getattr(error, "problems", None)
        if problems:
            self.problem_model.setStringList([str(p) for p in problems])
        self._update_buttons()
        self.failed.emit(message)

    def _update_buttons(self) -> None:
        plan = self.plan
        self.check_button.setEnabled(self.table is not None)
        ready = plan is not None and (plan.ok or (self.valid_only.isChecked() and plan.valid_rows > 0))
        self.import_button.setEnabled(bool(ready))


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
