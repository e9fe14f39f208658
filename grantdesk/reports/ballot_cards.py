"""Ballot code cards: A4 sheets of cut-out cards, one one-time voting code on each.

Each card carries the event's name (and venue), the code in large monospace type, the same code as a
QR code (for a kiosk with a scanner), and one line on secrecy. Cards are laid out 2 across and 5 down
(ten to a page) with dashed cut lines between them; as many pages as the codes need.

reportlab is imported here, never on the app's start-up path: the window imports this module only
when someone prints cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from grantdesk.domain.errors import ValidationError
from grantdesk.reports.pdf_fonts import pdf_fonts

if TYPE_CHECKING:
    from grantdesk.services.events import EventView

__all__ = [
    "CARDS_PER_PAGE",
    "COLUMNS",
    "ROWS",
    "SECRECY_LINE",
    "CardsDrawn",
    "ballot_cards_pdf",
    "cards_pages",
    "draw_ballot_cards",
]

COLUMNS, ROWS = 2, 5
CARDS_PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm  # most home and office printers cannot print closer to the edge
PADDING = 5 * mm  # inside each card, from the cut line
QR_SIZE = 27 * mm
HEADING = "Your one-time voting code"
SECRECY_LINE = "Use it once at the voting screen. Your vote is secret: the code is not linked to how you vote."
INK = (0.07, 0.09, 0.15)
GREY = (0.33, 0.36, 0.40)


@dataclass(frozen=True)
class CardsDrawn:
    pages: int
    cards: int
    qr_codes: int


def cards_pages(count: int) -> int:
    """How many A4 pages ``count`` cards take: ten to a page, the last one part-filled."""
    return -(-count // CARDS_PER_PAGE)


def ballot_cards_pdf(event: EventView, codes: list[str], target: Path | BinaryIO) -> None:
    """Write the cards for ``codes`` (as ``issue_codes`` or ``event_codes`` return them) to ``target``,
    a path or a binary file object."""
    if not codes:
        raise ValidationError("There are no codes to print: issue some codes first.", "codes")
    canvas = Canvas(str(target) if isinstance(target, Path) else target, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Voting codes: {event.name}")
    canvas.setAuthor(event.fund_name)
    canvas.setSubject(f"{len(codes)} one-time voting codes")
    canvas.setCreator("GrantDesk")
    draw_ballot_cards(canvas, event, codes)
    canvas.save()


def draw_ballot_cards(canvas: Canvas, event: EventView, codes: list[str]) -> CardsDrawn:
    """Draw the cards on ``canvas``, page after page; says how many pages, cards and QR codes it drew."""
    page_w, page_h = A4
    card_w = (page_w - 2 * MARGIN) / COLUMNS
    card_h = (page_h - 2 * MARGIN) / ROWS
    qr_codes = 0
    pages = cards_pages(len(codes))
    for page in range(pages):
        chunk = codes[page * CARDS_PER_PAGE:(page + 1) * CARDS_PER_PAGE]
        _cut_lines(canvas, card_w, card_h, len(chunk))
        for n, code in enumerate(chunk):
            col, row = n % COLUMNS, n // COLUMNS
            x = MARGIN + col * card_w
            y = page_h - MARGIN - (row + 1) * card_h
            qr_codes += _card(canvas, event, code, x, y, card_w, card_h)
        canvas.showPage()
    return CardsDrawn(pages, len(codes), qr_codes)


def _cut_lines(canvas: Canvas, card_w: float, card_h: float, cards: int) -> None:
    """Dashed lines around the cards on this page, edge to edge so a guillotine can follow them."""
    page_w, page_h = A4
    rows = -(-cards // COLUMNS)
    canvas.saveState()
    canvas.setStrokeColorRGB(0.55, 0.58, 0.62)
    canvas.setLineWidth(0.6)
    canvas.setDash(4, 3)
    bottom = page_h - MARGIN - rows * card_h
    for r in range(rows + 1):
        y = page_h - MARGIN - r * card_h
        canvas.line(0, y, page_w, y)
    for c in range(COLUMNS + 1):
        x = MARGIN + c * card_w
        canvas.line(x, page_h, x, max(bottom - MARGIN, 0))
    canvas.restoreState()


def _card(canvas: Canvas, event: EventView, code: str, x: float, y: float, w: float, h: float) -> int:
    fonts = pdf_fonts()
    inner_w = w - 2 * PADDING
    text_w = inner_w - QR_SIZE - 4 * mm
    top = y + h - PADDING

    # The event's name: bold, up to two lines (shortened with an ellipsis beyond that).
    canvas.setFillColorRGB(*INK)
    name_size = 11
    lines = _fit_lines(event.name, fonts.bold, name_size, text_w, 2)
    cursor = top - name_size
    canvas.setFont(fonts.bold, name_size)
    for line in lines:
        canvas.drawString(x + PADDING, cursor, line)
        cursor -= name_size + 2
    if event.venue:
        canvas.setFillColorRGB(*GREY)
        canvas.setFont(fonts.regular, 8.5)
        canvas.drawString(x + PADDING, cursor, _fit_lines(event.venue, fonts.regular, 8.5, text_w, 1)[0])
        cursor -= 8.5 + 2

    # The code: a heading, then the code itself as large as fits.
    cursor -= 6
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(fonts.regular, 9)
    canvas.drawString(x + PADDING, cursor, HEADING)
    code_size = 26.0
    while code_size > 12 and canvas.stringWidth(code, fonts.mono_bold, code_size) > text_w:
        code_size -= 1
    cursor -= code_size + 2
    canvas.setFillColorRGB(*INK)
    canvas.setFont(fonts.mono_bold, code_size)
    canvas.drawString(x + PADDING, cursor, code)

    # The QR code, top right, holding the code as printed (the kiosk ignores the dash).
    qr = QrCodeWidget(code, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, x + w - PADDING - QR_SIZE, top - QR_SIZE)

    # The secrecy line across the foot of the card.
    size = 8.5
    note = simpleSplit(SECRECY_LINE, fonts.regular, size, inner_w)
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(fonts.regular, size)
    line_y = y + PADDING + (len(note) - 1) * (size + 1.5)
    for line in note:
        canvas.drawString(x + PADDING, line_y, line)
        line_y -= size + 1.5
    return 1


def _fit_lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """``text`` wrapped to ``width``; if it needs more than ``most`` lines, the last one ends in “…”."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = simpleSplit(text.strip(), font, size, width) or [""]
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and stringWidth(last + "…", font, size) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept
