"""Award, decline, deferral and payment letters as PDF: a batch ready to print, or one file per letter.

- ``letters_pdf``: every letter of a batch in one A4 PDF, each starting on a new page, with the
  footer "Page n of N" counted per letter (not per batch). Returns the number of pages.
- ``split_letters``: one PDF per letter, named ``<reference>-<kind>.pdf``.
- ``PDF_LETTERS``: both, as the renderer ``grantdesk.services.letters.produce_letters`` is given
  (the services never import this package).

A letter is the plain data of ``grantdesk.domain.letters.Letter``, already merged; this module only
lays it out, the way a council letter looks: the letterhead (council, address, contact details, the
logo top right), the recipient where a DL window envelope shows it (20 mm from the left edge, 45–90 mm
from the top), the date and "Our reference" on the right, the subject in bold, the salutation, the
paragraphs, the conditions as a numbered list, the closing with room to sign, and — for an award — the
acceptance slip after a dashed cut line, kept whole on one page.

A bilingual letter (two ``texts``, in print order) is either side by side — a two-column table,
paragraph by paragraph, so each pair lines up — or the first language in full, a page break, then the
second in full, with one acceptance slip at the end in both languages (the group signs once).

Built for batches of a thousand: the styles, fonts and logos are made once per batch (a logo is
decoded once per distinct image and drawn through one PDF form), and the per-letter page count comes
from a canvas that holds back only the pages of the letter being laid out. A path target is written
to a temporary file beside it and renamed only when the whole batch is done, so a cancelled or failed
batch leaves nothing half-written. reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreakIfNotEmpty,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.letters import Letter, LetterText, Slip
from grantdesk.reports.pdf_common import INK, MUTED, RULE
from grantdesk.reports.pdf_fonts import PdfFonts, pdf_fonts

__all__ = ["letters_pdf", "split_letters", "letter_file_name", "PDF_LETTERS"]

Target = Path | str | BinaryIO


class ProgressReporter(Protocol):
    """What ``ui.tasks.Progress`` offers: ``report`` raises ``Cancelled`` when the user cancels."""

    def report(self, done: int, total: int, label: str = "") -> None: ...


# --- the page -------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm  # the recipient sits 5 mm inside a DL window that starts 20 mm from the edge
RIGHT = 20 * mm
TOP = 15 * mm
BOTTOM = 24 * mm  # room for the footer
FOOTER_Y = 12 * mm
WINDOW_TOP = 45 * mm  # the DL window, from the top of the sheet
WINDOW_BOTTOM = 90 * mm
ADDRESS_TOP = 50 * mm  # the recipient's first line, clear of the window's edge
ADDRESS_WIDTH = 80 * mm
BODY_TOP = 98 * mm  # where the subject starts on a letter's first page
HEAD_HEIGHT = BODY_TOP - TOP
LOGO_BOX = (50 * mm, 24 * mm)  # the largest the logo is drawn (width, height); its shape is kept
GUTTER = 10 * mm  # between the columns of a side-by-side letter

# The renderer's own words, in each letter language (anything else prints in English).
WORDS: dict[str, dict[str, str]] = {
    "en": {"reference": "Our reference", "page": "Page {n} of {total}", "slip_reference": "Reference",
           "organisation": "Organisation", "return_to": "Please return this slip to"},
    "cy": {"reference": "Ein cyfeirnod", "page": "Tudalen {n} o {total}", "slip_reference": "Cyfeirnod",
           "organisation": "Sefydliad", "return_to": "Dychwelwch y slip hwn at"},
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _both(texts: Sequence[LetterText], key: str) -> str:
    """A label in each of the letter's languages, "Ein cyfeirnod / Our reference" (once if they agree)."""
    seen: list[str] = []
    for text in texts:
        word = _words(text.language)[key]
        if word not in seen:
            seen.append(word)
    return " / ".join(seen)


# --- made once per batch --------------------------------------------------------------------------


class _Logo:
    """A letterhead logo decoded once; drawn in each PDF through one form (the image is embedded once)."""

    def __init__(self, data: bytes, number: int):
        try:
            self.reader = ImageReader(io.BytesIO(data))
            width, height = self.reader.getSize()
            self.reader.getRGBData()  # decoded now (and kept): a damaged file stops the batch before it starts
        except Exception as exc:  # not an image reportlab (Pillow) can read
            detail = re.sub(r"identity=\[[^\]]*\]|fileName=|<[^>]*>", "", " ".join(str(exc).split()))
            detail = " ".join(detail.split())
            raise ValidationError("The letterhead logo is not a PNG or JPEG image that can be printed"
                                  + (f" ({detail})." if detail else ".")) from None
        if width <= 0 or height <= 0:
            raise ValidationError("The letterhead logo has no size.")
        scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
        self.width, self.height = width * scale, height * scale
        self.form = f"GDLogo{number}"

    def draw(self, canv: Canvas, x: float, y: float) -> None:
        forms = _book(canv).forms
        if self.form not in forms:
            canv.beginForm(self.form, 0, 0, self.width, self.height)
            canv.drawImage(self.reader, 0, 0, self.width, self.height, mask="auto")
            canv.endForm()
            forms.add(self.form)
        canv.saveState()
        canv.translate(x, y)
        canv.doForm(self.form)
        canv.restoreState()


class _Kit:
    """The fonts, styles and decoded logos of one batch."""

    def __init__(self, fonts: PdfFonts):
        self.fonts = fonts
        self.st = _styles(fonts)
        self._logos: dict[bytes, _Logo] = {}

    def logo(self, data: bytes | None) -> _Logo | None:
        if not data:
            return None
        found = self._logos.get(data)
        if found is None:
            found = self._logos[data] = _Logo(data, len(self._logos) + 1)
        return found

    def prepare(self, letters: Sequence[Letter]) -> None:
        """Check every letter's shape and decode every logo before anything is laid out, so a bad
        letter stops the batch at once rather than after nine hundred pages."""
        for letter in letters:
            if len(letter.texts) not in (1, 2):
                raise ValidationError(f"The letter for {letter.reference} has {len(letter.texts)} texts; a letter "
                                      "has one language, or two when bilingual.")
            self.logo(letter.letterhead.logo)


def _styles(fonts: PdfFonts) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("letter_body", fontName=fonts.regular, fontSize=10.5, leading=14.5, textColor=INK,
                          spaceAfter=7)
    bold = ParagraphStyle("letter_bold", parent=body, fontName=fonts.bold)
    cell = ParagraphStyle("letter_cell", parent=body, spaceAfter=0)
    return {
        "body": body,
        "subject": ParagraphStyle("letter_subject", parent=bold, fontSize=11.5, leading=15, spaceAfter=10),
        "heading": ParagraphStyle("letter_heading", parent=bold, spaceBefore=3, spaceAfter=4, keepWithNext=1),
        "condition": ParagraphStyle("letter_condition", parent=body, leftIndent=7 * mm, bulletIndent=1 * mm,
                                    bulletFontName=fonts.regular, bulletFontSize=10.5, spaceAfter=4),
        "closing": ParagraphStyle("letter_closing", parent=body, spaceBefore=5, spaceAfter=0),
        "name": ParagraphStyle("letter_name", parent=bold, spaceAfter=0),
        "role": ParagraphStyle("letter_role", parent=body, textColor=MUTED, spaceAfter=0),
        "cell": cell,
        "cell_subject": ParagraphStyle("letter_cell_subject", parent=cell, fontName=fonts.bold, fontSize=11,
                                       leading=14.5),
        "cell_heading": ParagraphStyle("letter_cell_heading", parent=cell, fontName=fonts.bold),
        "cell_condition": ParagraphStyle("letter_cell_condition", parent=cell, leftIndent=6 * mm, bulletIndent=0,
                                         bulletFontName=fonts.regular, bulletFontSize=10.5),
        "slip_heading": ParagraphStyle("letter_slip_heading", parent=bold, fontSize=12.5, leading=16, spaceAfter=2),
        "slip_line": ParagraphStyle("letter_slip_line", parent=body, fontSize=10, leading=13.5, spaceAfter=4),
        "slip_cell": ParagraphStyle("letter_slip_cell", parent=cell, fontSize=10, leading=13.5),
        "slip_cell_heading": ParagraphStyle("letter_slip_cell_heading", parent=cell, fontName=fonts.bold,
                                            fontSize=12, leading=15),
        "small": ParagraphStyle("letter_small", parent=body, fontSize=8.5, leading=11, textColor=MUTED,
                                spaceAfter=6),
        "field": ParagraphStyle("letter_field", parent=cell, fontSize=9.5, leading=12, textColor=MUTED),
    }


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A paragraph of plain text: ``<`` and ``&`` print as themselves, a line break stays a line break."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style, bulletText=bullet)


# --- the canvas: "Page n of N" per letter ---------------------------------------------------------


class _Footer:
    """What a letter's pages say at the foot: the council and reference, and the page in each language."""

    __slots__ = ("council", "reference", "pages")

    def __init__(self, letter: Letter):
        self.council, self.reference = letter.letterhead.council, letter.reference
        formats: list[str] = []
        for text in letter.texts:
            fmt = _words(text.language)["page"]
            if fmt not in formats:
                formats.append(fmt)
        self.pages = formats

    def page(self, n: int, total: int) -> str:
        return " · ".join(fmt.format(n=n, total=total) for fmt in self.pages)


class _Book:
    """The canvas's bookkeeping, kept out of the page state the canvas saves and restores."""

    __slots__ = ("current", "held", "held_footer", "pages", "starts", "forms")

    def __init__(self) -> None:
        self.current: _Footer | None = None  # the letter being laid out
        self.held: list[dict] = []  # its finished pages, waiting for the letter's page count
        self.held_footer: _Footer | None = None
        self.pages = 0  # pages written out
        self.starts: list[int] = []  # the first page (0-based) of each letter written out
        self.forms: set[str] = set()  # logo forms defined in this PDF


def _book(canv: Canvas) -> _Book:
    return canv._gd_book  # type: ignore[attr-defined]


class _LetterCanvas(Canvas):
    """Holds back the finished pages of the letter being laid out; when the next letter starts (or the
    document ends) it knows the letter's page count and writes them out with their footers. Only one
    letter's pages are held at a time, so a batch of a thousand uses the memory of one letter."""

    def __init__(self, *args: Any, fonts: PdfFonts, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._gd_book = _Book()
        self._gd_fonts = fonts

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        book = self._gd_book
        if book.held and book.held_footer is not book.current:
            page = dict(self.__dict__)  # this page belongs to the next letter: keep it aside
            self._flush()
            self.__dict__.update(page)
        book.held_footer = book.current
        book.held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        if self._code:
            self.showPage()
        self._flush()
        super().save()

    def _flush(self) -> None:
        book = self._gd_book
        held, footer = list(book.held), book.held_footer
        book.held.clear()
        if held and footer is not None:
            book.starts.append(book.pages)
        for n, state in enumerate(held, start=1):
            self.__dict__.update(state)
            if footer is not None:
                self._draw_footer(footer, n, len(held))
            Canvas.showPage(self)
            book.pages += 1

    def _draw_footer(self, footer: _Footer, n: int, total: int) -> None:
        font = self._gd_fonts.regular
        right = PAGE_WIDTH - RIGHT
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(LEFT, FOOTER_Y + 11, right, FOOTER_Y + 11)
        self.setFillColor(MUTED)
        self.setFont(font, 8)
        page = footer.page(n, total)
        # a long council name is shortened, never the reference
        tail = f" · {footer.reference}" if footer.council else footer.reference
        room = right - LEFT - self.stringWidth(page, font, 8) - self.stringWidth(tail, font, 8) - 12
        council = footer.council
        while council and self.stringWidth(council, font, 8) > room:
            council = council[:-2] + "…"
        self.drawString(LEFT, FOOTER_Y, council + tail)
        self.drawRightString(right, FOOTER_Y, page)
        self.restoreState()


class _Begin(ActionFlowable):
    """Starts a letter: the pages from here on carry its footer."""

    def __init__(self, footer: _Footer):
        super().__init__(())
        self.footer = footer

    def apply(self, doc: Any) -> None:
        _book(doc.canv).current = self.footer


class _Done(ActionFlowable):
    """Ends a letter: tells ``progress`` (which raises to cancel the batch)."""

    def __init__(self, progress: ProgressReporter, done: int, total: int, label: str):
        super().__init__(())
        self.progress, self.done, self.total, self.label = progress, done, total, label

    def apply(self, doc: Any) -> None:
        self.progress.report(self.done, self.total, self.label)


# --- the flowables ------------------------------------------------------------------------------------


class _Head(Flowable):
    """The top of a letter's first page, drawn at fixed places (the window envelope needs them exact):
    the letterhead, the recipient in the window, the date and our reference on the right."""

    def __init__(self, letter: Letter, texts: Sequence[LetterText], kit: _Kit):
        super().__init__()
        self.letter, self.texts, self.kit = letter, texts, kit

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, HEAD_HEIGHT

    @staticmethod
    def _y(from_top: float) -> float:
        """A height on the sheet (from its top edge) in the flowable's own coordinates."""
        return HEAD_HEIGHT - (from_top - TOP)

    def draw(self) -> None:
        canv, fonts, head = self.canv, self.kit.fonts, self.letter.letterhead
        regular, bold = fonts.regular, fonts.bold
        right = PAGE_WIDTH - RIGHT - LEFT  # the right margin, in the flowable's coordinates
        y = self._y

        # The letterhead: the logo top right, the council, its address and how to reach it on the left.
        logo = self.kit.logo(head.logo)
        name_room = right - (logo.width + 8 * mm if logo else 0)
        if logo is not None:
            logo.draw(canv, right - logo.width, y(TOP) - logo.height)
        canv.setFillColor(INK)
        size = 15.0
        lines = simpleSplit(head.council, bold, size, name_room)
        if len(lines) > 2:
            size = 12.0
            lines = simpleSplit(head.council, bold, size, name_room)
        baseline = TOP + size * 0.9
        for line in lines[:3]:
            canv.setFont(bold, size)
            canv.drawString(0, y(baseline), line)
            baseline += size * 1.2
        canv.setFillColor(MUTED)
        small = [", ".join(x.strip() for x in head.address if x.strip()),
                 " · ".join(x for x in (head.phone, head.contact_email, head.website) if x)]
        baseline += 1.5 * mm
        canv.setFont(regular, 8.5)
        for text in small:
            for line in simpleSplit(text, regular, 8.5, name_room)[:2]:
                canv.drawString(0, y(baseline), line)
                baseline += 11
        rule = max(baseline - 1.5 * mm, TOP + (logo.height if logo else 0) + 3 * mm)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(0, y(rule), right, y(rule))

        # The recipient, inside the window.
        canv.setFillColor(INK)
        lines = [part for line in self.letter.recipient if line.strip()
                 for part in simpleSplit(line.strip(), regular, 10.5, ADDRESS_WIDTH)]
        size, leading = 10.5, 13.5
        if len(lines) > 8:  # an unusually long address: smaller, so it all stays inside the window
            leading = (WINDOW_BOTTOM - ADDRESS_TOP - 3 * mm) / len(lines)
            size = leading / 1.2
        baseline = ADDRESS_TOP + size * 0.8
        canv.setFont(regular, size)
        for line in lines:
            canv.drawString(0, y(baseline), line)
            baseline += leading

        # The date and our reference, on the right at the top of the window's height.
        baseline = ADDRESS_TOP + 10 * 0.8
        canv.setFont(regular, 10)
        for text in self.texts:
            if text.date_text:
                canv.drawRightString(right, y(baseline), text.date_text)
                baseline += 13.5
        baseline += 4
        label = _both(self.texts, "reference") + ": "
        width = canv.stringWidth(label, regular, 10) + canv.stringWidth(self.letter.reference, bold, 10)
        line = canv.beginText(right - width, y(baseline))  # one line of text, so it reads back as one
        line.setFont(regular, 10)
        line.setFillColor(MUTED)
        line.textOut(label)
        line.setFont(bold, 10)
        line.setFillColor(INK)
        line.textOut(self.letter.reference)
        canv.drawText(line)


class _CutLine(Flowable):
    """A dashed line across the sheet with a pair of scissors at its left: cut here."""

    def __init__(self, fonts: PdfFonts):
        super().__init__()
        self.fonts = fonts
        self.spaceBefore = 9 * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, 9 * mm

    def draw(self) -> None:
        canv = self.canv
        mid = 5 * mm
        start, end = 10 * mm - LEFT, PAGE_WIDTH - 10 * mm - LEFT
        canv.saveState()
        canv.setFillColor(MUTED)
        canv.setFont(self.fonts.regular, 13)
        canv.drawString(start, mid - 4.5, "✂")
        canv.setStrokeColor(MUTED)
        canv.setLineWidth(0.6)
        canv.setDash(4, 3)
        canv.line(start + 6 * mm, mid, end, mid)
        canv.restoreState()


# --- a letter's story ---------------------------------------------------------------------------------


def _body(text: LetterText, kit: _Kit) -> list:
    st = kit.st
    story: list = [_p(text.subject, st["subject"]), _p(text.salutation, st["body"])]
    story.extend(_p(x, st["body"]) for x in text.paragraphs)
    if text.conditions:
        if text.conditions_heading:
            story.append(_p(text.conditions_heading, st["heading"]))
        story.extend(_p(x, st["condition"], f"{n}.") for n, x in enumerate(text.conditions, start=1))
    return story


def _signature(closings: Sequence[str], letter: Letter, kit: _Kit) -> KeepTogether:
    st = kit.st
    return KeepTogether([_p(" / ".join(closings), st["closing"]), Spacer(1, 17 * mm),
                         _p(letter.signatory.name, st["name"]), _p(letter.signatory.role, st["role"])])


def _columns(rows: list[tuple[Any, Any]], width: float, fonts: PdfFonts, extra: list[tuple] | None = None) -> Table:
    """Two languages side by side, row by row, with a hairline between them."""
    half = (width - GUTTER) / 2
    table = Table([list(r) for r in rows], colWidths=[half + GUTTER / 2, half + GUTTER / 2], hAlign="LEFT",
                  splitInRow=1)  # a paragraph longer than the page still flows on
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (0, -1), 0), ("RIGHTPADDING", (0, 0), (0, -1), GUTTER / 2),
        ("LEFTPADDING", (1, 0), (1, -1), GUTTER / 2), ("RIGHTPADDING", (1, 0), (1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ("LINEBEFORE", (1, 0), (1, -1), 0.4, RULE),
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        *(extra or []),
    ]))
    return table


def _pairs(first: Sequence[str], second: Sequence[str]) -> list[tuple[str, str]]:
    n = max(len(first), len(second))
    return [(first[i] if i < len(first) else "", second[i] if i < len(second) else "") for i in range(n)]


def _side_by_side_body(texts: Sequence[LetterText], kit: _Kit, width: float) -> list:
    st = kit.st
    a, b = texts
    rows: list[tuple[Any, Any]] = [(_p(a.subject, st["cell_subject"]), _p(b.subject, st["cell_subject"])),
                                   (_p(a.salutation, st["cell"]), _p(b.salutation, st["cell"]))]
    rows.extend((_p(x, st["cell"]), _p(y, st["cell"])) for x, y in _pairs(a.paragraphs, b.paragraphs))
    if a.conditions or b.conditions:
        if a.conditions_heading or b.conditions_heading:
            rows.append((_p(a.conditions_heading, st["cell_heading"]), _p(b.conditions_heading, st["cell_heading"])))
        for n, (x, y) in enumerate(_pairs(a.conditions, b.conditions), start=1):
            rows.append((_p(x, st["cell_condition"], f"{n}." if x else None),
                         _p(y, st["cell_condition"], f"{n}." if y else None)))
    # the subject a little further from what follows, as in a one-language letter
    return [_columns(rows, width, kit.fonts, [("BOTTOMPADDING", (0, 0), (-1, 0), 10)])]


def _slip(letter: Letter, texts: Sequence[LetterText], kit: _Kit, width: float) -> list:
    """The acceptance slip after its cut line, kept on one page; both languages side by side when the
    letter is bilingual."""
    slips = [(t, t.slip) for t in texts if t.slip is not None]
    if not slips:
        return []
    st = kit.st
    head = letter.letterhead
    where = ", ".join(x for x in (head.council, *(a.strip() for a in head.address)) if x)
    parts: list = [_CutLine(kit.fonts)]
    first: Slip = slips[0][1]  # type: ignore[assignment]
    langs = [t for t, _ in slips]
    ident = (f"{_both(langs, 'slip_reference')}: {letter.reference} · "
             f"{_both(langs, 'organisation')}: {letter.organisation}")
    if len(slips) == 1:
        parts.append(_p(first.heading, st["slip_heading"]))
        parts.append(_p(ident, st["small"]))
        parts.extend(_p(x, st["slip_line"]) for x in first.lines)
        labels = list(first.fields)
    else:
        (_ta, one), (_tb, two) = slips
        assert one is not None and two is not None
        rows: list[tuple[Any, Any]] = [(_p(one.heading, st["slip_cell_heading"]),
                                        _p(two.heading, st["slip_cell_heading"]))]
        rows.extend((_p(x, st["slip_cell"]), _p(y, st["slip_cell"])) for x, y in _pairs(one.lines, two.lines))
        parts.append(_columns(rows, width, kit.fonts, [("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        parts.append(Spacer(1, 2))
        parts.append(_p(ident, st["small"]))
        labels = [x if x == y else f"{x} / {y}" for x, y in _pairs(one.fields, two.fields)]
    if labels:
        widest = max(stringWidth(x, kit.fonts.regular, 9.5) for x in labels)
        label_width = min(62 * mm, max(30 * mm, widest + 6 * mm))
        grid = Table([[_p(x, st["field"]), ""] for x in labels], colWidths=[label_width, width - label_width],
                     rowHeights=[11 * mm] * len(labels), hAlign="LEFT")
        grid.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (1, 0), (1, -1), 0.6, INK),
            ("FONTNAME", (0, 0), (-1, -1), kit.fonts.regular),  # the blank cells' font: not Helvetica
        ]))
        parts.append(grid)
    if where:
        parts.append(Spacer(1, 4 * mm))
        parts.append(_p(f"{_both(langs, 'return_to')}: {where}", st["small"]))
    return [KeepTogether(parts)]


def _letter_story(letter: Letter, kit: _Kit, width: float) -> list:
    texts = letter.texts
    if len(texts) == 1:
        text = texts[0]
        return [_Head(letter, texts, kit), *_body(text, kit), _signature([text.closing], letter, kit),
                *_slip(letter, texts, kit, width)]
    if letter.side_by_side:
        return [_Head(letter, texts, kit), *_side_by_side_body(texts, kit, width),
                _signature([t.closing for t in texts], letter, kit), *_slip(letter, texts, kit, width)]
    story: list = []
    for n, text in enumerate(texts):
        if n:
            story.append(PageBreakIfNotEmpty())
        story.extend([_Head(letter, (text,), kit), *_body(text, kit), _signature([text.closing], letter, kit)])
    return [*story, *_slip(letter, texts, kit, width)]


# --- building --------------------------------------------------------------------------------------


class _NoProgress:
    def report(self, done: int, total: int, label: str = "") -> None:
        pass


def _document(target: str | BinaryIO, fonts: PdfFonts, *, title: str, author: str, subject: str,
              lang: str) -> BaseDocTemplate:
    frame = Frame(LEFT, BOTTOM, PAGE_WIDTH - LEFT - RIGHT, PAGE_HEIGHT - TOP - BOTTOM, id="letter",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    # The canvas's starting font is ours too, so no page names Helvetica (a font that is not embedded).
    return BaseDocTemplate(target, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
                           bottomMargin=BOTTOM, pageTemplates=[PageTemplate("letter", [frame])], title=title,
                           author=author, subject=subject, creator="GrantDesk", lang=lang,
                           initialFontName=fonts.regular, initialFontSize=10, initialLeading=12)


def _build(letters: Sequence[Letter], target: str | BinaryIO, kit: _Kit, progress: ProgressReporter,
           *, done_before: int = 0, total: int | None = None, page_starts: list[int] | None = None) -> int:
    """Lay ``letters`` out into one PDF at ``target``; the number of pages. ``page_starts`` (if given) is
    extended with the first page (0-based) of each letter."""
    total = len(letters) if total is None else total
    councils = sorted({x.letterhead.council for x in letters if x.letterhead.council})
    if len(letters) == 1:
        only = letters[0]
        title = f"{only.reference}: {only.kind} letter to {only.organisation}"
    else:
        kinds = sorted({x.kind for x in letters})
        title = f"{len(letters)} letters ({', '.join(kinds)})"
    lang = "cy" if letters[0].texts[0].language == "cy" else "en-GB"
    doc = _document(target, kit.fonts, title=title, author=", ".join(councils), subject=title, lang=lang)
    width = doc.width
    story: list = []
    for n, letter in enumerate(letters, start=1):
        if n > 1:
            story.append(PageBreakIfNotEmpty())
        story.append(_Begin(_Footer(letter)))
        story.extend(_letter_story(letter, kit, width))
        story.append(_Done(progress, done_before + n, total, f"{letter.reference} — {letter.organisation}"))
    made: list[_LetterCanvas] = []

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        canv = _LetterCanvas(*args, fonts=kit.fonts, **kwargs)
        made.append(canv)
        return canv

    doc.build(story, canvasmaker=canvasmaker)
    book = made[-1]._gd_book
    if page_starts is not None:
        page_starts.extend(book.starts)
    return book.pages


def _temporary_beside(path: Path) -> Path:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".part")
    os.close(handle)
    return Path(name)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def letters_pdf(letters: Sequence[Letter], target: Target, *, progress: ProgressReporter | None = None,
                page_starts: list[int] | None = None) -> int:
    """Write ``letters`` to ``target`` (a path or a binary file object) as one A4 PDF ready to print,
    each letter starting on a new page; returns the number of pages.

    ``progress.report(done, total, label)`` is called as each letter is laid out; when it raises (the
    user cancelled) the exception passes through and a path ``target`` is left as it was — the PDF is
    written beside it and renamed into place only when the whole batch is done. ``page_starts``, if
    given, is extended with the first page (0-based) of each letter, in order."""
    if not letters:
        raise ValidationError("There are no letters to print.")
    kit = _Kit(pdf_fonts())
    kit.prepare(letters)
    reporter = progress or _NoProgress()
    if not isinstance(target, (str, Path)):
        return _build(letters, target, kit, reporter, page_starts=page_starts)
    path = Path(target)
    part = _temporary_beside(path)
    starts: list[int] = []
    try:
        pages = _build(letters, str(part), kit, reporter, page_starts=starts)
        os.replace(part, path)
    except BaseException:
        _unlink(part)
        raise
    if page_starts is not None:
        page_starts.extend(starts)
    return pages


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def letter_file_name(letter: Letter) -> str:
    """``<reference>-<kind>.pdf`` with anything but letters, digits, ``.``, ``_`` and ``-`` made ``-``,
    so the name is safe on Windows, macOS and Linux."""
    stem = re.sub(r"-{2,}", "-", _UNSAFE.sub("-", f"{letter.reference}-{letter.kind}")).strip("-.")[:100]
    stem = stem or "letter"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"letter-{stem}"
    return f"{stem}.pdf"


def split_letters(letters: Sequence[Letter], directory: Path, *,
                  progress: ProgressReporter | None = None) -> list[Path]:
    """Write each letter to its own PDF in ``directory`` (made if missing), named by
    ``letter_file_name`` (``-2``, ``-3``… when two letters would share a name); returns the paths in
    the order of ``letters``.

    All or nothing: the files are written under temporary names and renamed only when every letter is
    done, so a cancelled batch leaves the folder as it was."""
    if not letters:
        raise ValidationError("There are no letters to print.")
    kit = _Kit(pdf_fonts())
    kit.prepare(letters)
    reporter = progress or _NoProgress()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    names: list[Path] = []
    taken: set[str] = set()
    for letter in letters:
        name = letter_file_name(letter)
        stem, n = name.removesuffix(".pdf"), 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}.pdf"
        taken.add(name.casefold())
        names.append(directory / name)
    parts: list[Path] = []
    try:
        for n, (letter, path) in enumerate(zip(letters, names, strict=True)):
            part = _temporary_beside(path)
            parts.append(part)
            _build([letter], str(part), kit, reporter, done_before=n, total=len(letters))
        for part, path in zip(parts, names, strict=True):
            os.replace(part, path)
    except BaseException:
        for part in parts:
            _unlink(part)
        raise
    return names


class PdfLetters:
    """Letters drawn by this module, in the shape ``grantdesk.services.letters.LetterRenderer`` asks for."""

    def pdf(self, letters: Sequence[Letter], target: Path, *, progress: ProgressReporter | None = None) -> int:
        return letters_pdf(letters, target, progress=progress)

    def split(self, letters: Sequence[Letter], directory: Path, *,
              progress: ProgressReporter | None = None) -> list[Path]:
        return split_letters(letters, directory, progress=progress)


PDF_LETTERS = PdfLetters()
