"""Ballot code cards: A4 sheets of cut-out cards, one one-time voting code on each.

Each card carries the event's name (and venue), the code in large monospace type, the same code as a
QR code (for a kiosk with a scanner), and one line on secrecy. Cards are laid out 2 across and 5 down
(ten to a page) with dashed cut lines between them; as many pages as the codes need.

For a fund under the Welsh Language Standards (``EventView.welsh``) every word on a card is Welsh then
English, the same size, the Welsh first (read from the one catalogue: ``grantdesk.i18n.in_language``);
otherwise the card speaks the app's language.

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
from grantdesk.i18n import N_, _, in_language, ngettext
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
HEADING = N_("Your one-time voting code")
SECRECY_LINE = N_("Use it once at the voting screen. Your vote is secret: the code is not linked to how you vote.")
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


def words(text: str, welsh: bool) -> tuple[str, ...]:
    """``text`` as a card says it: ``(Welsh, English)`` for a Welsh-Standards fund, else ``(text,)`` in the
    app's language."""
    return (in_language("cy", text), in_language("en", text)) if welsh else (_(text),)


def ballot_cards_pdf(event: EventView, codes: list[str], target: Path | BinaryIO, *, welsh: bool | None = None) -> None:
    """Write the cards for ``codes`` (as ``issue_codes`` or ``event_codes`` return them) to ``target``,
    a path or a binary file object; Welsh first when ``welsh`` (by default: when the event's fund is under
    the Welsh Language Standards)."""
    if not codes:
        raise ValidationError(_("There are no codes to print: issue some codes first."), "codes")
    welsh = bool(getattr(event, "welsh", False)) if welsh is None else welsh
    canvas = Canvas(str(target) if isinstance(target, Path) else target, pagesize=A4, pageCompression=1)
    title = N_("Voting codes: {name}")
    canvas.setTitle(" / ".join(t.format(name=event.name) for t in words(title, welsh)))
    canvas.setAuthor(event.fund_name)
    n = len(codes)
    subject = [ngettext("{n} one-time voting code", "{n} one-time voting codes", n).format(n=n)]
    if welsh:
        from grantdesk.i18n import translator

        subject = [translator(lang).ngettext("{n} one-time voting code", "{n} one-time voting codes", n).format(n=n)
                   for lang in ("cy", "en")]
    canvas.setSubject(" / ".join(subject))
    canvas.setCreator("GrantDesk")
    draw_ballot_cards(canvas, event, codes, welsh=welsh)
    canvas.save()


def draw_ballot_cards(canvas: Canvas, event: EventView, codes: list[str], *, welsh: bool = False) -> CardsDrawn:
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
            qr_codes += _card(canvas, event, code, x, y, card_w, card_h, welsh)
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


def _card(canvas: Canvas, event: EventView, code: str, x: float, y: float, w: float, h: float,
          welsh: bool = False) -> int:
    fonts = pdf_fonts()
    inner_w = w - 2 * PADDING
    text_w = inner_w - QR_SIZE - 4 * mm
    top = y + h - PADDING

    # The event's name: bold, up to two lines (one on a bilingual card; shortened with an ellipsis).
    canvas.setFillColorRGB(*INK)
    name_size = 11
    lines = _fit_lines(event.name, fonts.bold, name_size, text_w, 1 if welsh else 2)
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

    # The code: a heading (Welsh, then English, on a bilingual card), then the code itself as large as fits.
    cursor -= 6 if not welsh else 2
    canvas.setFillColorRGB(*GREY)
    for n, heading in enumerate(words(HEADING, welsh)):
        font = fonts.bold if welsh and n == 0 else fonts.regular
        canvas.setFont(font, 9)
        canvas.drawString(x + PADDING, cursor, _fit_lines(heading, font, 9, text_w, 1)[0])
        cursor -= 10.5
    cursor += 10.5
    code_size = 26.0 if not welsh else 22.0
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

    # The secrecy line across the foot of the card (Welsh above English on a bilingual card).
    size = 8.5 if not welsh else 7.5
    note = [(fonts.bold if welsh and n == 0 else fonts.regular, line)
            for n, text in enumerate(words(SECRECY_LINE, welsh))
            for line in simpleSplit(text, fonts.bold if welsh and n == 0 else fonts.regular, size, inner_w)]
    canvas.setFillColorRGB(*GREY)
    line_y = y + PADDING + (len(note) - 1) * (size + 1.5)
    for font, line in note:  # top down, so the text reads (and extracts) Welsh first
        canvas.setFont(font, size)
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
