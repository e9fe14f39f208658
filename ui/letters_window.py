"""A round's letters: choose the kind, the round and the letter's date, make the batch in the background,
preview it exactly as it will print, then save it as one PDF (and, optionally, one PDF per applicant)
or print it through the system print dialog. Each save or print records every letter it produced
against its application in the audit log.

Everything that touches the database or renders a PDF runs on the worker (``TaskRunner``), with a
progress dialog and Cancel. The batch is rendered to a temporary PDF, which the GUI thread loads into
a ``QPdfDocument`` for the ``QPdfView``. Printing paints each page of that PDF onto the printer with
``QPainter`` (Qt supports painting on a ``QPrinter`` outside the GUI thread), at the printer's
resolution up to ``PRINT_DPI``.

QtPdf comes from PySide6-Addons: this module is imported only when the letters window opens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPalette
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
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

from grantdesk.domain.dates import format_date
from ui.tasks import Cancelled, TaskRunner
from ui.widgets import action_button, labelled

KINDS = (("award", "Award"), ("decline", "Decline"), ("deferral", "Deferral"), ("payment", "Payment confirmation"))
STATE_WORDS = {"award": "awarded", "decline": "declined", "deferral": "deferred", "payment": "awarded and paid"}
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
PRINT_DPI = 600  # no office printer prints letters finer; higher only makes the print job bigger and slower
STRIP_PX = 1024  # a page goes to the printer in strips this tall, so a 600 dpi page never needs 140 MB at once

ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
WARNING_STYLE = "padding: 6px; background: #fffbeb; color: #92400e;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"
INFO_STYLE = "padding: 6px; background: #f3f4f6; color: #1f2937;"


def language_label(languages: tuple[str, ...]) -> str:
    """``("cy", "en")`` → "Cymraeg + English", in the order the letter prints them."""
    return " + ".join(LANGUAGE_NAMES.get(x, x) for x in languages)


def _letters_word(n: int, kind: str) -> str:
    return f"{n} {kind} letter{'' if n == 1 else 's'}"


class _Steps:
    """A job's ``Progress`` seen by one part of the job: ``done`` is counted from ``offset`` out of
    ``total``, and the part stops (``Cancelled``) when Cancel is pressed in the progress dialog or
    through ``LettersWindow.cancel``."""

    def __init__(self, progress: Any, stop: threading.Event, offset: int = 0, total: int | None = None):
        self.progress, self.stop, self.offset, self.total = progress, stop, offset, total

    def report(self, done: int, total: int, label: str = "") -> None:
        if self.stop.is_set():
            raise Cancelled()
        self.progress.report(self.offset + done, self.total if self.total is not None else total, label)

    def part(self, offset: int, total: int) -> _Steps:
        return _Steps(self.progress, self.stop, offset, total)


@dataclass(frozen=True)
class MadeBatch:
    """What the make job hands back: the batch, its temporary PDF, the PDF's page count and the first
    page (0-based) of each letter."""

    batch: Any  # grantdesk.services.letters.LetterBatch
    pdf: Path | None
    pages: int
    starts: tuple[int, ...]
    day: date
    round_name: str


def render_batch(letters: Any, target: Path, steps: _Steps) -> tuple[int, tuple[int, ...]]:
    """Write the batch to ``target`` (one PDF, each letter on a new page); the page count and each
    letter's first page. On the worker."""
    from grantdesk.reports.letters import letters_pdf

    starts: list[int] = []
    pages = letters_pdf(letters, target, progress=steps.part(0, len(letters)), page_starts=starts)
    return pages, tuple(starts)


def paint_pages(pdf: Path, printer: QPrinter, pages: list[int], steps: _Steps) -> None:
    """Paint ``pages`` (0-based, in order) of ``pdf`` onto ``printer``, each page scaled to the paper
    (1:1 on A4), at the printer's resolution up to ``PRINT_DPI``. On the worker: a ``QPdfDocument`` of
    its own, and a ``QPainter`` on the printer (Qt paints on a ``QPrinter`` from any thread). Cancel
    aborts the print job."""
    from grantdesk.domain.errors import GrantDeskError

    document = QPdfDocument()
    try:
        if document.load(str(pdf)) != QPdfDocument.Error.None_:
            raise GrantDeskError("The letters could not be read back for printing; make them again.")
        printer.setFullPage(True)  # the letters carry their own margins (and the envelope window's place)
        painter = QPainter()
        if not painter.begin(printer):
            raise GrantDeskError(f"The printer “{printer.printerName() or printer.outputFileName()}” "
                                 "could not start printing.")
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            for n, page in enumerate(pages):
                steps.report(n, len(pages), f"Printing page {n + 1} of {len(pages)}")
                if n:
                    printer.newPage()
                _paint_page(document, page, painter, paper, dpi)
            steps.report(len(pages), len(pages), "Sending to the printer")
        except BaseException:
            printer.abort()
            painter.end()
            if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
                Path(printer.outputFileName()).unlink(missing_ok=True)  # not a blank or half-printed file
            raise
        painter.end()
    finally:
        document.close()
        del document


def _paint_page(document: QPdfDocument, page: int, painter: QPainter, paper: QRectF, dpi: float) -> None:
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() / 72 * dpi)), max(1, round(points.height() / 72 * dpi)))
    scale = min(paper.width() / size.width(), paper.height() / size.height())
    left = paper.left() + (paper.width() - size.width() * scale) / 2
    top = paper.top() + (paper.height() - size.height() * scale) / 2
    for y in range(0, size.height(), STRIP_PX):
        height = min(STRIP_PX, size.height() - y)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(size)
        options.setScaledClipRect(QRect(0, y, size.width(), height))
        strip = document.render(page, QSize(size.width(), height), options)
        # pdfium leaves the paper transparent: flatten onto white so the printer gets plain RGB (a
        # transparent image would go out with a soft mask, twice the data and slower to spool)
        flat = QImage(strip.size(), QImage.Format.Format_RGB32)
        flat.fill(QColor("white"))
        on_white = QPainter(flat)
        on_white.drawImage(0, 0, strip)
        on_white.end()
        painter.drawImage(QRectF(left, top + y * scale, size.width() * scale, height * scale), flat)


class LettersWindow(QWidget):
    """A fund's letters. ``start()`` loads the fund's rounds (``loaded``); ``make_letters()`` builds and
    renders the batch (``batch_ready``, or ``failed`` with the reason); ``save_to`` / ``print_to``
    save or print it and record the letters (``saved`` with the path, ``printed`` with the pages)."""

    loaded = Signal()
    batch_ready = Signal()
    saved = Signal(str)
    printed = Signal(int)
    failed = Signal(str)  # a refusal, an error or a cancellation, as shown in the notice

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
        self.setWindowTitle(f"Letters — {self.fund_code}")
        self.setObjectName("lettersWindow")
        self.setAccessibleName("Letters")
        self._build()
        self.resize(1280, 800)

    # --- construction -------------------------------------------------------------------------------


    def _build(self) -> None:
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for kind, label in KINDS:
            self.kind_combo.addItem(label, kind)
        self.round_combo = QComboBox()
        self.round_combo.setObjectName("roundCombo")
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.round_combo.addItem("All rounds", None)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("letterDateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMMM yyyy")
        self.make_button = action_button("&Make letters", "Ctrl+Return", self.make_letters, "makeLettersButton")
        self.templates_button = action_button("Edit &templates…", "Ctrl+T", self.edit_templates, "editTemplatesButton")

        top = QHBoxLayout()
        top.addWidget(labelled("&Kind:", self.kind_combo))
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        top.addWidget(labelled("&Round:", self.round_combo))
        top.addWidget(self.round_combo)
        top.addSpacing(12)
        top.addWidget(labelled("Letter &date:", self.date_edit))
        top.addWidget(self.date_edit)
        top.addSpacing(12)
        top.addWidget(self.make_button)
        top.addWidget(self.templates_button)
        top.addStretch(1)

        self.notice = QLabel()
        self.notice.setObjectName("lettersNotice")
        self.notice.setAccessibleName("Notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.skipped_notice = QLabel()
        self.skipped_notice.setObjectName("skippedNotice")
        self.skipped_notice.setAccessibleName("Applications without a letter")
        self.skipped_notice.setWordWrap(True)
        self.skipped_notice.setStyleSheet(WARNING_STYLE)
        self.skipped_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.skipped_notice.hide()

        # Left: the letters of the batch.
        self.letter_list = QTreeWidget()
        self.letter_list.setObjectName("letterList")
        self.letter_list.setAccessibleName("Letters in the batch")
        self.letter_list.setColumnCount(4)
        self.letter_list.setHeaderLabels(["Reference", "Organisation", "Language", "Pages"])
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
        self.summary = QLabel("Choose the kind of letter and the round, then press <b>Make letters</b>.")
        self.summary.setObjectName("batchSummary")
        self.summary.setAccessibleName("The batch")
        self.summary.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(labelled("&Letters:", self.letter_list))
        left_layout.addWidget(self.letter_list, 1)
        left_layout.addWidget(self.summary)

        # Right: the preview, with page navigation and zoom.
        self.document = QPdfDocument(self)
        self.document.setObjectName("lettersDocument")
        self.view = QPdfView(self)
        self.view.setObjectName("lettersPreview")
        self.view.setAccessibleName("Preview of the letters as they will print")
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
        self.page_count_label = QLabel("of 0")
        self.prev_button = action_button("Previous page", "Ctrl+PgUp", lambda: self._step_page(-1), "previousPageButton")
        self.next_button = action_button("Next page", "Ctrl+PgDown", lambda: self._step_page(1), "nextPageButton")
        self.zoom_combo = QComboBox()
        self.zoom_combo.setObjectName("zoomCombo")
        self.zoom_combo.addItem("Fit width", "width")
        self.zoom_combo.addItem("Whole page", "page")
        self.zoom_combo.addItem("Actual size", "actual")
        self.zoom_combo.currentIndexChanged.connect(self._on_zoom)

        nav = QHBoxLayout()
        nav.addWidget(labelled("Pa&ge:", self.page_spin))
        nav.addWidget(self.page_spin)
        nav.addWidget(self.page_count_label)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(labelled("&Zoom:", self.zoom_combo))
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
        self.save_button = action_button("&Save PDF…", "Ctrl+S", self.save_pdf, "savePdfButton")
        self.split_check = QCheckBox("Also one PDF per &applicant…")
        self.split_check.setObjectName("splitCheck")
        self.split_check.setAccessibleName("Also one PDF per applicant")
        self.split_check.setToolTip("After saving the batch, choose a folder for one PDF per applicant, "
                                    "named by reference")
        self.print_button = action_button("&Print…", "Ctrl+P", self.print_letters, "printButton")
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Saving or printing records each letter against its application."))
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.split_check)
        bottom.addSpacing(12)
        bottom.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.skipped_notice)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.make_button, self.letter_list)
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------------------
    def _ready(self) -> bool:
        return self.made is not None and self.made.pdf is not None and not self._busy

    def _update_buttons(self) -> None:
        ready = self._ready()
        for widget in (self.kind_combo, self.round_combo, self.date_edit, self.make_button):
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

    def _show_error(self, exc: BaseException, cancelled: str = "Cancelled.") -> None:
        """A refusal from the core (each template problem on its line) or a file that cannot be written
        in red, a cancellation in grey (``cancelled`` says what it left undone); anything else is a bug
        and is raised."""
        from grantdesk.domain.errors import GrantDeskError
        from grantdesk.domain.letters import TemplateError

        self._set_busy(False)
        if self._closed and isinstance(exc, (Cancelled, OSError)):
            return  # the window closed mid-job (its temporary folder has gone): nobody is waiting
        if isinstance(exc, Cancelled):
            text = cancelled
            self._say(escape(text), INFO_STYLE)
        elif isinstance(exc, TemplateError):
            text = "These letters cannot be made until the fund's templates are put right:"
            items = "".join(f"<li>{escape(p)}</li>" for p in exc.problems)
            self._say(f"<b>{escape(text)}</b><ul style='margin:0'>{items}</ul>", ERROR_STYLE)
            text = " ".join((text, *exc.problems))
        elif isinstance(exc, GrantDeskError):
            text = str(exc)
            self._say(escape(text), ERROR_STYLE)
        elif isinstance(exc, OSError):  # a folder that cannot be written to, a full disk
            where = f" ({exc.filename})" if exc.filename else ""
            text = f"The letters could not be written: {exc.strerror or exc}{where}. Nothing was recorded."
            self._say(escape(text), ERROR_STYLE)
        else:
            raise exc
        self.failed.emit(text)

    # --- loading ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the fund and its rounds (newest first, the newest chosen)."""
        db, code = self.db, self.fund_code

        def fetch():
            from grantdesk.domain.errors import NotFound
            from grantdesk.services.funds import list_funds

            fund = next((f for f in list_funds(db) if f.code == code), None)
            if fund is None:
                raise NotFound(f"There is no fund with the code {code}.")
            return fund

        self.runner.run(fetch, self._on_loaded, self._show_error, owner=self)

    def _on_loaded(self, fund: Any) -> None:
        self.fund = fund
        self.setWindowTitle(f"Letters — {fund.name}")
        self.round_combo.clear()
        self.round_combo.addItem("All rounds", None)
        for rnd in fund.rounds:
            self.round_combo.addItem(rnd.name, rnd.id)
        self.round_combo.setCurrentIndex(1 if fund.rounds else 0)
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
        self._clear_preview()
        self.notice.hide()
        self.skipped_notice.hide()
        self._made_count += 1
        if not Path(self._temp.name).is_dir():  # closed, then shown again
            self._temp = tempfile.TemporaryDirectory(prefix="grantdesk-letters-", ignore_cleanup_errors=True)
        target = Path(self._temp.name) / f"batch-{self._made_count}.pdf"
        db, code = self.db, self.fund_code
        stop = self._new_stop()

        def work(progress):
            from grantdesk.services.letters import build_letters

            steps = _Steps(progress, stop)
            batch = build_letters(db, code, kind, round_id=round_id, day=day)
            if not batch.letters:
                return MadeBatch(batch, None, 0, (), day, round_name)
            if not target.parent.is_dir():  # the window was closed meanwhile
                raise Cancelled()
            pages, starts = render_batch(batch.letters, target, steps)
            return MadeBatch(batch, target, pages, starts, day, round_name)

        self._set_busy(True)
        self.summary.setText("Making the letters…")
        self.runner.run(work, self._on_made, self._on_make_failed, owner=self, progress_title="Making letters",
                        parent_widget=self)

    def _new_stop(self) -> threading.Event:
        self._stop = threading.Event()
        return self._stop

    def cancel(self) -> None:
        """Stop the job running now at its next step, as the progress dialog's Cancel does."""
        self._stop.set()

    def _on_make_failed(self, exc: BaseException) -> None:
        self.summary.setText("No letters made.")
        self._show_error(exc, "Cancelled: no letters were made.")

    def _on_made(self, made: MadeBatch) -> None:
        self._set_busy(False)
        if self._closed:
            if made.pdf is not None:
                made.pdf.unlink(missing_ok=True)
            return
        batch = made.batch
        kind = batch.kind
        if batch.skipped:
            many = len(batch.skipped) != 1
            items = "".join(f"<li>{escape(x)}</li>" for x in batch.skipped)
            self.skipped_notice.setText(f"<b>{len(batch.skipped)} {'applications' if many else 'application'} "
                                        f"{STATE_WORDS[kind]} {'get' if many else 'gets'} no letter:</b>"
                                        f"<ul style='margin:0'>{items}</ul>")
            self.skipped_notice.show()
        if made.pdf is None:
            where = "in this round" if made.round_name != "All rounds" else "in this fund"
            self.summary.setText(f"No {kind} letters.")
            self._say(escape(f"There are no {kind} letters to make: no application {where} is {STATE_WORDS[kind]}."),
                      INFO_STYLE)
            self.made = made
            self._update_buttons()
            self.batch_ready.emit()
            return
        error = self.document.load(str(made.pdf))
        if error != QPdfDocument.Error.None_:
            self._clear_preview()
            made.pdf.unlink(missing_ok=True)
            self._say(escape(f"The letters were made but cannot be previewed ({error.name}). Make them again."),
                      ERROR_STYLE)
            self.failed.emit(self.notice.text())
            return
        self.made = made
        self._fill_list(made)
        n = len(batch.letters)
        self.summary.setText(escape(f"{_letters_word(n, kind).capitalize()} · {made.pages} pages · dated "
                                    f"{format_date(made.day, style='long')} · {made.round_name}"))
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, max(1, self.document.pageCount()))
        self.page_spin.setValue(1)
        self.page_spin.blockSignals(False)
        self.page_count_label.setText(f"of {self.document.pageCount()}")
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
            item = QTreeWidgetItem([letter.reference, letter.organisation, language_label(letter.languages), pages])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(1, letter.organisation)
            self.letter_list.addTopLevelItem(item)
        self.letter_list.blockSignals(False)

    def _clear_preview(self) -> None:
        old = self.made.pdf if self.made is not None else None
        self.made = None
        self.document.close()
        self.letter_list.clear()
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(0, 0)
        self.page_spin.blockSignals(False)
        self.page_count_label.setText("of 0")
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
        path, _ = QFileDialog.getSaveFileName(self, "Save the letters", suggested, "PDF (*.pdf)")
        if not path:
            return
        split_dir = None
        if self.split_check.isChecked():
            split_dir = QFileDialog.getExistingDirectory(self, "Choose a folder for one PDF per applicant",
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
            self.template_editor.setWindowTitle(f"Letter templates — {self.fund_code}")
            self.template_editor.resize(1200, 760)
            self.template_editor.start()
        self.template_editor.show()
        self.template_editor.raise_()
        self.template_editor.activateWindow()

    def save_to(self, path: str | Path, split_dir: str | Path | None = None) -> None:
        """Save the previewed batch to ``path`` (and one PDF per applicant in ``split_dir``), then
        record each letter against its application — on the worker, with progress and Cancel."""
        if not self._ready():
            return
        made = self.made
        assert made is not None and made.pdf is not None
        db, source, target = self.db, made.pdf, Path(path)
        folder = Path(split_dir) if split_dir else None
        stop = self._new_stop()

        def work(progress):
            from grantdesk.reports.letters import split_letters
            from grantdesk.services.letters import record_letters

            steps = _Steps(progress, stop)
            steps.report(0, 1, f"Saving {target.name}")
            files = split_letters(made.batch.letters, folder, progress=steps) if folder is not None else []
            handle, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".part")
            os.close(handle)
            try:
                shutil.copyfile(source, part)
                steps.report(1, 1, "Recording the letters")
                os.replace(part, target)
            except BaseException:
                Path(part).unlink(missing_ok=True)
                for file in files:  # all or nothing: a cancelled save leaves no per-applicant files either
                    file.unlink(missing_ok=True)
                raise
            return record_letters(db, made.batch, day=made.day), len(files)

        def done(result: tuple[int, int]) -> None:
            recorded, files = result
            self._set_busy(False)
            also = f" and {files} file{'s' if files != 1 else ''} (one per applicant) in {folder}" if folder else ""
            self.show_message(f"Saved the letters to {target}{also}. Recorded "
                              f"{_letters_word(recorded, made.batch.kind)} against their applications.")
            self.saved.emit(str(target))

        def failed(exc: BaseException) -> None:
            self._show_error(exc, "Cancelled: nothing was saved and no letter was recorded.")

        self._set_busy(True)
        self.runner.run(work, done, failed, owner=self, progress_title="Saving letters", parent_widget=self)

    # --- printing -----------------------------------------------------------------------------------
    def print_letters(self) -> None:
        """The system print dialog (all pages, a page range, the page shown, or the selected letters),
        then print."""
        if not self._ready():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(f"{self.fund_code} {self.made.batch.kind} letters" if self.made else "Letters")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the letters")
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
            self._say("The pages chosen are not in this batch: nothing was printed.", WARNING_STYLE)
            return
        wanted = set(pages)
        letters = tuple(x for i, x in enumerate(made.batch.letters) if wanted & set(self.letter_pages(i)))
        printed_batch = replace(made.batch, letters=letters)
        db, source = self.db, made.pdf
        stop = self._new_stop()

        def work(progress):
            from grantdesk.services.letters import record_letters

            paint_pages(source, printer, pages, _Steps(progress, stop))
            return record_letters(db, printed_batch, day=made.day)

        def done(recorded: int) -> None:
            self._set_busy(False)
            self._printer = None
            self.show_message(f"Sent {len(pages)} page{'s' if len(pages) != 1 else ''} to the printer. Recorded "
                              f"{_letters_word(recorded, made.batch.kind)} against their applications.")
            self.printed.emit(len(pages))

        def failed(exc: BaseException) -> None:
            self._printer = None
            self._show_error(exc, "Cancelled: the print job was stopped and no letter was recorded.")

        self._set_busy(True)
        self.runner.run(work, done, failed, owner=self, progress_title="Printing letters", parent_widget=self)

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
