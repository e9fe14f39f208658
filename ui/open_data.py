"""Open data for one fund: publish its awards (360Giving, and the Transparency Code CSV), and bring past
grants in from a 360Giving file.

``PublishDialog``: the fund's publisher details (saved with ``set_publishing_details``), an optional
period, then **Check** (``prepare_360giving``: the summary, the quality report with critical issues
first, and any schema problems), then save the 360Giving file (JSON, CSV or XLSX) or the Transparency
Code CSV. Nothing can be published while the file breaks the schema, and the reason is shown.

``ImportGrantsDialog``: choose a 360Giving file, check every grant in it (progress and Cancel), read
what an import would do and every problem by row and column, then import all or nothing.

Every service call runs on the worker through ``TaskRunner``; the services are imported inside the
jobs, so opening these dialogs never loads SQLAlchemy on the GUI thread. Refusals are shown in the
services' own words in the status line.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDate, QRect, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.errors import GrantDeskError, ValidationError
from ui.operations import Op, Query
from ui.tasks import Cancelled, TaskRunner
from ui.widgets import action_button, labelled

ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
WARNING_STYLE = "padding: 6px; background: #fffbeb; color: #92400e;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"
INFO_STYLE = "padding: 6px; background: #f3f4f6; color: #1f2937;"
CRITICAL_TEXT = QColor("#991b1b")
CRITICAL_BACK = QColor("#fef2f2")
SHOWN_IDS = 20  # grant ids listed for a chosen quality issue

FORMAT_FILTERS = (
    ("json", "360Giving JSON (*.json)"),
    ("csv", "360Giving spreadsheet, CSV (*.csv)"),
    ("xlsx", "360Giving spreadsheet, Excel (*.xlsx)"),
)
OPEN_FILTER = "360Giving files (*.json *.csv *.xlsx);;All files (*)"


def _explain(exc: BaseException, cancelled: str) -> tuple[str, str]:
    """(text, style) for a failed job: the core's refusal in its own words, a cancellation in grey, a
    file problem or anything unexpected as one plain sentence (never a traceback)."""
    if isinstance(exc, Cancelled):
        return cancelled, INFO_STYLE
    if isinstance(exc, GrantDeskError):
        return str(exc), ERROR_STYLE
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"The file could not be used: {exc.strerror or exc}{where}. Nothing was written.", ERROR_STYLE
    return f"Something went wrong and nothing was written: {exc or type(exc).__name__}.", ERROR_STYLE


def _status_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName("Status")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _list(name: str, accessible: str) -> QListWidget:
    view = QListWidget()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    return view


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text at the column's current width (a tree view asks its delegate
    for a row's height without telling it how wide the column is)."""

    PADDING = 8

    def __init__(self, view: QTreeWidget):
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint(option, index)
        width = self.view.header().sectionSize(index.column())
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        box = QFontMetrics(font).boundingRect(QRect(0, 0, max(width - 2 * self.PADDING, 40), 10_000),
                                              int(Qt.TextFlag.TextWordWrap), text)
        return QSize(hint.width(), max(hint.height(), box.height() + self.PADDING))


# --- publishing -------------------------------------------------------------------------------------


class _JobDialog(QDialog):
    """What both open-data windows share: one job at a time on the worker, a status line, and refusals
    in the services' own words. The window deletes itself on close; the runner then cancels its job
    (``owner``), which stops at its next step having written nothing."""

    failed = Signal(str)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.fund_code = fund_code.upper()
        self._busy = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _update_buttons(self) -> None:
        raise NotImplementedError

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def say(self, text: str, style: str = OK_STYLE) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)
        self.status.setVisible(bool(text))

    def _run(self, work: Callable[..., Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None], progress_title: str | None = None, *,
             writes: bool = False) -> None:
        """``work(db)`` (or ``work(db, progress)``) as one operation: an ``Op`` if it writes, else a
        ``Query``. Refusals and a cancellation come to ``on_error``."""
        self._set_busy(True)
        run = (Op if writes else Query)(self, work).success(on_done).failure(on_error) \
            .cancelled(lambda: on_error(Cancelled()))
        if progress_title:
            run.with_progress(progress_title)
        run.run()

    def _failed(self, exc: BaseException, cancelled: str = "Cancelled: nothing was written.") -> None:
        self._set_busy(False)
        text, style = _explain(exc, cancelled)
        self.say(text, style)
        self.failed.emit(text)


class PublishDialog(_JobDialog):
    """Publish one fund's open data. ``start()`` loads the publisher details (``loaded``); ``check()``
    prepares the 360Giving file (``checked`` with the ``Publication``); ``save_360giving(path)`` and
    ``save_transparency(path)`` write the files (``published`` with the ``PublishResult``). A refusal,
    error or cancellation is shown in the status line and sent as ``failed``."""

    loaded = Signal()
    details_saved = Signal(object)  # PublishingDetails
    checked = Signal(object)  # Publication
    published = Signal(object)  # PublishResult

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(db, runner, fund_code, parent)
        self.today = today or date.today()
        self.details: Any = None  # PublishingDetails as saved
        self.publication: Any = None  # the last check, while it still stands
        self.fund_name = self.fund_code
        self._dirty = False
        self._folder = Path.home()
        self.setObjectName("publishDialog")
        self.setWindowTitle(f"Publish Open Data — {self.fund_code}")
        self.setAccessibleName("Publish open data")
        self._build()
        self.resize(1000, 720)
        self._update_buttons()

    # --- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setObjectName("publishHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self._show_heading()

        # The publisher.
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setObjectName("prefixEdit")
        self.prefix_edit.setPlaceholderText("360G-staffordshirecc")
        self.prefix_edit.setToolTip("The prefix your council registered with 360Giving; every grant's id starts with it")
        self.funder_edit = QLineEdit()
        self.funder_edit.setObjectName("funderIdEdit")
        self.funder_edit.setPlaceholderText("GB-LAE-STS")
        self.funder_edit.setToolTip("The council's organisation identifier: GB-LAE-… (England), GB-PLA-… (Wales), "
                                    "GB-LAS-… (Scotland) or GB-LANI-… (Northern Ireland)")
        self.department_edit = QLineEdit()
        self.department_edit.setObjectName("departmentEdit")
        self.department_edit.setPlaceholderText("Communities team")
        self.data_source_edit = QLineEdit()
        self.data_source_edit.setObjectName("dataSourceEdit")
        self.data_source_edit.setPlaceholderText("https://www.example.gov.uk/open-data")
        self.data_source_edit.setToolTip("The web page where the council publishes this data")
        self.fund_url_edit = QLineEdit()
        self.fund_url_edit.setObjectName("fundUrlEdit")
        self.fund_url_edit.setPlaceholderText("https://www.example.gov.uk/grants")
        self.open_call_check = QCheckBox("Grants come from an open &call")
        self.open_call_check.setObjectName("openCallCheck")
        self.open_call_check.setAccessibleName("Grants come from an open call")
        self.open_call_check.setToolTip("Anyone eligible could apply (360Giving's “From an open call?”)")
        self.details_error = QLabel()
        self.details_error.setObjectName("detailsError")
        self.details_error.setAccessibleName("Publisher details problem")
        self.details_error.setWordWrap(True)
        self.details_error.setTextFormat(Qt.TextFormat.PlainText)
        self.details_error.hide()
        self.save_details_button = action_button("Sa&ve details", None, self.save_details, "saveDetailsButton",
                                                 auto_default=False)
        self.details_state = QLabel()
        self.details_state.setObjectName("detailsState")
        self.details_state.setStyleSheet("color: #92400e;")
        for edit in (self.prefix_edit, self.funder_edit, self.department_edit, self.data_source_edit,
                     self.fund_url_edit):
            edit.textEdited.connect(self._details_edited)
        self.open_call_check.toggled.connect(self._details_edited)

        publisher = QGroupBox("Publisher")
        form = QFormLayout(publisher)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(labelled("360Giving p&refix:", self.prefix_edit), self.prefix_edit)
        form.addRow(labelled("&Funder org-id:", self.funder_edit), self.funder_edit)
        form.addRow(labelled("&Department:", self.department_edit), self.department_edit)
        form.addRow(labelled("Data-source &web page:", self.data_source_edit), self.data_source_edit)
        form.addRow(labelled("F&und web page:", self.fund_url_edit), self.fund_url_edit)
        form.addRow(self.open_call_check)
        form.addRow(self.details_error)
        save_row = QHBoxLayout()
        save_row.addWidget(self.details_state, 1)
        save_row.addWidget(self.save_details_button)
        form.addRow(save_row)

        # The period.
        start_of_year = date(self.today.year if self.today.month >= 4 else self.today.year - 1, 4, 1)
        self.from_check = QCheckBox("Awarded fro&m:")
        self.from_check.setObjectName("fromCheck")
        self.from_check.setAccessibleName("Only awards from a date")
        self.from_date = self._date_edit("fromDate", "Awarded from", start_of_year)
        self.until_check = QCheckBox("Awarded up &to:")
        self.until_check.setObjectName("untilCheck")
        self.until_check.setAccessibleName("Only awards up to a date")
        self.until_date = self._date_edit("untilDate", "Awarded up to", self.today)
        self.period_hint = QLabel()
        self.period_hint.setObjectName("periodHint")
        self.period_hint.setWordWrap(True)
        self.period_hint.setStyleSheet("color: #4b5563;")
        for check, edit in ((self.from_check, self.from_date), (self.until_check, self.until_date)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._period_changed)
            edit.dateChanged.connect(self._period_changed)
            edit.setEnabled(False)
        period = QGroupBox("Period")
        grid = QFormLayout(period)
        grid.addRow(self.from_check, self.from_date)
        grid.addRow(self.until_check, self.until_date)
        grid.addRow(self.period_hint)
        self._show_period_hint()

        privacy = QGroupBox("What is published")
        privacy_layout = QVBoxLayout(privacy)
        self.privacy_note = QLabel()
        self._show_privacy_note()
        self.privacy_note.setObjectName("privacyNote")
        self.privacy_note.setAccessibleName("What is published")
        self.privacy_note.setWordWrap(True)
        self.privacy_note.setTextFormat(Qt.TextFormat.RichText)
        self.privacy_note.setStyleSheet("color: #374151;")
        privacy_layout.addWidget(self.privacy_note)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(publisher)
        left_layout.addWidget(period)
        left_layout.addWidget(privacy)
        left_layout.addStretch(1)

        # The check.
        self.check_button = action_button("C&heck", "Ctrl+Return", self.check, "checkButton", auto_default=False)
        self.check_button.setToolTip("Build the 360Giving file and check it (Ctrl+Enter or F5); nothing is written")
        for keys in ("F5", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.check)
        self.summary = QLabel("Check the fund's awards before publishing: GrantDesk builds the 360Giving file, "
                              "checks it against the official schema and runs the quality checks. Nothing is "
                              "written until you save a file.")
        self.summary.setObjectName("publishSummary")
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.quality = QTreeWidget()
        self.quality.setObjectName("qualityList")
        self.quality.setColumnCount(3)
        self.quality.setHeaderLabels(["Severity", "Grants", "Issue"])
        self.quality.setRootIsDecorated(False)
        self.quality.setUniformRowHeights(False)
        self.quality.setWordWrap(True)
        self.quality.setAlternatingRowColors(True)
        self.quality.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.quality.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.quality.setItemDelegate(_WrappingDelegate(self.quality))
        header.sectionResized.connect(lambda *_: self.quality.doItemsLayout())  # rows re-wrap to the width
        self.quality.currentItemChanged.connect(self._issue_chosen)
        quality_label = labelled("&Quality report (critical issues first):", self.quality)
        self.quality.setAccessibleName("Quality report")

        self.grant_ids = _list("issueGrantIds", "Grants with the chosen issue")
        self.grant_ids_label = labelled("&Grants with the chosen issue:", self.grant_ids)
        self.grant_ids.setAccessibleName("Grants with the chosen issue")

        self.schema_list = _list("schemaProblems", "Schema problems")
        self.schema_list.setStyleSheet("QListWidget { color: #991b1b; }")
        schema_label = labelled("Schema pro&blems (the file cannot be published until they are fixed):",
                                self.schema_list)
        self.schema_box = QWidget()
        schema_layout = QVBoxLayout(self.schema_box)
        schema_layout.setContentsMargins(0, 0, 0, 0)
        schema_layout.addWidget(schema_label)
        schema_layout.addWidget(self.schema_list)
        self.schema_box.hide()

        quality_box = QWidget()
        quality_layout = QVBoxLayout(quality_box)
        quality_layout.setContentsMargins(0, 0, 0, 0)
        quality_layout.addWidget(quality_label)
        quality_layout.addWidget(self.quality)
        ids_box = QWidget()
        ids_layout = QVBoxLayout(ids_box)
        ids_layout.setContentsMargins(0, 0, 0, 0)
        ids_layout.addWidget(self.grant_ids_label)
        ids_layout.addWidget(self.grant_ids)
        self.results_splitter = QSplitter(Qt.Orientation.Vertical)
        self.results_splitter.setObjectName("publishResultsSplitter")
        self.results_splitter.setChildrenCollapsible(False)
        self.results_splitter.addWidget(quality_box)
        self.results_splitter.addWidget(ids_box)
        self.results_splitter.addWidget(self.schema_box)
        self.results_splitter.setStretchFactor(0, 1)
        self.results_splitter.setStretchFactor(1, 1)
        self.results_splitter.setStretchFactor(2, 1)

        check_group = QGroupBox("Check")
        check_layout = QVBoxLayout(check_group)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        check_layout.addLayout(top)
        check_layout.addWidget(self.results_splitter, 1)

        columns = QSplitter(Qt.Orientation.Horizontal)
        columns.setObjectName("publishSplitter")
        columns.setChildrenCollapsible(False)
        scroll = QScrollArea()  # on a small screen the left column scrolls rather than squashing its fields
        scroll.setObjectName("publisherScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        scroll.setMinimumWidth(330)
        columns.addWidget(scroll)
        columns.addWidget(check_group)
        columns.setStretchFactor(1, 1)
        columns.setSizes([370, 630])

        # Publishing.
        self.publish_reason = QLabel()
        self.publish_reason.setObjectName("publishReason")
        self.publish_reason.setAccessibleName("Why publishing is not available")
        self.publish_reason.setWordWrap(True)
        self.save_json_button = action_button("&Save 360Giving file…", "Ctrl+S", self.save_360giving,
                                              "save360Button", auto_default=False)
        self.save_csv_button = action_button("Save Trans&parency Code CSV…", "Ctrl+Shift+S", self.save_transparency,
                                             "saveTransparencyButton", auto_default=False)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.setAutoDefault(False)
        close.setAccessibleName("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.publish_reason, 1)
        bottom.addWidget(self.save_json_button)
        bottom.addWidget(self.save_csv_button)
        bottom.addSpacing(12)
        bottom.addWidget(close)

        self.status = _status_label("publishStatus")

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(columns, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)

    def _date_edit(self, name: str, accessible: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day))
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        return edit

    # --- state ----------------------------------------------------------------------------------
    def _show_heading(self) -> None:
        council = f" · {escape(self.details.funder_name)}" if self.details is not None else ""
        self.heading.setText(f"<b style='font-size:13pt'>{escape(self.fund_name)}</b>"
                             f"<span style='color:#4b5563'>{council} · fund code {escape(self.fund_code)}</span>")

    def _show_privacy_note(self) -> None:
        licence = self.details.licence if self.details is not None else ""
        if not licence or "open-government-licence/version/3" in licence:
            licence = "the Open Government Licence v3.0"
        self.privacy_note.setText(
            "<ul style='margin-left:-24px; -qt-list-indent:1'>"
            "<li>Each grant keeps its id once published: 360G-<i>prefix</i>-<i>reference</i>.</li>"
            "<li>Grants to individuals carry no name, address or anything typed about them.</li>"
            "<li>No contact names, e-mail addresses or phone numbers; any typed into a title or summary "
            "are taken out.</li>"
            "<li>Addresses only for registered charities and companies; every grant gives its ward or "
            f"division.</li><li>Under {escape(licence)}.</li></ul>")

    def period(self) -> tuple[date | None, date | None]:
        since = self.from_date.date().toPython() if self.from_check.isChecked() else None
        until = self.until_date.date().toPython() if self.until_check.isChecked() else None
        return since, until

    def _show_period_hint(self) -> None:
        since, until = self.period()
        if since and until:
            text = f"Awards made {since:%d/%m/%Y} to {until:%d/%m/%Y}."
        elif since:
            text = f"Awards made on or after {since:%d/%m/%Y}."
        elif until:
            text = f"Awards made up to {until:%d/%m/%Y}."
        else:
            text = "Whole history: every award the fund has made (past grants brought in from 360Giving files " \
                   "are never published again)."
        self.period_hint.setText(text)

    def _update_buttons(self) -> None:
        loaded = self.details is not None
        for widget in (self.prefix_edit, self.funder_edit, self.department_edit, self.data_source_edit,
                       self.fund_url_edit, self.open_call_check):
            widget.setEnabled(loaded and not self._busy)
        self.save_details_button.setEnabled(loaded and not self._busy and self._dirty)
        self.details_state.setText("Changes not saved yet." if self._dirty else "")
        self.check_button.setEnabled(loaded and not self._busy)
        pub = self.publication
        self.save_json_button.setEnabled(pub is not None and pub.valid and not self._busy)
        self.save_csv_button.setEnabled(pub is not None and not self._busy)
        if pub is None:
            reason = "Check the data first: publishing is available once the check has run."
            self.publish_reason.setStyleSheet("color: #4b5563;")
        elif not pub.valid:
            n = len(pub.schema_problems)
            reason = (f"The 360Giving file cannot be saved: it breaks the schema in {n} place{'s' * (n != 1)} "
                      "(listed above).")
            self.publish_reason.setStyleSheet("color: #991b1b;")
        else:
            critical = sum(1 for q in pub.quality if q.critical)
            reason = f"Ready to publish {pub.count} grant{'s' * (pub.count != 1)}."
            if critical:
                reason += f" {critical} critical quality issue{'s' * (critical != 1)} should be fixed first."
            self.publish_reason.setStyleSheet("color: #92400e;" if critical else "color: #065f46;")
        self.publish_reason.setText(reason)

    def _forget_check(self, why: str) -> None:
        if self.publication is None:
            return
        self.publication = None
        self.quality.clear()
        self.grant_ids.clear()
        self.schema_list.clear()
        self.schema_box.hide()
        self.summary.setText(f"{why} Check again before publishing.")
        self._update_buttons()

    def _details_edited(self, *_args) -> None:
        if self.details is None:
            return
        self._dirty = True
        self.details_error.hide()
        self._update_buttons()

    def _period_changed(self, *_args) -> None:
        self._show_period_hint()
        self._forget_check("The period has changed.")

    # --- loading and saving the details ---------------------------------------------------------
    def start(self) -> None:
        """Load the fund's name and publisher details."""
        code = self.fund_code

        def fetch(db):
            from grantdesk.services.funds import list_funds
            from grantdesk.services.open_data import publishing_details

            fund = next((f for f in list_funds(db) if f.code == code), None)
            return (fund.name if fund is not None else code), publishing_details(db, code)

        self._run(fetch, self._on_loaded, self._failed)

    def _on_loaded(self, result: tuple[str, Any]) -> None:
        self.fund_name, details = result
        self.setWindowTitle(f"Publish Open Data — {self.fund_name}")
        self._show_details(details)
        self._set_busy(False)
        self.loaded.emit()

    def _show_details(self, details: Any) -> None:
        self.details = details
        self.prefix_edit.setText(details.prefix)
        self.funder_edit.setText(details.funder_id)
        self.department_edit.setText(details.department)
        self.data_source_edit.setText(details.data_source)
        self.fund_url_edit.setText(details.fund_url)
        self.open_call_check.blockSignals(True)
        self.open_call_check.setChecked(details.from_open_call)
        self.open_call_check.blockSignals(False)
        self._dirty = False
        self.details_error.hide()
        self._show_heading()
        self._show_privacy_note()

    def save_details(self) -> None:
        if self.details is None or self._busy:
            return
        code = self.fund_code
        wanted = replace(self.details, prefix=self.prefix_edit.text(), funder_id=self.funder_edit.text(),
                         department=self.department_edit.text(), data_source=self.data_source_edit.text(),
                         fund_url=self.fund_url_edit.text(), from_open_call=self.open_call_check.isChecked())

        def work(db):
            from grantdesk.services.open_data import set_publishing_details

            return set_publishing_details(db, code, wanted)

        self._run(work, self._on_details_saved, self._on_details_refused, writes=True)

    def _on_details_saved(self, details: Any) -> None:
        self._show_details(details)
        self._set_busy(False)
        self._forget_check("The publisher details have changed.")
        self.say("Saved the publisher details.")
        self.details_saved.emit(details)

    def _on_details_refused(self, exc: BaseException) -> None:
        if not isinstance(exc, ValidationError):
            self._failed(exc)
            return
        self._set_busy(False)
        self.details_error.setText(str(exc))
        self.details_error.setStyleSheet(ERROR_STYLE)
        self.details_error.show()
        field = {"prefix_360g": self.prefix_edit, "prefix": self.prefix_edit,
                 "funder_id": self.funder_edit}.get(exc.field or "")
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            field.selectAll()
        self.failed.emit(str(exc))

    # --- checking -------------------------------------------------------------------------------
    def check(self) -> None:
        """Build and check the 360Giving file for the chosen period, on the worker."""
        if self.details is None or self._busy:
            return
        since, until = self.period()
        if since and until and since > until:
            self.say(f"The period ends ({until:%d/%m/%Y}) before it starts ({since:%d/%m/%Y}).", ERROR_STYLE)
            return
        code, today = self.fund_code, self.today

        def work(db, progress):
            from grantdesk.services.open_data import prepare_360giving

            progress.check()
            publication = prepare_360giving(db, code, since=since, until=until, today=today, progress=progress)
            progress.check()  # Cancel pressed meanwhile: the check is dropped (it wrote nothing)
            return publication

        self.publication = None
        self.quality.clear()
        self.grant_ids.clear()
        self.schema_list.clear()
        self.schema_box.hide()
        self.summary.setText("Checking…")
        self.status.hide()
        if self._dirty:
            self.say("The publisher details have unsaved changes: this check uses the saved details.", WARNING_STYLE)
        self._run(work, self._on_checked, self._on_check_failed, progress_title="Checking the open data")

    def _on_check_failed(self, exc: BaseException) -> None:
        self.summary.setText("The check did not finish." if isinstance(exc, Cancelled) else
                             "Nothing to publish yet." if isinstance(exc, GrantDeskError) else "The check failed.")
        self._failed(exc, "Cancelled: the check was stopped.")

    def _on_checked(self, publication: Any) -> None:
        self.publication = publication
        self.summary.setText(publication.summary())
        bold = QFont(self.quality.font())
        bold.setBold(True)
        issues = sorted(publication.quality, key=lambda q: not q.critical)  # stable: the service's order within
        for issue in issues:
            item = QTreeWidgetItem(["Critical" if issue.critical else "Advice", f"{issue.count:,}", issue.message])
            item.setData(0, Qt.ItemDataRole.UserRole, issue)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(2, issue.message)
            if issue.critical:
                item.setFont(0, bold)
                for column in range(3):
                    item.setForeground(column, QBrush(CRITICAL_TEXT))
                    item.setBackground(column, QBrush(CRITICAL_BACK))
            self.quality.addTopLevelItem(item)
        if not issues:
            empty = QTreeWidgetItem(["", "", "No quality issues: every check passes."])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.quality.addTopLevelItem(empty)
        if publication.schema_problems:
            self.schema_list.addItems([str(p) for p in publication.schema_problems])
            self.schema_box.show()
        self._set_busy(False)
        critical = sum(1 for q in issues if q.critical)
        text = (f"Checked {publication.count} grant{'s' * (publication.count != 1)}: "
                f"{len(issues)} quality issue{'s' * (len(issues) != 1)}" + (f", {critical} critical." if critical else "."))
        self.say(text, OK_STYLE if publication.valid else ERROR_STYLE)
        if issues:
            self.quality.setCurrentItem(self.quality.topLevelItem(0))
        self.checked.emit(publication)

    def _issue_chosen(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        self.grant_ids.clear()
        issue = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if issue is None:
            self.grant_ids_label.setText("&Grants with the chosen issue:")
            return
        shown = issue.grant_ids[:SHOWN_IDS]
        self.grant_ids.addItems(list(shown))
        more = f"the first {len(shown)} of {issue.count:,}" if issue.count > len(shown) else f"all {issue.count:,}"
        self.grant_ids_label.setText(f"&Grants with this issue ({more}):")

    # --- publishing -----------------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, filters: tuple[tuple[str, str], ...]) -> Path | None:
        path, chosen = QFileDialog.getSaveFileName(self, title, str(self._folder / name),
                                                   ";;".join(f for _, f in filters), filters[0][1])
        if not path:
            return None
        target = Path(path)
        if not target.suffix:  # typed without an extension: the format chosen in the dialog
            kind = next((k for k, f in filters if f == chosen), filters[0][0])
            target = target.with_suffix(f".{kind}")
        self._folder = target.parent
        return target

    def save_360giving(self, path: str | Path | None = None) -> None:
        """Write the checked 360Giving file (JSON, CSV or XLSX by its name) and record each grant's id."""
        publication = self.publication
        if publication is None or not publication.valid or self._busy:
            return
        target = Path(path) if path else self._ask_path(
            "Save the 360Giving file", f"{self.fund_code}-360giving-{self.today.isoformat()}.json", FORMAT_FILTERS)
        if target is None:
            return

        def work(db):
            from grantdesk.services.open_data import publish_360giving

            return publish_360giving(db, publication, target)

        self._publish(work, "Saving the 360Giving file…")

    def save_transparency(self, path: str | Path | None = None) -> None:
        """Write the Local Government Transparency Code CSV for the checked period."""
        publication = self.publication
        if publication is None or self._busy:
            return
        target = Path(path) if path else self._ask_path(
            "Save the Transparency Code CSV", f"{self.fund_code}-transparency-{self.today.isoformat()}.csv",
            (("csv", "CSV (*.csv)"),))
        if target is None:
            return
        code, since, until = self.fund_code, publication.since, publication.until

        def work(db):
            from grantdesk.services.open_data import publish_transparency

            return publish_transparency(db, code, target, since=since, until=until)

        self._publish(work, "Saving the Transparency Code CSV…")

    def _publish(self, work: Callable[[], Any], doing: str) -> None:
        self.say(doing, INFO_STYLE)
        self._run(work, self._on_published, self._failed, writes=True)

    def _on_published(self, result: Any) -> None:
        self._set_busy(False)
        self.say(result.message)
        self.published.emit(result)


# --- importing past grants -----------------------------------------------------------------------------


class ImportGrantsDialog(_JobDialog):
    """Bring a fund's past grants in from a 360Giving file. ``check_file(path)`` reads and checks it
    (``checked`` with the plan); ``run_import()`` imports all or nothing (``imported`` with how many).
    A refusal, error or cancellation is shown and sent as ``failed``. Closing cancels a running job."""

    checked = Signal(object)  # GrantsImportPlan
    imported = Signal(int)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None, *,
                 path: str | Path | None = None):
        super().__init__(db, runner, fund_code, parent)
        self.path: Path | None = Path(path) if path else None
        self.plan: Any = None
        self.setObjectName("importGrantsDialog")
        self.setWindowTitle(f"Import Past Grants (360Giving) — {self.fund_code}")
        self.setAccessibleName("Import past grants")
        self._build()
        self.resize(900, 640)
        self._update_buttons()

    def _build(self) -> None:
        intro = QLabel(f"Grants from a 360Giving file (JSON, CSV or Excel) come into {escape(self.fund_code)} as past "
                       "awards, with no round, so repeat-funding checks see who was funded before. They get "
                       "no letters or payments and are never published again. Nothing is written until you press Import; "
                       "grants already in GrantDesk are skipped.")
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #4b5563;")

        self.choose_button = action_button("&Choose File…", "Ctrl+O", self.choose_file, "chooseGrantsFileButton",
                                           auto_default=False)
        self.file_label = QLabel("Choose a 360Giving file: .json, .csv or .xlsx.")
        self.file_label.setObjectName("grantsFile")
        self.file_label.setAccessibleName("File")
        self.file_label.setWordWrap(True)
        self.recheck_button = action_button("Check &again", "F5", self.recheck, "recheckButton", auto_default=False)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.recheck_button)

        self.summary = QLabel("")
        self.summary.setObjectName("grantsSummary")
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-weight: bold;")

        self.funders = _list("fundersList", "Funders in the file")
        self.funders.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.notes = _list("notesList", "Values read generously")
        self.notes.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.problem_model = QStringListModel(self)
        self.problems = QListView()
        self.problems.setObjectName("grantProblems")
        self.problems.setModel(self.problem_model)
        self.problems.setUniformItemSizes(True)  # thousands of problems stay quick
        self.problems.setAlternatingRowColors(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

        def boxed(label: QLabel, view: QWidget) -> QWidget:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(label)
            layout.addWidget(view)
            return box

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.setChildrenCollapsible(False)
        upper.addWidget(boxed(labelled("F&unders named in the file:", self.funders), self.funders))
        upper.addWidget(boxed(labelled("&Notes on how values were read:", self.notes), self.notes))
        upper.setSizes([360, 540])
        self.problems_label = labelled("&Problems (each grant that cannot be read, by row and column):", self.problems)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("grantsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(upper)
        splitter.addWidget(boxed(self.problems_label, self.problems))
        splitter.setSizes([150, 350])
        self.funders.setAccessibleName("Funders in the file")
        self.notes.setAccessibleName("Notes on how values were read")
        self.problems.setAccessibleName("Problems")

        self.status = _status_label("grantsStatus")
        self.import_button = action_button("&Import", "Ctrl+Return", self.run_import, "importGrantsButton",
                                           auto_default=False)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.setAccessibleName("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # --- state ----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        plan = self.plan
        self.choose_button.setEnabled(not self._busy)
        self.recheck_button.setEnabled(not self._busy and self.path is not None)
        self.import_button.setEnabled(not self._busy and plan is not None and not plan.problems
                                      and plan.to_import > 0)

    def _clear(self) -> None:
        self.plan = None
        self.summary.setText("")
        self.funders.clear()
        self.notes.clear()
        self.problem_model.setStringList([])

    # --- the file and its check -----------------------------------------------------------------
    def start(self) -> None:
        """Check the file given when the dialog was made, if any."""
        if self.path is not None:
            self.check_file(self.path)

    def choose_file(self) -> None:
        if self._busy:
            return
        folder = str(self.path.parent) if self.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Import past grants from a 360Giving file", folder, OPEN_FILTER)
        if path:
            self.check_file(Path(path))

    def recheck(self) -> None:
        if self.path is not None:
            self.check_file(self.path)

    def check_file(self, path: str | Path) -> None:
        """Read and check every grant in ``path``, on the worker, with progress and Cancel."""
        if self._busy:
            return
        self.path = Path(path)
        self._clear()
        self.file_label.setText(str(self.path))
        self.summary.setText(f"Checking {self.path.name}…")
        self.status.hide()
        code, target = self.fund_code, self.path

        def work(db, progress):
            from grantdesk.services.open_data import check_grants_import

            return check_grants_import(db, code, target, progress=progress)

        self._run(work, self._on_checked, self._on_check_failed, progress_title="Checking the grants")

    def _on_check_failed(self, exc: BaseException) -> None:
        self.summary.setText("")
        self._failed(exc, "Cancelled: the file was not checked, and nothing was written.")

    def _on_checked(self, plan: Any) -> None:
        self.plan = plan
        self.summary.setText(plan.summary())
        self.funders.addItems(list(plan.funders))
        notes = list(plan.notes)
        unused = getattr(plan.file, "unused_columns", ())
        if unused:
            notes.append(f"{len(unused)} column{'s are' if len(unused) != 1 else ' is'} not 360Giving "
                         f"field{'s' * (len(unused) != 1)} and {'were' if len(unused) != 1 else 'was'} not read: "
                         + ", ".join(unused) + ".")
        self.notes.addItems(notes or ["Every value was read as written."])
        self.problem_model.setStringList([str(p) for p in plan.problems])
        n = len(plan.problems)
        self.problems_label.setText(f"&Problems ({n:,}): each grant that cannot be read, by row and column:" if n
                                    else "&Problems: none — every grant can be read.")
        self._set_busy(False)
        if plan.problems:
            self.say("Nothing can be imported until the problems listed are fixed in the file; then check it again "
                     "(F5).", ERROR_STYLE)
        elif plan.to_import <= 0:
            self.say("Every grant in this file is already in GrantDesk: there is nothing new to import.", INFO_STYLE)
        else:
            self.say(f"Ready: press Import to bring in {plan.to_import:,} past grant{'s' * (plan.to_import != 1)}.",
                     INFO_STYLE)
        self.checked.emit(plan)

    # --- importing ------------------------------------------------------------------------------
    def run_import(self) -> None:
        plan = self.plan
        if plan is None or plan.problems or plan.to_import <= 0 or self._busy:
            return
        def work(db, progress):
            from grantdesk.services.open_data import import_grants

            return import_grants(db, plan, progress=progress)

        self.say(f"Importing {plan.to_import:,} past grants…", INFO_STYLE)
        self._run(work, self._on_imported, self._on_import_failed, progress_title="Importing past grants",
                  writes=True)

    def _on_imported(self, result: Any) -> None:
        self.plan = None  # imported: checking again would find them all already here
        self._set_busy(False)
        self.summary.setText(result.message)
        self.say(result.message)
        self.imported.emit(result.imported)

    def _on_import_failed(self, exc: BaseException) -> None:
        problems = getattr(exc, "problems", None)
        if problems:
            self.plan = None
            self.problem_model.setStringList([str(p) for p in problems])
        self._failed(exc, "Cancelled: nothing was imported.")
