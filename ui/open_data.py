"""Open data for one fund: publish its awards (360Giving, and the Transparency Code CSV). Bringing past
grants in from a 360Giving file is ``ui.past_grants``, which shares this module's job dialog.

``PublishDialog``: the fund's publisher details (saved with ``set_publishing_details``), an optional
period, then **Check** (``prepare_360giving``: the summary, the quality report with critical issues
first, and any schema problems), then save the 360Giving file (JSON, CSV or XLSX) or the Transparency
Code CSV. Nothing can be published while the file breaks the schema, and the reason is shown.

Every service call runs on the worker as one operation (``ui.operations``); the services are imported inside the
jobs, so opening these dialogs never loads SQLAlchemy on the GUI thread. Refusals are shown in the
services' own words in the status line.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QDate, QRect, QSize, Qt, Signal
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
from grantdesk.i18n import N_, ngettext
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
    ("json", N_("360Giving JSON") + " (*.json)"),
    ("csv", N_("360Giving spreadsheet, CSV") + " (*.csv)"),
    ("xlsx", N_("360Giving spreadsheet, Excel") + " (*.xlsx)"),
)
OPEN_FILTER = "360Giving files (*.json *.csv *.xlsx);;All files (*)"  # English; open_filter() is translated


def tr(text: str) -> str:
    return QCoreApplication.translate("OpenData", text)


def format_filters() -> tuple[tuple[str, str], ...]:
    """FORMAT_FILTERS in the current language (the file patterns as they are)."""
    return tuple((kind, tr(text.rsplit(" (", 1)[0]) + " (" + text.rsplit(" (", 1)[1]) for kind, text in FORMAT_FILTERS)


def open_filter() -> str:
    return tr("360Giving files") + " (*.json *.csv *.xlsx);;" + tr("All files") + " (*)"


def _explain(exc: BaseException, cancelled: str) -> tuple[str, str]:
    """(text, style) for a failed job: the core's refusal in its own words, a cancellation in grey, a
    file problem or anything unexpected as one plain sentence (never a traceback)."""
    if isinstance(exc, Cancelled):
        return cancelled, INFO_STYLE
    if isinstance(exc, GrantDeskError):
        return str(exc), ERROR_STYLE
    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        if exc.filename:
            return tr("The file could not be used: {why} ({file}). Nothing was written.").format(
                why=why, file=exc.filename), ERROR_STYLE
        return tr("The file could not be used: {why}. Nothing was written.").format(why=why), ERROR_STYLE
    return tr("Something went wrong and nothing was written: {0}.").format(exc or type(exc).__name__), ERROR_STYLE


def status_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(tr("Status"))
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def list_widget(name: str, accessible: str) -> QListWidget:
    view = QListWidget()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    return view


class WrappingDelegate(QStyledItemDelegate):
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


class JobDialog(QDialog):
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

    def _failed(self, exc: BaseException, cancelled: str | None = None) -> None:
        self._set_busy(False)
        text, style = _explain(exc, cancelled or self.tr("Cancelled: nothing was written."))
        self.say(text, style)
        self.failed.emit(text)


class PublishDialog(JobDialog):
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
        self.setWindowTitle(self.tr("Publish Open Data — {0}").format(self.fund_code))
        self.setAccessibleName(self.tr("Publish open data"))
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
        self.prefix_edit.setToolTip(self.tr("The prefix your council registered with 360Giving; every grant's id starts with it"))
        self.funder_edit = QLineEdit()
        self.funder_edit.setObjectName("funderIdEdit")
        self.funder_edit.setPlaceholderText("GB-LAE-STS")
        self.funder_edit.setToolTip(self.tr("The council's organisation identifier: GB-LAE-… (England), GB-PLA-… "
                                            "(Wales), GB-LAS-… (Scotland) or GB-LANI-… (Northern Ireland)"))
        self.department_edit = QLineEdit()
        self.department_edit.setObjectName("departmentEdit")
        self.department_edit.setPlaceholderText(self.tr("Communities team"))
        self.data_source_edit = QLineEdit()
        self.data_source_edit.setObjectName("dataSourceEdit")
        self.data_source_edit.setPlaceholderText("https://www.example.gov.uk/open-data")
        self.data_source_edit.setToolTip(self.tr("The web page where the council publishes this data"))
        self.fund_url_edit = QLineEdit()
        self.fund_url_edit.setObjectName("fundUrlEdit")
        self.fund_url_edit.setPlaceholderText("https://www.example.gov.uk/grants")
        self.open_call_check = QCheckBox(self.tr("Grants come from an open &call"))
        self.open_call_check.setObjectName("openCallCheck")
        self.open_call_check.setAccessibleName(self.tr("Grants come from an open call"))
        self.open_call_check.setToolTip(self.tr("Anyone eligible could apply (360Giving's “From an open call?”)"))
        self.details_error = QLabel()
        self.details_error.setObjectName("detailsError")
        self.details_error.setAccessibleName(self.tr("Publisher details problem"))
        self.details_error.setWordWrap(True)
        self.details_error.setTextFormat(Qt.TextFormat.PlainText)
        self.details_error.hide()
        self.save_details_button = action_button(self.tr("Sa&ve details"), None, self.save_details, "saveDetailsButton",
                                                 auto_default=False)
        self.details_state = QLabel()
        self.details_state.setObjectName("detailsState")
        self.details_state.setStyleSheet("color: #92400e;")
        for edit in (self.prefix_edit, self.funder_edit, self.department_edit, self.data_source_edit,
                     self.fund_url_edit):
            edit.textEdited.connect(self._details_edited)
        self.open_call_check.toggled.connect(self._details_edited)

        publisher = QGroupBox(self.tr("Publisher"))
        form = QFormLayout(publisher)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(labelled(self.tr("360Giving p&refix:"), self.prefix_edit), self.prefix_edit)
        form.addRow(labelled(self.tr("&Funder org-id:"), self.funder_edit), self.funder_edit)
        form.addRow(labelled(self.tr("&Department:"), self.department_edit), self.department_edit)
        form.addRow(labelled(self.tr("Data-source &web page:"), self.data_source_edit), self.data_source_edit)
        form.addRow(labelled(self.tr("F&und web page:"), self.fund_url_edit), self.fund_url_edit)
        form.addRow(self.open_call_check)
        form.addRow(self.details_error)
        save_row = QHBoxLayout()
        save_row.addWidget(self.details_state, 1)
        save_row.addWidget(self.save_details_button)
        form.addRow(save_row)

        # The period.
        start_of_year = date(self.today.year if self.today.month >= 4 else self.today.year - 1, 4, 1)
        self.from_check = QCheckBox(self.tr("Awarded fro&m:"))
        self.from_check.setObjectName("fromCheck")
        self.from_check.setAccessibleName(self.tr("Only awards from a date"))
        self.from_date = self._date_edit("fromDate", self.tr("Awarded from"), start_of_year)
        self.until_check = QCheckBox(self.tr("Awarded up &to:"))
        self.until_check.setObjectName("untilCheck")
        self.until_check.setAccessibleName(self.tr("Only awards up to a date"))
        self.until_date = self._date_edit("untilDate", self.tr("Awarded up to"), self.today)
        self.period_hint = QLabel()
        self.period_hint.setObjectName("periodHint")
        self.period_hint.setWordWrap(True)
        self.period_hint.setStyleSheet("color: #4b5563;")
        for check, edit in ((self.from_check, self.from_date), (self.until_check, self.until_date)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._period_changed)
            edit.dateChanged.connect(self._period_changed)
            edit.setEnabled(False)
        period = QGroupBox(self.tr("Period"))
        grid = QFormLayout(period)
        grid.addRow(self.from_check, self.from_date)
        grid.addRow(self.until_check, self.until_date)
        grid.addRow(self.period_hint)
        self._show_period_hint()

        privacy = QGroupBox(self.tr("What is published"))
        privacy_layout = QVBoxLayout(privacy)
        self.privacy_note = QLabel()
        self._show_privacy_note()
        self.privacy_note.setObjectName("privacyNote")
        self.privacy_note.setAccessibleName(self.tr("What is published"))
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
        self.check_button = action_button(self.tr("C&heck"), "Ctrl+Return", self.check, "checkButton", auto_default=False)
        self.check_button.setToolTip(self.tr("Build the 360Giving file and check it (Ctrl+Enter or F5); nothing is written"))
        for keys in ("F5", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.check)
        self.summary = QLabel(self.tr("Check the fund's awards before publishing: GrantDesk builds the 360Giving "
                                      "file, checks it against the official schema and runs the quality checks. "
                                      "Nothing is written until you save a file."))
        self.summary.setObjectName("publishSummary")
        self.summary.setAccessibleName(self.tr("Summary"))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.quality = QTreeWidget()
        self.quality.setObjectName("qualityList")
        self.quality.setColumnCount(3)
        self.quality.setHeaderLabels([self.tr("Severity"), self.tr("Grants"), self.tr("Issue")])
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
        self.quality.setItemDelegate(WrappingDelegate(self.quality))
        header.sectionResized.connect(lambda *_: self.quality.doItemsLayout())  # rows re-wrap to the width
        self.quality.currentItemChanged.connect(self._issue_chosen)
        quality_label = labelled(self.tr("&Quality report (critical issues first):"), self.quality)
        self.quality.setAccessibleName(self.tr("Quality report"))

        self.grant_ids = list_widget("issueGrantIds", self.tr("Grants with the chosen issue"))
        self.grant_ids_label = labelled(self.tr("&Grants with the chosen issue:"), self.grant_ids)
        self.grant_ids.setAccessibleName(self.tr("Grants with the chosen issue"))

        self.schema_list = list_widget("schemaProblems", self.tr("Schema problems"))
        self.schema_list.setStyleSheet("QListWidget { color: #991b1b; }")
        schema_label = labelled(self.tr("Schema pro&blems (the file cannot be published until they are fixed):"),
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

        check_group = QGroupBox(self.tr("Check"))
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
        self.publish_reason.setAccessibleName(self.tr("Why publishing is not available"))
        self.publish_reason.setWordWrap(True)
        self.save_json_button = action_button(self.tr("&Save 360Giving file…"), "Ctrl+S", self.save_360giving,
                                              "save360Button", auto_default=False)
        self.save_csv_button = action_button(self.tr("Save Trans&parency Code CSV…"), "Ctrl+Shift+S", self.save_transparency,
                                             "saveTransparencyButton", auto_default=False)
        close = QPushButton(self.tr("Close"))
        close.setObjectName("closeButton")
        close.setAutoDefault(False)
        close.setAccessibleName(self.tr("Close"))
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.publish_reason, 1)
        bottom.addWidget(self.save_json_button)
        bottom.addWidget(self.save_csv_button)
        bottom.addSpacing(12)
        bottom.addWidget(close)

        self.status = status_label("publishStatus")

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
        code = escape(self.tr("fund code {0}").format(self.fund_code))
        self.heading.setText(f"<b style='font-size:13pt'>{escape(self.fund_name)}</b>"
                             f"<span style='color:#4b5563'>{council} · {code}</span>")

    def _show_privacy_note(self) -> None:
        licence = self.details.licence if self.details is not None else ""
        if not licence or "open-government-licence/version/3" in licence:
            licence = self.tr("the Open Government Licence v3.0")
        points = (
            self.tr("Each grant keeps its id once published: 360G-<i>prefix</i>-<i>reference</i>."),
            self.tr("Grants to individuals carry no name, address or anything typed about them."),
            self.tr("No contact names, e-mail addresses or phone numbers; any typed into a title or summary are "
                    "taken out."),
            self.tr("Addresses only for registered charities and companies; every grant gives its ward or division."),
            self.tr("Under {0}.").format(escape(licence)),
        )
        self.privacy_note.setText("<ul style='margin-left:-24px; -qt-list-indent:1'>"
                                  + "".join(f"<li>{p}</li>" for p in points) + "</ul>")

    def period(self) -> tuple[date | None, date | None]:
        since = self.from_date.date().toPython() if self.from_check.isChecked() else None
        until = self.until_date.date().toPython() if self.until_check.isChecked() else None
        return since, until

    def _show_period_hint(self) -> None:
        since, until = self.period()
        if since and until:
            text = self.tr("Awards made {0} to {1}.").format(f"{since:%d/%m/%Y}", f"{until:%d/%m/%Y}")
        elif since:
            text = self.tr("Awards made on or after {0}.").format(f"{since:%d/%m/%Y}")
        elif until:
            text = self.tr("Awards made up to {0}.").format(f"{until:%d/%m/%Y}")
        else:
            text = self.tr("Whole history: every award the fund has made (past grants brought in from 360Giving "
                           "files are never published again).")
        self.period_hint.setText(text)

    def _update_buttons(self) -> None:
        loaded = self.details is not None
        for widget in (self.prefix_edit, self.funder_edit, self.department_edit, self.data_source_edit,
                       self.fund_url_edit, self.open_call_check):
            widget.setEnabled(loaded and not self._busy)
        self.save_details_button.setEnabled(loaded and not self._busy and self._dirty)
        self.details_state.setText(self.tr("Changes not saved yet.") if self._dirty else "")
        self.check_button.setEnabled(loaded and not self._busy)
        pub = self.publication
        self.save_json_button.setEnabled(pub is not None and pub.valid and not self._busy)
        self.save_csv_button.setEnabled(pub is not None and not self._busy)
        if pub is None:
            reason = self.tr("Check the data first: publishing is available once the check has run.")
            self.publish_reason.setStyleSheet("color: #4b5563;")
        elif not pub.valid:
            n = len(pub.schema_problems)
            reason = ngettext("The 360Giving file cannot be saved: it breaks the schema in {n} place (listed above).",
                              "The 360Giving file cannot be saved: it breaks the schema in {n} places (listed above).",
                              n).format(n=n)
            self.publish_reason.setStyleSheet("color: #991b1b;")
        else:
            critical = sum(1 for q in pub.quality if q.critical)
            reason = ngettext("Ready to publish {n} grant.", "Ready to publish {n} grants.", pub.count).format(n=pub.count)
            if critical:
                reason += " " + ngettext("{n} critical quality issue should be fixed first.",
                                         "{n} critical quality issues should be fixed first.", critical).format(n=critical)
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
        self.summary.setText(self.tr("{0} Check again before publishing.").format(why))
        self._update_buttons()

    def _details_edited(self, *_args) -> None:
        if self.details is None:
            return
        self._dirty = True
        self.details_error.hide()
        self._update_buttons()

    def _period_changed(self, *_args) -> None:
        self._show_period_hint()
        self._forget_check(self.tr("The period has changed."))

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
        self.setWindowTitle(self.tr("Publish Open Data — {0}").format(self.fund_name))
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
        self._forget_check(self.tr("The publisher details have changed."))
        self.say(self.tr("Saved the publisher details."))
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
            self.say(self.tr("The period ends ({0}) before it starts ({1}).").format(f"{until:%d/%m/%Y}", f"{since:%d/%m/%Y}"),
                     ERROR_STYLE)
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
        self.summary.setText(self.tr("Checking…"))
        self.status.hide()
        if self._dirty:
            self.say(self.tr("The publisher details have unsaved changes: this check uses the saved details."), WARNING_STYLE)
        self._run(work, self._on_checked, self._on_check_failed, progress_title=self.tr("Checking the open data"))

    def _on_check_failed(self, exc: BaseException) -> None:
        self.summary.setText(self.tr("The check did not finish.") if isinstance(exc, Cancelled) else
                             self.tr("Nothing to publish yet.") if isinstance(exc, GrantDeskError)
                             else self.tr("The check failed."))
        self._failed(exc, self.tr("Cancelled: the check was stopped."))

    def _on_checked(self, publication: Any) -> None:
        self.publication = publication
        self.summary.setText(publication.summary())
        bold = QFont(self.quality.font())
        bold.setBold(True)
        issues = sorted(publication.quality, key=lambda q: not q.critical)  # stable: the service's order within
        for issue in issues:
            item = QTreeWidgetItem([self.tr("Critical") if issue.critical else self.tr("Advice"), f"{issue.count:,}",
                                    issue.message])
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
            empty = QTreeWidgetItem(["", "", self.tr("No quality issues: every check passes.")])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.quality.addTopLevelItem(empty)
        if publication.schema_problems:
            self.schema_list.addItems([str(p) for p in publication.schema_problems])
            self.schema_box.show()
        self._set_busy(False)
        critical = sum(1 for q in issues if q.critical)
        grants = ngettext("{n} grant", "{n} grants", publication.count).format(n=publication.count)
        if critical:
            text = ngettext("Checked {grants}: {n} quality issue, {critical} critical.",
                            "Checked {grants}: {n} quality issues, {critical} critical.", len(issues))
        else:
            text = ngettext("Checked {grants}: {n} quality issue.", "Checked {grants}: {n} quality issues.", len(issues))
        text = text.format(grants=grants, n=len(issues), critical=critical)
        self.say(text, OK_STYLE if publication.valid else ERROR_STYLE)
        if issues:
            self.quality.setCurrentItem(self.quality.topLevelItem(0))
        self.checked.emit(publication)

    def _issue_chosen(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        self.grant_ids.clear()
        issue = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if issue is None:
            self.grant_ids_label.setText(self.tr("&Grants with the chosen issue:"))
            return
        shown = issue.grant_ids[:SHOWN_IDS]
        self.grant_ids.addItems(list(shown))
        if issue.count > len(shown):
            text = self.tr("&Grants with this issue (the first {0} of {1}):").format(len(shown), f"{issue.count:,}")
        else:
            text = self.tr("&Grants with this issue (all {0}):").format(f"{issue.count:,}")
        self.grant_ids_label.setText(text)

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
            self.tr("Save the 360Giving file"), f"{self.fund_code}-360giving-{self.today.isoformat()}.json",
            format_filters())
        if target is None:
            return

        def work(db):
            from grantdesk.services.open_data import publish_360giving

            return publish_360giving(db, publication, target)

        self._publish(work, self.tr("Saving the 360Giving file…"))

    def save_transparency(self, path: str | Path | None = None) -> None:
        """Write the Local Government Transparency Code CSV for the checked period."""
        publication = self.publication
        if publication is None or self._busy:
            return
        target = Path(path) if path else self._ask_path(
            self.tr("Save the Transparency Code CSV"), f"{self.fund_code}-transparency-{self.today.isoformat()}.csv",
            (("csv", "CSV (*.csv)"),))
        if target is None:
            return
        code, since, until = self.fund_code, publication.since, publication.until

        def work(db):
            from grantdesk.services.open_data import publish_transparency

            return publish_transparency(db, code, target, since=since, until=until)

        self._publish(work, self.tr("Saving the Transparency Code CSV…"))

    def _publish(self, work: Callable[[], Any], doing: str) -> None:
        self.say(doing, INFO_STYLE)
        self._run(work, self._on_published, self._failed, writes=True)

    def _on_published(self, result: Any) -> None:
        self._set_busy(False)
        self.say(result.message)
        self.published.emit(result)


# --- importing past grants -----------------------------------------------------------------------------
