"""A round's letters: choose the kind, the round and the letter's date, make the batch in the background,
preview it exactly as it will print, then save it as one PDF (and, optionally, one PDF per applicant)
or print it through the system print dialog. Each save or print records every letter it produced
against its application in the audit log.

Making the preview is a ``Query`` (it records nothing); saving and printing are each one ``Op`` calling
``grantdesk.services.letters.produce_letters`` — the same service the command line calls — so the
letters are made again in its transaction, checked against the preview (``LettersChanged`` if they
differ), written or printed, and recorded only once that succeeded. The preview's file is what is
saved (``PreviewCopy``). While the preview is up, the window follows changes made in other windows
(awards, applications, templates…) and says when the letters it shows are out of date.

Everything runs on the worker (``TaskRunner``), with a progress dialog and Cancel. The batch is
rendered to a temporary PDF, which the GUI thread loads into a ``QPdfDocument`` for the ``QPdfView``.
Printing paints each page of that PDF onto the printer (``ui.letter_jobs.paint_pages``).

QtPdf comes from PySide6-Addons: this module is imported only when the letters window opens.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPageSize, QPalette
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date
from grantdesk.i18n import N_, ngettext
from ui.letter_jobs import MadeBatch, PreviewCopy, Steps, paint_pages, render_batch
from ui.operations import Op, Query, follow_changes
from ui.tasks import Cancelled, TaskRunner
from ui.widgets import action_button, labelled

KINDS = (("award", N_("Award")), ("decline", N_("Decline")), ("deferral", N_("Deferral")),
         ("payment", N_("Payment confirmation")))
LANGUAGE_NAMES = {"en": N_("English"), "cy": N_("Cymraeg")}

ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
WARNING_STYLE = "padding: 6px; background: #fffbeb; color: #92400e;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"
INFO_STYLE = "padding: 6px; background: #f3f4f6; color: #1f2937;"


def language_label(languages: tuple[str, ...]) -> str:
    """``("cy", "en")`` → "Cymraeg + English", in the order the letter prints them."""
    return " + ".join(tr(LANGUAGE_NAMES[x]) if x in LANGUAGE_NAMES else x for x in languages)


def tr(text: str) -> str:
    return QCoreApplication.translate("LettersWindow", text)


def _letters_word(n: int, kind: str) -> str:
    """"3 award letters": a whole phrase for each kind (Welsh words it differently for each)."""
    if kind == "award":
        text = ngettext("{n} award letter", "{n} award letters", n)
    elif kind == "decline":
        text = ngettext("{n} decline letter", "{n} decline letters", n)
    elif kind == "deferral":
        text = ngettext("{n} deferral letter", "{n} deferral letters", n)
    elif kind == "payment":
        text = ngettext("{n} payment letter", "{n} payment letters", n)
    else:
        text = ngettext("{n} letter", "{n} letters", n)
    return text.format(n=n)


def _skipped_heading(n: int, kind: str) -> str:
    """The heading over the applications a batch leaves out (no address, no e-mail…)."""
    if kind == "decline":
        text = ngettext("{n} application declined gets no letter:", "{n} applications declined get no letter:", n)
    elif kind == "deferral":
        text = ngettext("{n} application deferred gets no letter:", "{n} applications deferred get no letter:", n)
    elif kind == "payment":
        text = ngettext("{n} application awarded and paid gets no letter:",
                        "{n} applications awarded and paid get no letter:", n)
    else:
        text = ngettext("{n} application awarded gets no letter:", "{n} applications awarded get no letter:", n)
    return text.format(n=n)


def _none_to_make(kind: str, in_round: bool) -> tuple[str, str]:
    """(the summary, the notice) when a round or fund has no letters of ``kind`` to make."""
    if kind == "decline":
        return tr("No decline letters."), (
            tr("There are no decline letters to make: no application in this round is declined.") if in_round
            else tr("There are no decline letters to make: no application in this fund is declined."))
    if kind == "deferral":
        return tr("No deferral letters."), (
            tr("There are no deferral letters to make: no application in this round is deferred.") if in_round
            else tr("There are no deferral letters to make: no application in this fund is deferred."))
    if kind == "payment":
        return tr("No payment letters."), (
            tr("There are no payment letters to make: no application in this round is awarded and paid.")
            if in_round else
            tr("There are no payment letters to make: no application in this fund is awarded and paid."))
    return tr("No award letters."), (
        tr("There are no award letters to make: no application in this round is awarded.") if in_round
        else tr("There are no award letters to make: no application in this fund is awarded."))


class LettersWindow(QWidget):
    """A fund's letters. ``start()`` loads the fund's rounds (``loaded``); ``make_letters()`` builds and
    renders the batch (``batch_ready``, or ``failed`` with the reason); ``save_to`` / ``print_to``
    save or print it and record the letters (``saved`` with the path, ``printed`` with the pages).
    ``checked`` is emitted when the preview has been compared with the letters as they now are, after
    a change made elsewhere (``stale`` names the references that changed)."""

    loaded = Signal()
    batch_ready = Signal()
    saved = Signal(str)
    printed = Signal(int)
    failed = Signal(str)  # a refusal, an error or a cancellation, as shown in the notice
    checked = Signal()

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.db = db
        self.runner = runner
        self.fund_code = fund_code.upper()
        self.fund: Any = None  # FundSummary
        self.made: MadeBatch | None = None  # the batch being previewed
        self._busy = False
        self._closed = False
        self._stop = threading.Event()  # Cancel for the job running now
        self._temp = tempfile.TemporaryDirectory(prefix="grantdesk-letters-", ignore_cleanup_errors=True)
        self._made_count = 0
        self._printer: QPrinter | None = None
        self.stale = False  # the letters changed elsewhere since the preview was made: make them again
        self.stale_references: tuple[str, ...] = ()  # which, when known
        self._recheck = False  # something changed while a job ran: check the preview when it ends
        self.setWindowTitle(self.tr("Letters — {0}").format(self.fund_code))
        self.setObjectName("lettersWindow")
        self.setAccessibleName(self.tr("Letters"))
        self._build()
        self.resize(1280, 800)
        # what the letters say comes from these: another window changing them may date the preview
        follow_changes(self, {Kind.FUNDS, Kind.APPLICATIONS, Kind.AWARDS, Kind.MEMBERS, Kind.PANELS, Kind.EVENTS},
                       self._on_changes)

    # --- construction -------------------------------------------------------------------------------


    def _build(self) -> None:
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind, label in KINDS:
            self.kind_combo.addItem(self.tr(label), kind)
        self.round_combo = QComboBox()
        self.round_combo.setObjectName("roundCombo")
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.round_combo.addItem(self.tr("All rounds"), None)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("letterDateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMMM yyyy")
        self.make_button = action_button(self.tr("&Make letters"), "Ctrl+Return", self.make_letters, "makeLettersButton")
        self.templates_button = action_button(self.tr("Edit &templates…"), "Ctrl+T", self.edit_templates, "editTemplatesButton")
        self.reissue_check = QCheckBox(self.tr("&Include letters already sent (reissue)"))
        self.reissue_check.setObjectName("reissueCheck")
        self.reissue_check.setAccessibleName(self.tr("Include letters already sent (reissue)"))
        self.reissue_check.setToolTip(self.tr("Off: a batch is the letters not yet sent. On: letters already "
                                              "sent are made again, each marked as a reissue."))

        top = QHBoxLayout()
        top.addWidget(labelled(self.tr("&Kind:"), self.kind_combo))
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        top.addWidget(labelled(self.tr("&Round:"), self.round_combo))
        top.addWidget(self.round_combo)
        top.addSpacing(12)
        top.addWidget(labelled(self.tr("Letter &date:"), self.date_edit))
        top.addWidget(self.date_edit)
        top.addSpacing(12)
        top.addWidget(self.reissue_check)
        top.addWidget(self.make_button)
        top.addWidget(self.templates_button)
        top.addStretch(1)

        self.notice = QLabel()
        self.notice.setObjectName("lettersNotice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.skipped_notice = QLabel()
        self.skipped_notice.setObjectName("skippedNotice")
        self.skipped_notice.setAccessibleName(self.tr("Applications without a letter"))
        self.skipped_notice.setWordWrap(True)
        self.skipped_notice.setStyleSheet(WARNING_STYLE)
        self.skipped_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skipped_notice.hide()
        self.sent_notice = QLabel()
        self.sent_notice.setObjectName("sentNotice")
        self.sent_notice.setAccessibleName(self.tr("Letters already sent"))
        self.sent_notice.setWordWrap(True)
        self.sent_notice.setStyleSheet(INFO_STYLE)
        self.sent_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sent_notice.hide()

        # Left: the letters of the batch.
        self.letter_list = QTreeWidget()
        self.letter_list.setObjectName("letterList")
        self.letter_list.setAccessibleName(self.tr("Letters in the batch"))
        self.letter_list.setColumnCount(4)
        self.letter_list.setHeaderLabels([self.tr("Reference"), self.tr("Organisation"), self.tr("Language"),
                                          self.tr("Pages")])
        self.letter_list.setRootIsDecorated(False)
        self.letter_list.setUniformRowHeights(True)
        self.letter_list.setAlternatingRowColors(True)
        self.letter_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.letter_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.letter_list.currentItemChanged.connect(self._on_letter_chosen)
        self.letter_list.itemSelectionChanged.connect(self._update_buttons)
        self.summary = QLabel(self.tr("Choose the kind of letter and the round, then press <b>Make letters</b>."))
        self.summary.setObjectName("batchSummary")
        self.summary.setAccessibleName(self.tr("The batch"))
        self.summary.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(labelled(self.tr("&Letters:"), self.letter_list))
        left_layout.addWidget(self.letter_list, 1)
        left_layout.addWidget(self.summary)

        # Right: the preview, with page navigation and zoom.
        self.document = QPdfDocument(self)
        self.document.setObjectName("lettersDocument")
        self.view = QPdfView(self)
        self.view.setObjectName("lettersPreview")
        self.view.setAccessibleName(self.tr("Preview of the letters as they will print"))
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        palette = self.view.palette()
        palette.setColor(QPalette.ColorRole.Dark, QColor("#9ca3af"))  # the desk the pages lie on
        self.view.setPalette(palette)
        self.view.pageNavigator().currentPageChanged.connect(self._on_page_shown)

        self.page_spin = QSpinBox()
        self.page_spin.setObjectName("pageSpin")
        self.page_spin.setRange(0, 0)
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(lambda value: self.show_page(value - 1))
        self.page_count_label = QLabel(self.tr("of {0}").format(0))
        self.prev_button = action_button(self.tr("Previous page"), "Ctrl+PgUp", lambda: self._step_page(-1), "previousPageButton")
        self.next_button = action_button(self.tr("Next page"), "Ctrl+PgDown", lambda: self._step_page(1), "nextPageButton")
        self.zoom_combo = QComboBox()
        self.zoom_combo.setObjectName("zoomCombo")
        self.zoom_combo.addItem(self.tr("Fit width"), "width")
        self.zoom_combo.addItem(self.tr("Whole page"), "page")
        self.zoom_combo.addItem(self.tr("Actual size"), "actual")
        self.zoom_combo.currentIndexChanged.connect(self._on_zoom)

        nav = QHBoxLayout()
        nav.addWidget(labelled(self.tr("Pa&ge:"), self.page_spin))
        nav.addWidget(self.page_spin)
        nav.addWidget(self.page_count_label)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(labelled(self.tr("&Zoom:"), self.zoom_combo))
        nav.addWidget(self.zoom_combo)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(nav)
        right_layout.addWidget(self.view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("lettersSplitter")
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([470, 810])

        # Bottom: save and print.
        self.save_button = action_button(self.tr("&Save PDF…"), "Ctrl+S", self.save_pdf, "savePdfButton")
        self.split_check = QCheckBox(self.tr("Also one PDF per &applicant…"))
        self.split_check.setObjectName("splitCheck")
        self.split_check.setAccessibleName(self.tr("Also one PDF per applicant"))
        self.split_check.setToolTip(self.tr("After saving the batch, choose a folder for one PDF per applicant, "
                                            "named by reference"))
        self.print_button = action_button(self.tr("&Print…"), "Ctrl+P", self.print_letters, "printButton")
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(self.tr("Saving or printing records each letter against its application.")))
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.split_check)
        bottom.addSpacing(12)
        bottom.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.skipped_notice)
        layout.addWidget(self.sent_notice)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.make_button, self.letter_list)
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------------------
    def _ready(self) -> bool:
        return self.made is not None and self.made.pdf is not None and not self._busy and not self.stale

    def _update_buttons(self) -> None:
        ready = self._ready()
        for widget in (self.kind_combo, self.round_combo, self.date_edit, self.reissue_check, self.make_button):
            widget.setEnabled(not self._busy and self.fund is not None)
        for widget in (self.save_button, self.split_check, self.print_button):
            widget.setEnabled(ready)
        pages = self.document.pageCount() if self.made and self.made.pdf else 0
        page = self.view.pageNavigator().currentPage()
        self.page_spin.setEnabled(pages > 0)
        self.prev_button.setEnabled(pages > 0 and page > 0)
        self.next_button.setEnabled(pages > 0 and page < pages - 1)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _say(self, html: str, style: str) -> None:
        self.notice.setText(html)
        self.notice.setStyleSheet(style)
        self.notice.show()

    def show_message(self, text: str) -> None:
        self._say(escape(text), OK_STYLE)

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, in red (the operations layer calls this)."""
        self._set_busy(False)
        self._say(escape(text), ERROR_STYLE)
        self.failed.emit(text)

    def _refused(self, error: Any) -> None:
        """A refusal with data to choose words from: each template problem on its line, a file that
        could not be written with where and why, letters that changed since the preview by reference."""
        from grantdesk.domain.letters import LettersChanged, LettersNotWritten, TemplateError

        if isinstance(error, TemplateError):
            self._set_busy(False)
            text = self.tr("These letters cannot be made until the fund's templates are put right:")
            items = "".join(f"<li>{escape(p)}</li>" for p in error.problems)
            self._say(f"<b>{escape(text)}</b><ul style='margin:0'>{items}</ul>", ERROR_STYLE)
            self.failed.emit(" ".join((text, *error.problems)))
        elif isinstance(error, LettersNotWritten):
            self.show_refusal(
                self.tr("The letters could not be written: {reason} ({path}). Nothing was recorded.").format(
                    reason=error.reason, path=error.path) if error.path else
                self.tr("The letters could not be written: {reason}. Nothing was recorded.").format(
                    reason=error.reason))
        elif isinstance(error, LettersChanged):
            self._show_stale((*error.changed, *error.added, *error.removed), refused=True)
        else:
            self.show_refusal(str(error))

    def _cancelled(self, what: str) -> None:
        self._set_busy(False)
        if self._closed:
            return  # the window closed mid-job: nobody is waiting
        self._say(escape(what), INFO_STYLE)
        self.failed.emit(what)

    # --- loading ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the fund and its rounds (newest first, the newest chosen)."""
        code = self.fund_code

        def fetch(db):
            from grantdesk.domain.errors import NotFound
            from grantdesk.services.funds import list_funds

            fund = next((f for f in list_funds(db) if f.code == code), None)
            if fund is None:
                raise NotFound(tr("There is no fund with the code {0}.").format(code))
            return fund

        Query(self, fetch).success(self._on_loaded).run()

    def _on_loaded(self, fund: Any) -> None:
        first = self.fund is None
        chosen = self.round_combo.currentData()
        self.fund = fund
        self.setWindowTitle(self.tr("Letters — {0}").format(fund.name))
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        self.round_combo.addItem(self.tr("All rounds"), None)
        for rnd in fund.rounds:
            self.round_combo.addItem(rnd.name, rnd.id)
        if first or self.round_combo.findData(chosen) < 0:
            self.round_combo.setCurrentIndex(1 if fund.rounds else 0)
        else:  # the rounds were read again after a change elsewhere: keep the one chosen
            self.round_combo.setCurrentIndex(self.round_combo.findData(chosen))
        self.round_combo.blockSignals(False)
        self._update_buttons()
        self.loaded.emit()

    # --- making the batch ---------------------------------------------------------------------------
    def make_letters(self) -> None:
        """Build the batch chosen at the top and render it, in the background (Cancel stops it)."""
        if self._busy or self.fund is None:
            return
        kind = self.kind_combo.currentData()
        round_id = self.round_combo.currentData()
        round_name = self.round_combo.currentText()
        day = self.date_edit.date().toPython()
        reissue = self.reissue_check.isChecked()
        self._clear_preview()
        self.notice.hide()
        self.skipped_notice.hide()
        self.sent_notice.hide()
        self._made_count += 1
        if not Path(self._temp.name).is_dir():  # closed, then shown again
            self._temp = tempfile.TemporaryDirectory(prefix="grantdesk-letters-", ignore_cleanup_errors=True)
        target = Path(self._temp.name) / f"batch-{self._made_count}.pdf"
        code = self.fund_code
        stop = self._new_stop()

        def work(db, progress):
            from grantdesk.domain.letters import LettersNotWritten
            from grantdesk.services.letters import build_letters

            steps = Steps(progress, stop)
            batch = build_letters(db, code, kind, round_id=round_id, day=day, reissue=reissue)
            if not batch.letters:
                return MadeBatch(batch, None, 0, (), day, round_name, round_id, reissue)
            if not target.parent.is_dir():  # the window was closed meanwhile
                raise Cancelled()
            try:
                pages, starts = render_batch(batch.letters, target, steps)
            except OSError as exc:  # no room for the preview
                raise LettersNotWritten(target, exc.strerror or str(exc)) from None
            return MadeBatch(batch, target, pages, starts, day, round_name, round_id, reissue)

        self._set_busy(True)
        self.summary.setText(self.tr("Making the letters…"))

        def refused(error: Any) -> None:
            self.summary.setText(self.tr("No letters made."))
            self._refused(error)

        def cancelled() -> None:
            self.summary.setText(self.tr("No letters made."))
            self._cancelled(self.tr("Cancelled: no letters were made."))

        (Query(self, work).with_progress(self.tr("Making letters")).success(self._on_made).failure(refused)
         .cancelled(cancelled).finally_(self._after_job).run())

    def _new_stop(self) -> threading.Event:
        self._stop = threading.Event()
        return self._stop

    def cancel(self) -> None:
        """Stop the job running now at its next step, as the progress dialog's Cancel does."""
        self._stop.set()

    def _after_job(self) -> None:
        self._set_busy(False)
        self._printer = None
        if self._recheck:
            self._recheck = False
            self._check_preview()

    def _on_made(self, made: MadeBatch) -> None:
        self._set_busy(False)
        self.stale, self.stale_references = False, ()
        if self._closed:
            if made.pdf is not None:
                made.pdf.unlink(missing_ok=True)
            return
        batch = made.batch
        kind = batch.kind
        if batch.skipped:
            items = "".join(f"<li>{escape(x)}</li>" for x in batch.skipped)
            heading = escape(_skipped_heading(len(batch.skipped), kind))
            self.skipped_notice.setText(f"<b>{heading}</b><ul style='margin:0'>{items}</ul>")
            self.skipped_notice.show()
        self._show_already_sent(batch)
        if made.pdf is None and batch.already_sent:
            self.summary.setText(self.tr("No letters made: every one was already sent."))
            self._say(escape(self.tr("Every letter of this kind was already sent. To send them again, tick "
                                     "“Include letters already sent (reissue)” and make the letters.")), INFO_STYLE)
            self.made = made
            self._update_buttons()
            self.batch_ready.emit()
            return
        if made.pdf is None:
            summary, notice = _none_to_make(kind, made.round_id is not None)
            self.summary.setText(summary)
            self._say(escape(notice), INFO_STYLE)
            self.made = made
            self._update_buttons()
            self.batch_ready.emit()
            return
        error = self.document.load(str(made.pdf))
        if error != QPdfDocument.Error.None_:
            self._clear_preview()
            made.pdf.unlink(missing_ok=True)
            self._say(escape(self.tr("The letters were made but cannot be previewed ({0}). Make them again.")
                             .format(error.name)), ERROR_STYLE)
            self.failed.emit(self.notice.text())
            return
        self.made = made
        self._fill_list(made)
        n = len(batch.letters)
        pages = ngettext("{n} page", "{n} pages", made.pages).format(n=made.pages)
        dated = self.tr("dated {0}").format(format_date(made.day, style="long"))
        self.summary.setText(escape(" · ".join((_letters_word(n, kind).capitalize(), pages, dated,
                                                made.round_name))))
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, max(1, self.document.pageCount()))
        self.page_spin.setValue(1)
        self.page_spin.blockSignals(False)
        self.page_count_label.setText(self.tr("of {0}").format(self.document.pageCount()))
        self.show_page(0)
        self._update_buttons()
        self.batch_ready.emit()

    def _fill_list(self, made: MadeBatch) -> None:
        self.letter_list.blockSignals(True)
        self.letter_list.clear()
        letters = made.batch.letters
        for i, letter in enumerate(letters):
            first = made.starts[i] if i < len(made.starts) else 0
            last = (made.starts[i + 1] if i + 1 < len(made.starts) else made.pages) - 1
            pages = f"{first + 1}" if last <= first else f"{first + 1}–{last + 1}"
            reference = letter.reference
            sent = letter.extra.get("reissued")
            if sent:
                reference = self.tr("{0} (reissue)").format(letter.reference)
            item = QTreeWidgetItem([reference, letter.organisation, language_label(letter.languages), pages])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(1, letter.organisation)
            if sent:
                on = format_date(date.fromisoformat(sent), style="short")
                item.setToolTip(0, self.tr("Already sent on {0}: this letter is a reissue.").format(on))
                font = item.font(0)
                font.setItalic(True)
                item.setFont(0, font)
            self.letter_list.addTopLevelItem(item)
        self.letter_list.blockSignals(False)

    def _show_already_sent(self, batch: Any) -> None:
        """How many letters were left out because they were already sent, and which (or, in a reissue
        batch, how many of its letters are reissues)."""
        sent = getattr(batch, "already_sent", ())
        reissued = sum(1 for x in batch.letters if x.extra.get("reissued"))
        self.sent_notice.setToolTip("")
        if sent:
            line = self.tr("{0}: already sent on {1}")
            lines = [line.format(x.reference, format_date(x.sent_on, style="short")) for x in sent]
            shown = lines if len(lines) <= 6 else [*lines[:5], "…"]  # a long list would push the preview down
            items = "".join(f"<li>{escape(x)}</li>" for x in shown)
            self.sent_notice.setToolTip("\n".join(lines))
            heading = ngettext("{n} letter already sent is left out (tick “Include letters already sent” to "
                               "send it again):",
                               "{n} letters already sent are left out (tick “Include letters already sent” to "
                               "send them again):", len(sent)).format(n=len(sent))
            self.sent_notice.setText(f"<b>{escape(heading)}</b><ul style='margin:0'>{items}</ul>")
            self.sent_notice.show()
        elif reissued:
            self.sent_notice.setText(escape(ngettext(
                "{n} letter in this batch was already sent: it is marked “(reissue)”.",
                "{n} letters in this batch were already sent: they are marked “(reissue)”.",
                reissued).format(n=reissued)))
            self.sent_notice.show()
        else:
            self.sent_notice.hide()

    def _clear_preview(self) -> None:
        old = self.made.pdf if self.made is not None else None
        self.made = None
        self.document.close()
        self.letter_list.clear()
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(0, 0)
        self.page_spin.blockSignals(False)
        self.page_count_label.setText(self.tr("of {0}").format(0))
        if old is not None:
            old.unlink(missing_ok=True)
        self._update_buttons()

    # --- the preview --------------------------------------------------------------------------------
    def letter_pages(self, row: int) -> range:
        """The pages (0-based) of the letter at ``row`` of the list."""
        made = self.made
        if made is None or not (0 <= row < len(made.starts)):
            return range(0)
        end = made.starts[row + 1] if row + 1 < len(made.starts) else made.pages
        return range(made.starts[row], end)

    def _on_letter_chosen(self, current: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if current is None:
            return
        pages = self.letter_pages(current.data(0, Qt.ItemDataRole.UserRole))
        if pages:
            self.show_page(pages.start)

    def show_page(self, page: int) -> None:
        """Scroll the preview to ``page`` (0-based), its top at the top of the view."""
        count = self.document.pageCount()
        if count <= 0:
            return
        page = max(0, min(page, count - 1))
        self.view.pageNavigator().jump(page, QPointF(0, 0), self.view.pageNavigator().currentZoom())

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def _step_page(self, delta: int) -> None:
        self.show_page(self.current_page() + delta)

    def _on_page_shown(self, page: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page + 1)
        self.page_spin.blockSignals(False)
        self._update_buttons()

    def _on_zoom(self, _index: int) -> None:
        mode = self.zoom_combo.currentData()
        if mode == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif mode == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(1.0)

    # --- saving -------------------------------------------------------------------------------------
    def save_pdf(self) -> None:
        """Ask where to save the batch (and, if ticked, a folder for one PDF per applicant), then save."""
        if not self._ready():
            return
        assert self.made is not None
        suggested = f"{self.fund_code.lower()}-{self.made.batch.kind}-letters-{self.made.day.isoformat()}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the letters"), suggested, "PDF (*.pdf)")
        if not path:
            return
        split_dir = None
        if self.split_check.isChecked():
            split_dir = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder for one PDF per applicant"),
                                                         str(Path(path).parent))
            if not split_dir:
                return
        self.save_to(path, split_dir)

    def edit_templates(self) -> None:
        """Open the fund's letter templates (one editor per letters window)."""
        from ui.template_editor import TemplateEditor

        if getattr(self, "template_editor", None) is None:
            self.template_editor = TemplateEditor(self.db, self.runner, self.fund_code, self)
            self.template_editor.setWindowFlag(Qt.WindowType.Window)
            self.template_editor.setWindowTitle(self.tr("Letter templates — {0}").format(self.fund_code))
            self.template_editor.resize(1200, 760)
            self.template_editor.start()
        self.template_editor.show()
        self.template_editor.raise_()
        self.template_editor.activateWindow()

    def _produce(self, title: str, cancelled: str, done: Any, **sending: Any) -> None:
        """Make the previewed batch again, send it (``sending``: where to save it, or how to print it)
        and record each letter sent: one ``Op``, one call of ``produce_letters`` — as the command line."""
        made = self.made
        assert made is not None
        code, kind = self.fund_code, made.batch.kind
        stop = self._new_stop()

        def work(db, progress):
            from grantdesk.services.letters import produce_letters

            return produce_letters(db, code, kind, round_id=made.round_id, day=made.day, expect=made.batch.letters,
                                   progress=Steps(progress, stop), reissue=made.reissue, **sending)

        self._set_busy(True)
        (Op(self, work).with_progress(title).success(done).failure(self._refused)
         .cancelled(lambda: self._cancelled(cancelled)).finally_(self._after_job).run())

    def save_to(self, path: str | Path, split_dir: str | Path | None = None) -> None:
        """Save the previewed batch to ``path`` (and one PDF per applicant in ``split_dir``), then
        record each letter against its application — on the worker, with progress and Cancel."""
        if not self._ready():
            return
        made = self.made
        assert made is not None and made.pdf is not None
        target, folder = Path(path), Path(split_dir) if split_dir else None

        def done(produced: Any) -> None:
            n = len(produced.files)
            recorded = _letters_word(len(produced.recorded), made.batch.kind)
            if folder:
                text = ngettext("Saved the letters to {target} and {n} file (one per applicant) in {folder}. "
                                "Recorded {recorded} against their applications.",
                                "Saved the letters to {target} and {n} files (one per applicant) in {folder}. "
                                "Recorded {recorded} against their applications.", n)
            else:
                text = self.tr("Saved the letters to {target}. Recorded {recorded} against their applications.")
            self.show_message(text.format(target=target, n=n, folder=folder, recorded=recorded))
            self.saved.emit(str(target))

        self._produce(self.tr("Saving letters"), self.tr("Cancelled: nothing was saved and no letter was recorded."),
                      done,
                      renderer=PreviewCopy(made), out=target, split_dir=folder)

    # --- printing -----------------------------------------------------------------------------------
    def print_letters(self) -> None:
        """The system print dialog (all pages, a page range, the page shown, or the selected letters),
        then print."""
        if not self._ready():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(f"{self.fund_code} {self.made.batch.kind} letters" if self.made else "Letters")  # a file name
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the letters"))
        dialog.setMinMax(1, max(1, self.document.pageCount()))
        options = QAbstractPrintDialog.PrintDialogOption
        dialog.setOption(options.PrintPageRange, True)
        dialog.setOption(options.PrintCurrentPage, True)
        dialog.setOption(options.PrintSelection, bool(self.letter_list.selectedItems()))
        dialog.setOption(options.PrintToFile, True)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return
        self._printer = printer  # kept until the job is done: the worker paints on it
        self.print_to(printer)

    def pages_to_print(self, printer: QPrinter) -> list[int]:
        """The pages (0-based, in printing order, copies included when the printer cannot make them)
        that ``printer``'s settings from the print dialog ask for."""
        count = self.document.pageCount()
        rng = printer.printRange()
        if rng == QPrinter.PrintRange.PageRange:
            ranges = printer.pageRanges()
            if ranges.isEmpty():
                first, last = printer.fromPage() or 1, printer.toPage() or count
                pages = [p for p in range(count) if first <= p + 1 <= last]
            else:
                pages = [p for p in range(count) if ranges.contains(p + 1)]
        elif rng == QPrinter.PrintRange.CurrentPage:
            pages = [self.current_page()]
        elif rng == QPrinter.PrintRange.Selection:
            rows = sorted(item.data(0, Qt.ItemDataRole.UserRole) for item in self.letter_list.selectedItems())
            pages = [p for row in rows for p in self.letter_pages(row)]
        else:
            pages = list(range(count))
        if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
            pages.reverse()
        copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
        return pages * copies

    def print_to(self, printer: QPrinter) -> None:
        """Print the previewed batch on ``printer`` (as set by the print dialog), then record each letter
        that was printed (any of its pages) against its application — on the worker, with progress
        and Cancel, which aborts the print job."""
        if not self._ready():
            return
        made = self.made
        assert made is not None and made.pdf is not None
        pages = self.pages_to_print(printer)
        if not pages:
            self._say(escape(self.tr("The pages chosen are not in this batch: nothing was printed.")), WARNING_STYLE)
            return
        wanted = set(pages)
        chosen = {i for i in range(len(made.batch.letters)) if wanted & set(self.letter_pages(i))}
        source = made.pdf

        def paint(letters: tuple[Any, ...], progress: Any) -> tuple[Any, ...]:
            """On the worker, inside produce_letters' transaction: the letters printed are recorded."""
            paint_pages(source, printer, pages, progress)
            return tuple(x for i, x in enumerate(letters) if i in chosen)

        def done(produced: Any) -> None:
            self.show_message(ngettext("Sent {n} page to the printer. Recorded {recorded} against their applications.",
                                       "Sent {n} pages to the printer. Recorded {recorded} against their applications.",
                                       len(pages)).format(n=len(pages), recorded=_letters_word(
                                           len(produced.recorded), made.batch.kind)))
            self.printed.emit(len(pages))

        self._printer = printer  # kept until the job is done: the worker paints on it
        self._produce(self.tr("Printing letters"),
                      self.tr("Cancelled: the print job was stopped and no letter was recorded."), done,
                      deliver=paint)

    # --- changes made in other windows ----------------------------------------------------------------
    def _on_changes(self, changes: Any) -> None:
        """Another window changed what letters say (an award, an address, a template, a round): read the
        rounds again, and check the preview against the letters as they would now be made."""
        if Kind.FUNDS in changes.kinds and self.fund is not None:
            self.start()
        if self.made is None or self.made.pdf is None or self.stale:
            return
        if self._busy:
            self._recheck = True
            return
        self._check_preview()

    def _check_preview(self) -> None:
        made = self.made
        if made is None or made.pdf is None:
            return
        code = self.fund_code

        def work(db):
            from grantdesk.services.letters import build_letters

            return build_letters(db, code, made.batch.kind, round_id=made.round_id, day=made.day,
                                 reissue=made.reissue, seen=made.batch.letters).letters

        def compare(letters: tuple[Any, ...]) -> None:
            if self.made is made and letters != made.batch.letters:
                seen: dict[str, list[Any]] = {}
                now: dict[str, list[Any]] = {}
                for batch, by_reference in ((made.batch.letters, seen), (letters, now)):
                    for letter in batch:  # payment letters: one per payment, several to a reference
                        by_reference.setdefault(letter.reference, []).append(letter)
                self._show_stale(sorted(r for r in seen.keys() | now.keys() if seen.get(r) != now.get(r)))
            self.checked.emit()

        def unmakeable(error: Any) -> None:  # a template broken elsewhere, the fund gone…
            if self.made is made:
                self._show_stale((), reason=str(error))
            self.checked.emit()

        Query(self, work).success(compare).failure(unmakeable).run()

    def _show_stale(self, references: Sequence[str], *, refused: bool = False, reason: str = "") -> None:
        """The preview no longer shows the letters that would be sent: say so, and offer only Make."""
        self.stale, self.stale_references = True, tuple(references)
        self._update_buttons()
        which = f" ({', '.join(self.stale_references)})" if self.stale_references else ""
        if refused:
            text = self.tr("These letters have changed since they were made{which}: nothing was saved or printed "
                           "and no letter was recorded. Make them again.").format(which=which)
        else:
            why = f": {reason}" if reason else ""
            text = self.tr("Since these letters were made, what they say was changed elsewhere{which}{why}. Make "
                           "them again before saving or printing.").format(which=which, why=why)
        self._say(escape(text), WARNING_STYLE)
        if refused:
            self.failed.emit(text)

    # --- closing ------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._closed = False
        super().showEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._closed = True
        self.cancel()
        self._clear_preview()
        self._temp.cleanup()
        super().closeEvent(event)
