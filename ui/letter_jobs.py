"""The letters window's work on the worker: the preview's PDF, saving a previewed batch, and painting
its pages on a printer. Kept apart from the window (``ui.letters_window``), which only arranges them.

QtPdf comes from PySide6-Addons: imported only when the letters window opens.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter

from ui.tasks import Cancelled


def tr(text: str) -> str:
    return QCoreApplication.translate("LetterJobs", text)

PRINT_DPI = 600  # no office printer prints letters finer; higher only makes the print job bigger and slower
STRIP_PX = 1024  # a page goes to the printer in strips this tall, so a 600 dpi page never needs 140 MB at once


class Steps:
    """A job's ``Progress`` seen by one part of the job: ``done`` is counted from ``offset`` out of
    ``total``, and the part stops (``Cancelled``) when Cancel is pressed in the progress dialog or
    through ``LettersWindow.cancel``."""

    def __init__(self, progress: Any, stop: threading.Event, offset: int = 0, total: int | None = None):
        self.progress, self.stop, self.offset, self.total = progress, stop, offset, total

    def report(self, done: int, total: int, label: str = "") -> None:
        if self.stop.is_set():
            raise Cancelled()
        self.progress.report(self.offset + done, self.total if self.total is not None else total, label)

    def part(self, offset: int, total: int) -> Steps:
        return Steps(self.progress, self.stop, offset, total)


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
    round_id: int | None = None
    reissue: bool = False  # letters already sent were asked for again


def render_batch(letters: Any, target: Path, steps: Steps) -> tuple[int, tuple[int, ...]]:
    """Write the batch to ``target`` (one PDF, each letter on a new page); the page count and each
    letter's first page. On the worker."""
    from grantdesk.reports.letters import letters_pdf

    starts: list[int] = []
    pages = letters_pdf(letters, target, progress=steps.part(0, len(letters)), page_starts=starts)
    return pages, tuple(starts)


class PreviewCopy:
    """The renderer ``produce_letters`` is given to save a previewed batch: the one PDF is the preview's
    file, copied (the service has checked the letters are those previewed); one PDF per applicant is
    drawn as ``grantdesk.reports.letters`` draws it."""

    def __init__(self, made: MadeBatch):
        self.made = made

    def pdf(self, letters: Sequence[Any], target: Path, *, progress: Any = None) -> int:
        from grantdesk.reports.letters import PDF_LETTERS

        if tuple(letters) != self.made.batch.letters or self.made.pdf is None:
            return PDF_LETTERS.pdf(letters, target, progress=progress)
        if progress is not None:
            progress.report(0, len(letters), tr("Saving the letters"))
        shutil.copyfile(self.made.pdf, target)
        return self.made.pages

    def split(self, letters: Sequence[Any], directory: Path, *, progress: Any = None) -> list[Path]:
        from grantdesk.reports.letters import PDF_LETTERS

        return PDF_LETTERS.split(letters, directory, progress=progress)


def paint_pages(pdf: Path, printer: QPrinter, pages: list[int], steps: Any) -> None:
    """Paint ``pages`` (0-based, in order) of ``pdf`` onto ``printer``, each page scaled to the paper
    (1:1 on A4), at the printer's resolution up to ``PRINT_DPI``. On the worker: a ``QPdfDocument`` of
    its own, and a ``QPainter`` on the printer (Qt paints on a ``QPrinter`` from any thread). Cancel
    aborts the print job."""
    from grantdesk.domain.errors import GrantDeskError

    document = QPdfDocument()
    try:
        if document.load(str(pdf)) != QPdfDocument.Error.None_:
            raise GrantDeskError(tr("The letters could not be read back for printing; make them again."))
        printer.setFullPage(True)  # the letters carry their own margins (and the envelope window's place)
        painter = QPainter()
        if not painter.begin(printer):
            raise GrantDeskError(tr("The printer “{0}” could not start printing.").format(
                printer.printerName() or printer.outputFileName()))
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            for n, page in enumerate(pages):
                steps.report(n, len(pages), tr("Printing page {0} of {1}").format(n + 1, len(pages)))
                if n:
                    printer.newPage()
                _paint_page(document, page, painter, paper, dpi)
            steps.report(len(pages), len(pages), tr("Sending to the printer"))
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
