"""What GrantDesk's printed documents share: the page frame, the "Page 2 of 3" footer, the colours,
the paragraph and table styles, and short helpers for platypus stories.

The results sheet (``results_sheet``) and the member records (``member_records``) are built from
these, so every document GrantDesk prints looks like one family. Fonts come from ``pdf_fonts``.

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

from grantdesk.domain.dates import format_date
from grantdesk.reports.pdf_fonts import PdfFonts

__all__ = [
    "FUNDED_FILL", "FUNDED_INK", "HEAD_FILL", "INK", "MARGIN", "MUTED", "RULE", "WAIT_FILL", "WAIT_INK",
    "NumberedCanvas", "document", "numbered_canvas", "para", "short_date", "styles", "table_style", "widths",
]

MARGIN = 18 * mm
INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#4b5563")
RULE = colors.HexColor("#d1d5db")
HEAD_FILL = colors.HexColor("#e5e7eb")
FUNDED_FILL = colors.HexColor("#dcfce7")
FUNDED_INK = colors.HexColor("#15803d")
WAIT_FILL = colors.HexColor("#fef3c7")
WAIT_INK = colors.HexColor("#b45309")


class NumberedCanvas(Canvas):
    """Holds each finished page back until the end, so its footer can say "Page 2 of 3"."""

    def __init__(self, *args: Any, footer: str, fonts: PdfFonts, margin: float = MARGIN, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer
        self._fonts = fonts
        self._margin = margin

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width, _ = self._pagesize
        margin = self._margin
        y = margin - 2 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(margin, y + 11, width - margin, y + 11)
        self.setFillColor(MUTED)
        self.setFont(self._fonts.regular, 8)
        page = f"Page {self._pageNumber} of {total}"
        room = width - 2 * margin - self.stringWidth(page, self._fonts.regular, 8) - 12
        text = self._footer
        while text and self.stringWidth(text, self._fonts.regular, 8) > room:
            text = text[:-2] + "…"
        self.drawString(margin, y, text)
        self.drawRightString(width - margin, y, page)
        self.restoreState()


def numbered_canvas(footer: str, fonts: PdfFonts, margin: float = MARGIN) -> Callable[..., Canvas]:
    """A ``canvasmaker`` for ``doc.build``: every page gets ``footer`` and "Page n of N"."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        return NumberedCanvas(*args, footer=footer, fonts=fonts, margin=margin, **kwargs)

    return make


def document(target: Path | str | BinaryIO, *, title: str, author: str, subject: str,
             pagesize: tuple[float, float] = A4, margin: float = MARGIN) -> SimpleDocTemplate:
    """A platypus document with GrantDesk's margins (room at the foot for the page footer). The canvas
    starts in the embedded font, so no page lists reportlab's default Helvetica (which is not embedded)."""
    from grantdesk.reports.pdf_fonts import pdf_fonts

    return SimpleDocTemplate(
        str(target) if isinstance(target, (Path, str)) else target, pagesize=pagesize, leftMargin=margin,
        rightMargin=margin, topMargin=margin, bottomMargin=margin + 6 * mm, title=title, author=author,
        subject=subject, creator="GrantDesk", initialFontName=pdf_fonts().regular, initialFontSize=10,
        initialLeading=12)


def short_date(day: date | None) -> str:
    """dd/mm/yyyy (empty for no date)."""
    return format_date(day, style="short")


def styles(fonts: PdfFonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=13.5, textColor=INK, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=0),
        "kicker": ParagraphStyle("kicker", parent=base, fontName=fonts.bold, fontSize=10, textColor=MUTED,
                                 spaceAfter=2),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.bold, fontSize=20, leading=24, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts.bold, fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=5, keepWithNext=1),
        "state": ParagraphStyle("state", parent=base, fontName=fonts.bold, fontSize=10, textColor=FUNDED_INK),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10.5,
                                    spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0,
                                     alignment=TA_RIGHT),
        "cell_right_bold": ParagraphStyle("cell_right_bold", parent=base, fontName=fonts.bold, fontSize=8.5,
                                          leading=10.5, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10.5,
                                     spaceAfter=0, alignment=TA_RIGHT),
        "step": ParagraphStyle("step", parent=base, leftIndent=22, bulletIndent=0, bulletFontName=fonts.regular,
                               bulletFontSize=10, spaceAfter=5),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: ``<`` and ``&`` in a name print as themselves)."""
    return Paragraph(escape(text), style)


def table_style(fonts: PdfFonts, extra: list[tuple] | None = None) -> TableStyle:
    """The house table: a grey header row, thin rules between rows, small padding."""
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *(extra or []),
    ])


def widths(total: float, parts: list[float | None]) -> list[float]:
    """Column widths where the one ``None`` takes whatever ``total`` leaves."""
    fixed = sum(w for w in parts if w is not None)
    return [total - fixed if w is None else w for w in parts]
