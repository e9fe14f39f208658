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
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.i18n import ngettext
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
        return QCoreApplication.translate("PreviewModel", "Row {0}").format(section + 2)

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
                self._headers[section] + "\n" + self.tr("(left out)")
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
        self.constants: dict[str, str] = {}  # field → one value for every row (see _build_constants)
        self.decisions: dict[str, str] = {}  # match or duplicate key → the officer's choice (see _build_decisions)
        self.decision_combos: dict[str, QComboBox] = {}
        self._checks = 0  # checks started; only the last one's plan is shown
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import Applications into {0}").format(fund_code))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1200, 760)
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("&Choose File…"))
        self.choose_button.setObjectName("chooseFileButton")
        self.choose_button.clicked.connect(self.choose_file)
        self.file_label = QLabel(self.tr("Choose a CSV or Excel (.xlsx) export from your online form."))
        self.file_label.setObjectName("importFile")
        self.file_label.setWordWrap(True)
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        outer.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Vertical)
        mapping_box = QGroupBox(self.tr("Which column holds what"))
        mapping_layout = QVBoxLayout(mapping_box)
        self.mapping_form_host = QWidget()
        self.mapping_form = QFormLayout(self.mapping_form_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping_form_host)
        mapping_layout.addWidget(scroll)
        mapping_layout.addWidget(self._build_constants())
        self.mapping_scroll = scroll
        beside = QSplitter(Qt.Orientation.Horizontal)  # the mapping beside the file as it is
        beside.addWidget(mapping_box)
        beside.addWidget(self._build_raw_data())
        beside.setSizes([480, 760])
        splitter.addWidget(beside)

        preview_box = QGroupBox(self.tr("Preview: the first {0} rows as GrantDesk will read them").format(PREVIEW_ROWS))
        preview_layout = QVBoxLayout(preview_box)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("importPreview")
        self.preview.setAccessibleName(self.tr("Preview of the first rows"))
        self.preview.setModel(self.preview_model)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setDefaultSectionSize(140)
        preview_layout.addWidget(self.preview)
        splitter.addWidget(preview_box)

        result_box = QGroupBox(self.tr("Check"))
        result_layout = QVBoxLayout(result_box)
        self.summary = QLabel(self.tr("Check every row before anything is written."))
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        result_layout.addWidget(self.summary)
        self.problem_model = QStringListModel(self)
        self.problems = QListView()
        self.problems.setObjectName("importProblems")
        self.problems.setAccessibleName(self.tr("Problems found"))
        self.problems.setModel(self.problem_model)
        self.problems.setUniformItemSizes(True)
        found = QSplitter(Qt.Orientation.Horizontal)  # the problems beside the decisions to make
        found.addWidget(self.problems)
        found.addWidget(self._build_decisions())
        found.setSizes([380, 820])
        result_layout.addWidget(found, 1)
        splitter.addWidget(result_box)
        splitter.setSizes([340, 120, 200])
        self._sections = splitter  # the check gets more room while there are decisions to make
        outer.addWidget(splitter, 1)

        self.valid_only = QCheckBox(self.tr("Import only the rows without problems, and write the others to a file to fix"))
        self.valid_only.setObjectName("validOnly")
        self.valid_only.toggled.connect(self._update_buttons)
        outer.addWidget(self.valid_only)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.check_button = QPushButton(self.tr("C&heck"))
        self.check_button.setObjectName("checkButton")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton(self.tr("&Import"))
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.run_import)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.close)
        for button in (self.check_button, self.import_button, close):
            buttons.addWidget(button)
        outer.addLayout(buttons)

    # --- the file and its mapping ---------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import applications"), str(Path.home()),
                                              self.tr("Spreadsheets") + " (*.csv *.xlsx *.tsv);;"
                                              + self.tr("All files") + " (*)")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        code = self.fund_code
        self.file_label.setText(self.tr("Reading {0}…").format(path.name))
        self.plan = None
        self._update_buttons()

        def work(db):
            from grantdesk.io.tabular import read_table
            from grantdesk.services.imports import importable_fields, saved_constants, suggest_mapping

            table = read_table(path)
            return (table, importable_fields(db, code), suggest_mapping(db, code, table.headers),
                    saved_constants(db, code))

        Query(self, work).success(self._show_file).failure(self._failed).run()

    def _show_file(self, result: tuple[Any, dict[str, str], dict[str, str], dict[str, str]]) -> None:
        previous = self.mapping()
        self.table, self.labels, mapping, saved = result
        self.decisions = {}  # a new file: the rows the decisions named are other rows
        if not self.constants:  # the values saved with the fund's mapping, for the fields no column holds
            mapped = set(mapping.values())
            self.constants = {k: v for k, v in saved.items() if k not in mapped}
        if previous and set(previous) == set(self.table.headers):
            mapping = previous  # the corrected file of the one just mapped: keep the officer's choices
        rows = ngettext("{n} row", "{n} rows", len(self.table.rows)).format(n=f"{len(self.table.rows):,}")
        columns = ngettext("{n} column", "{n} columns", len(self.table.headers)).format(n=len(self.table.headers))
        self.file_label.setText(self.tr("{source}: {rows}, {columns}.").format(source=self.table.source, rows=rows,
                                                                               columns=columns))
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.combos = {}
        for index, header in enumerate(self.table.headers):
            combo = QComboBox()
            combo.setObjectName(f"map_{index}")
            combo.setAccessibleName(self.tr("Field for column {0}").format(header))
            combo.addItem(self.tr("— ignore this column —"), IGNORE)
            for name, label in self.labels.items():
                combo.addItem(label, name)
            combo.setCurrentIndex(max(combo.findData(mapping.get(header, IGNORE)), 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            sample = next((_cell(r[index]) for r in self.table.rows if index < len(r) and _cell(r[index])), "")
            grey = self.palette().color(QPalette.ColorRole.PlaceholderText).name()  # dark themes too
            example = _escape(self.tr("e.g. {0}").format(sample[:60]))
            label = QLabel(f"<b>{_escape(header)}</b><br><span style='color:{grey}'>{example}</span>")
            label.setBuddy(combo)
            self.mapping_form.addRow(label, combo)
            self.combos[header] = combo
        self._show_raw_data()
        self._mapping_changed()
        self._show_constants()
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
        self.summary.setText(self.tr("Check every row before anything is written."))
        self.problem_model.setStringList([])
        self._show_decisions(None)
        self._refresh_constant_fields()
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
        constants, decisions = dict(self.constants), dict(self.decisions)
        self.plan = None
        self._update_buttons()
        self.summary.setText(self.tr("Checking every row…"))

        def work(db, progress):
            from grantdesk.services.imports import check_import

            return check_import(db, code, table, mapping, progress=progress, constants=constants,
                                decisions=decisions)

        self._checks += 1
        serial = self._checks  # a decision made while a check runs starts another: only the last is shown
        Query(self, work).success(lambda plan: self._show_plan(plan) if serial == self._checks else None) \
            .failure(self._failed).cancelled(self._cancelled).with_progress(self.tr("Checking the file")).run()

    def _show_plan(self, plan: Any) -> None:
        self.plan = plan
        self.problem_model.setStringList([str(p) for p in plan.problems])
        rows_with_problems = len({p.row for p in plan.problems if p.row > 1})
        if plan.ok:
            text = ngettext("The {n} row is ready to import.", "All {n} rows are ready to import.",
                            plan.total_rows).format(n=f"{plan.total_rows:,}")
        elif plan.valid_rows == 0 and any(p.row == 1 for p in plan.problems):
            text = self.tr("The column mapping needs attention before any row can be imported.")
        else:
            text = ngettext("{valid} of {total} rows are ready; {n} row has problems. Nothing is imported until "
                            "they are fixed, unless you import only the rows without problems.",
                            "{valid} of {total} rows are ready; {n} rows have problems. Nothing is imported until "
                            "they are fixed, unless you import only the rows without problems.",
                            rows_with_problems).format(valid=f"{plan.valid_rows:,}", total=f"{plan.total_rows:,}",
                                                       n=f"{rows_with_problems:,}")
        text += self._decisions_summary(plan)
        self.summary.setText(text)
        self._show_decisions(plan)
        self._update_buttons()
        self.checked.emit(plan)

    def run_import(self) -> None:
        plan = self.plan
        if plan is None:
            return
        valid_only = self.valid_only.isChecked()
        decisions = dict(self.decisions)

        def work(db, progress):
            from grantdesk.services.imports import run_import

            # the rows, and the mapping (with the values for every row) for next time: one transaction
            return run_import(db, plan, valid_only=valid_only, progress=progress, remember_mapping=True,
                              decisions=decisions)

        self.import_button.setEnabled(False)
        Op(self, work).success(self._done).failure(self._failed).cancelled(self._cancelled) \
            .with_progress(self.tr("Importing applications")).run()

    def _done(self, result: Any) -> None:
        self.summary.setText(result.message)
        self.plan = None
        self.decisions = {}
        self._show_decisions(None)
        self.problem_model.setStringList([str(f.message).replace("To review: ", f"{f.reference}: review — ", 1)
                                          for f in result.flags])
        self._update_buttons()
        self.imported.emit(result.imported)

    def _cancelled(self) -> None:
        self._failed(None)

    def _failed(self, error: BaseException | None) -> None:
        message = self.tr("Cancelled — nothing was written.") if error is None else refusal_text(error)
        self.summary.setText(message)
        problems = getattr(error, "problems", None)
        if problems:
            self.problem_model.setStringList([str(p) for p in problems])
        self._update_buttons()
        self.failed.emit(message)

    def _update_buttons(self) -> None:
        plan = self.plan
        self.check_button.setEnabled(self.table is not None)
        # every match and duplicate decided — or only the valid rows, when undecided ones go in as
        # given (flagged for review) and undecided duplicates are skipped
        ready = plan is not None and (plan.ready or (self.valid_only.isChecked() and plan.valid_rows > 0))
        self.import_button.setEnabled(bool(ready))


    # --- one value for every row (a field the file does not have) ------------------------------------
    def _build_constants(self) -> QWidget:
        box = QGroupBox(self.tr("One value for every row"))
        box.setObjectName("importConstants")
        box.setSizePolicy(box.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        line = QHBoxLayout()
        self.constant_field = QComboBox()
        self.constant_field.setObjectName("constantField")
        self.constant_field.setAccessibleName(self.tr("Field the file does not have"))
        self.constant_value = QLineEdit()
        self.constant_value.setObjectName("constantValue")
        self.constant_value.setAccessibleName(self.tr("Value for every row"))
        self.constant_value.setPlaceholderText(self.tr("e.g. community group"))
        self.constant_value.returnPressed.connect(self.add_constant)
        self.constant_button = QPushButton(self.tr("Set for E&very Row"))
        self.constant_button.setObjectName("setConstantButton")
        self.constant_button.clicked.connect(self.add_constant)
        line.addWidget(self.constant_field, 2)
        line.addWidget(self.constant_value, 2)
        line.addWidget(self.constant_button)
        layout.addLayout(line)
        below = QHBoxLayout()
        self.constants_list = QListWidget()
        self.constants_list.setObjectName("constantsList")
        self.constants_list.setAccessibleName(self.tr("Values given for every row"))
        self.constants_list.setMaximumHeight(2 * self.fontMetrics().height() + 8)
        self.remove_constant_button = QPushButton(self.tr("Re&move"))
        self.remove_constant_button.setObjectName("removeConstantButton")
        self.remove_constant_button.clicked.connect(self.remove_constant)
        below.addWidget(self.constants_list, 1)
        below.addWidget(self.remove_constant_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(below)
        self._refresh_constant_fields()
        self._show_constants()
        return box

    def _refresh_constant_fields(self) -> None:
        """The fields no column holds (the form's response id is each row's own), for one value each."""
        if not hasattr(self, "constant_field"):
            return
        current = self.constant_field.currentData()
        mapped = set(self.mapping().values())
        self.constant_field.blockSignals(True)
        self.constant_field.clear()
        for name, label in self.labels.items():
            if name not in mapped and name != "response_id":
                self.constant_field.addItem(label, name)
        self.constant_field.setCurrentIndex(max(self.constant_field.findData(current), 0))
        self.constant_field.blockSignals(False)
        enabled = self.table is not None and self.constant_field.count() > 0
        for widget in (self.constant_field, self.constant_value, self.constant_button):
            widget.setEnabled(enabled)

    def _show_constants(self) -> None:
        self.constants_list.clear()
        for name, value in self.constants.items():
            item = QListWidgetItem(self.tr("{0}: {1}").format(self.labels.get(name, name), value))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.constants_list.addItem(item)
        self.remove_constant_button.setEnabled(bool(self.constants))

    def set_constant(self, field: str, value: str) -> None:
        """Give ``field`` the value ``value`` for every row (an empty value takes it away)."""
        value = value.strip()
        if value:
            self.constants[field] = value
        else:
            self.constants.pop(field, None)
        self._show_constants()
        self._mapping_changed()  # checked again before anything is imported

    def add_constant(self) -> None:
        field = self.constant_field.currentData()
        if field:
            self.set_constant(field, self.constant_value.text())
            self.constant_value.clear()

    def remove_constant(self) -> None:
        item = self.constants_list.currentItem() or self.constants_list.item(0)
        if item is not None:
            self.set_constant(item.data(Qt.ItemDataRole.UserRole), "")

    # --- matches to confirm and likely duplicates: a decision each, before Import -------------------------
    def _build_decisions(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.decisions_hint = QLabel(self.tr("Matches to confirm and likely duplicates appear here after the check."))
        self.decisions_hint.setObjectName("decisionsHint")
        self.decisions_hint.setWordWrap(True)
        layout.addWidget(self.decisions_hint)
        self.decision_table = QTableWidget(0, 3)
        self.decision_table.setObjectName("importDecisions")
        self.decision_table.setAccessibleName(self.tr("Matches to confirm and likely duplicates, each with a decision"))
        self.decision_table.setHorizontalHeaderLabels([self.tr("Row"), self.tr("What the check found"),
                                                       self.tr("Your decision")])
        self.decision_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.decision_table.setWordWrap(True)
        self.decision_table.verticalHeader().setVisible(False)
        header = self.decision_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 280)
        layout.addWidget(self.decision_table, 1)
        return box

    def _choices(self, item: Any) -> list[tuple[str, str]]:
        """(label, choice) for a match or a duplicate; the first is "decide" (no choice yet)."""
        undecided = (self.tr("— decide —"), "")
        if not hasattr(item, "kind"):  # a likely duplicate
            return [undecided, (self.tr("Skip this row"), "skip"), (self.tr("Import it anyway"), "import")]
        if item.kind == "organisation":
            return [undecided, (self.tr("The same group: use {0}").format(item.stored), "same"),
                    (self.tr("A different group under an umbrella number: new organisation {0}").format(item.given),
                     "different")]
        if item.by == "letter language":
            return [undecided, (self.tr("The same person: letters in the language this row asks for"), "same"),
                    (self.tr("A different person: a new contact, {0}").format(item.given), "different")]
        return [undecided, (self.tr("The same person: use {0}").format(item.stored), "same"),
                (self.tr("A different person at a shared inbox: a new contact, {0}").format(item.given), "different")]

    def _show_decisions(self, plan: Any) -> None:
        """One line per match to confirm and per likely duplicate, with its decision (kept across checks)."""
        focused = next((k for k, c in self.decision_combos.items() if c.hasFocus()), None)
        self.decision_table.setRowCount(0)
        self.decision_combos = {}
        if plan is None:
            self.decisions_hint.setText(self.tr("Matches to confirm and likely duplicates appear here after the "
                                                "check."))
            return
        items = sorted([*plan.matches, *plan.duplicates], key=lambda x: (x.row, x.key))
        keys = {x.key for x in items}
        self.decisions = {k: v for k, v in self.decisions.items() if k in keys}
        if not items:
            self.decisions_hint.setText(self.tr("No matches to confirm and no likely duplicates."))
            return
        self.decisions_hint.setText(self.tr(
            "Decide each before importing. A charity number or e-mail that another name already has is never "
            "merged on its own; importing only the rows without problems keeps the names as given (flagged for "
            "review) and skips duplicates you have not decided."))
        self.decision_table.setRowCount(len(items))
        for n, item in enumerate(items):
            rows = getattr(item, "rows", [item.row])
            self.decision_table.setItem(n, 0, QTableWidgetItem(", ".join(str(r) for r in rows)))
            what = QTableWidgetItem(item.message)
            what.setToolTip(item.message)
            self.decision_table.setItem(n, 1, what)
            combo = QComboBox()
            combo.setObjectName(f"decision_{item.key}")
            combo.setAccessibleName(self.tr("Decision for row {0}").format(item.row))
            for label, choice in self._choices(item):
                combo.addItem(label, choice)
            combo.setCurrentIndex(max(combo.findData(self.decisions.get(item.key, "")), 0))
            combo.currentIndexChanged.connect(lambda _i, key=item.key, c=combo: self.decide(key, c.currentData()))
            self.decision_table.setCellWidget(n, 2, combo)
            self.decision_combos[item.key] = combo
        self.decision_table.resizeRowsToContents()
        sizes = self._sections.sizes()
        if sizes[2] < 300 and sum(sizes) > 500:  # room for a few decisions, taken from the file above
            self._sections.setSizes([sizes[0] - (300 - sizes[2]), sizes[1], 300])
        if focused in self.decision_combos:
            self.decision_combos[focused].setFocus(Qt.FocusReason.OtherFocusReason)

    def decide(self, key: str, choice: str) -> None:
        """The officer's decision for a match or duplicate; the file is checked again with it, so what the
        check shows is what Import will do."""
        if choice:
            self.decisions[key] = choice
        else:
            self.decisions.pop(key, None)
        self.check()

    def _decisions_summary(self, plan: Any) -> str:
        parts = []
        if plan.already_imported:
            n = len(plan.already_imported)
            parts.append(ngettext("{0} row(s) were imported before and will be skipped.",
                                  "{0} row(s) were imported before and will be skipped.", n).format(f"{n:,}"))
        open_ = len(plan.undecided)
        if open_:
            parts.append(ngettext("{0} match(es) to confirm or likely duplicate(s) need your decision (right).",
                                  "{0} match(es) to confirm or likely duplicate(s) need your decision (right).", open_)
                         .format(f"{open_:,}"))
        elif plan.matches or plan.duplicates:
            parts.append(self.tr("Every match and duplicate is decided."))
        return "".join(f" {p}" for p in parts)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
