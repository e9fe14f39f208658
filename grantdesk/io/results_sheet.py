"""The results sheet of a community vote, as a PDF to pin up, hand out or publish.

It says, in this order: what was voted on and when it was printed; how the vote was counted (the
method and rules in plain words); the turnout, kiosk and paper, and every spoilt ballot's reason
(grouped and counted); each project's totals in rank order; the funded list with amounts, the total
and what is left of the budget; the tie-break policy and every tie it settled; and the voting engine's
whole explanation, step by step. Long explanations flow over as many pages as they need; each page's
footer says "Page 2 of 3".

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from grantdesk.domain.dates import format_date
from grantdesk.domain.money import format_money
from grantdesk.io.pdf_fonts import PdfFonts, pdf_fonts
from grantdesk.voting.wording import number_text, total_nouns

if TYPE_CHECKING:
    from grantdesk.services.events import EventResults

__all__ = ["STATE_WORDS", "results_sheet_pdf", "results_story"]

MARGIN = 18 * mm
INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#4b5563")
RULE = colors.HexColor("#d1d5db")
HEAD_FILL = colors.HexColor("#e5e7eb")
FUNDED_FILL = colors.HexColor("#dcfce7")
FUNDED_INK = colors.HexColor("#15803d")

STATE_WORDS = {
    "setup": "No ballots yet.",
    "voting": "Provisional: voting is still open, so these totals may change.",
    "closed": "Voting has closed. The officer has not yet confirmed these results.",
    "confirmed": "Final: the officer has confirmed these results.",
}

def results_sheet_pdf(results: EventResults, target: Path | BinaryIO, *, printed_on: date | None = None) -> None:
    """Write the results sheet of ``results`` (from ``event_results``) to ``target``, a path or a binary
    file object. ``printed_on`` is today unless given."""
    fonts = pdf_fonts()
    event = results.event
    day = printed_on or date.today()
    footer = f"{event.fund_name} · {event.name} · results printed {_date(day)}"
    doc = SimpleDocTemplate(
        str(target) if isinstance(target, Path) else target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm, title=f"Results: {event.name}", author=event.fund_name,
        subject=f"Results of the community vote {event.name}", creator="GrantDesk")

    def canvas_maker(*args: Any, **kwargs: Any) -> Canvas:
        return _NumberedCanvas(*args, footer=footer, fonts=fonts, **kwargs)

    doc.build(results_story(results, fonts, day, doc.width), canvasmaker=canvas_maker)


class _NumberedCanvas(Canvas):
    """Holds each finished page back until the end, so its footer can say "Page 2 of 3"."""

    def __init__(self, *args: Any, footer: str, fonts: PdfFonts, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer
        self._fonts = fonts

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
        y = MARGIN - 2 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 11, width - MARGIN, y + 11)
        self.setFillColor(MUTED)
        self.setFont(self._fonts.regular, 8)
        page = f"Page {self._pageNumber} of {total}"
        room = width - 2 * MARGIN - self.stringWidth(page, self._fonts.regular, 8) - 12
        text = self._footer
        while text and self.stringWidth(text, self._fonts.regular, 8) > room:
            text = text[:-2] + "…"
        self.drawString(MARGIN, y, text)
        self.drawRightString(width - MARGIN, y, page)
        self.restoreState()


def _date(day: date) -> str:
    return format_date(day, style="short")  # dd/mm/yyyy


def _styles(fonts: PdfFonts) -> dict[str, ParagraphStyle]:
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
        "head": ParagraphStyle("head", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=fonts.bold, fontSize=8.5, leading=10.5,
                                     spaceAfter=0, alignment=TA_RIGHT),
        "step": ParagraphStyle("step", parent=base, leftIndent=22, bulletIndent=0, bulletFontName=fonts.regular,
                               bulletFontSize=10, spaceAfter=5),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table_style(fonts: PdfFonts, extra: list[tuple] | None = None) -> TableStyle:
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


def _two_places(value: Fraction) -> str:
    """An exact fraction shown to two decimal places (rounded half to even): ``7/2`` → ``"3.50"``."""
    return str(Decimal(round(value * 100)).scaleb(-2))


def results_story(results: EventResults, fonts: PdfFonts, printed_on: date, width: float) -> list:
    """The sheet's content as platypus flowables (``width``: the frame's width in points)."""
    event = results.event
    tally = results.tally
    st = _styles(fonts)
    nouns = total_nouns(event.ballot_kind)
    story: list = []

    # --- what, where, when
    story.append(_p(f"{event.fund_name} · {event.round_name}", st["kicker"]))
    story.append(_p(event.name, st["title"]))
    where = f"Results of the community vote{' at ' + event.venue if event.venue else ''}."
    story.append(_p(f"{where} Printed {_date(printed_on)}.", st["body"]))
    story.append(_p(STATE_WORDS.get(event.state, ""), st["state"]))

    # --- method
    story.append(_p("How the vote was counted", st["h2"]))
    story.append(_p(results.method, st["body"]))

    # --- turnout
    story.append(_p("Turnout", st["h2"]))
    rows = [
        [_p("Ballots cast", st["cell_bold"]), _p(number_text(tally.cast), st["cell_right"]),
         _p(f"{number_text(results.kiosk.cast)} at the kiosk, {number_text(results.paper.cast)} on paper",
            st["cell"])],
        [_p("Counted", st["cell_bold"]), _p(number_text(tally.accepted), st["cell_right"]),
         _p(f"{number_text(results.kiosk.accepted)} kiosk, {number_text(results.paper.accepted)} paper", st["cell"])],
        [_p("Spoilt", st["cell_bold"]), _p(number_text(tally.spoilt_count), st["cell_right"]),
         _p("Not counted: the reasons are listed below." if tally.spoilt_count else "None.", st["cell"])],
    ]
    if event.codes_issued:
        rows.append([_p("Voting codes", st["cell_bold"]), _p(number_text(event.codes_used), st["cell_right"]),
                     _p(f"used of {number_text(event.codes_issued)} issued", st["cell"])])
    table = Table(rows, colWidths=[34 * mm, 16 * mm, width - 50 * mm], hAlign="LEFT")
    table.setStyle(_table_style(fonts, [("BACKGROUND", (0, 0), (-1, 0), colors.white),
                                        ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                                        ("LEFTPADDING", (2, 0), (2, -1), 10)]))
    story.append(table)
    if results.spoilt_reasons:
        story.append(Spacer(1, 6))
        grouped = Counter(results.spoilt_reasons).most_common()
        reasons = [[_p("Why ballots were spoilt", st["head"]), _p("Ballots", st["head_right"])]]
        reasons += [[_p(reason, st["cell"]), _p(number_text(n), st["cell_right"])] for reason, n in grouped]
        table = Table(reasons, colWidths=[width - 20 * mm, 20 * mm], hAlign="LEFT", repeatRows=1)
        table.setStyle(_table_style(fonts))
        story.append(table)

    # --- every project, ranked
    story.append(_p("Every project, by support", st["h2"]))
    show_mean = event.ballot_kind == "score"
    head = ["Rank", "Reference", "Project", "Amount", nouns[1].capitalize(), "Supporters"]
    widths = [12 * mm, 30 * mm, None, 24 * mm, 16 * mm, 23 * mm]
    if show_mean:
        head.append("Mean score")
        widths.append(14 * mm)
    head.append("Funded")
    widths.append(17 * mm)
    widths[2] = width - sum(w for w in widths if w is not None)
    right = {0, 3, 4, 5} | ({6} if show_mean else set())
    rows = [[_p(h, st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
    shaded = []
    for n, p in enumerate(results.projects, start=1):
        project = Paragraph(f"<b>{escape(p.title)}</b><br/><font color='#4b5563'>{escape(p.organisation)}</font>",
                            st["cell"])
        row = [_p(str(p.rank), st["cell_right"]), _p(p.reference, st["cell"]), project,
               _p(format_money(p.amount_pence), st["cell_right"]), _p(number_text(p.total), st["cell_right"]),
               _p(number_text(p.supporters), st["cell_right"])]
        if show_mean:
            row.append(_p(_two_places(p.mean) if p.mean is not None else "–", st["cell_right"]))
        row.append(_p("Yes" if p.funded else "No", st["cell_bold"] if p.funded else st["cell"]))
        rows.append(row)
        if p.funded:
            shaded.append(("BACKGROUND", (0, n), (-1, n), FUNDED_FILL))
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_table_style(fonts, shaded))
    story.append(table)
    if show_mean:
        story.append(Spacer(1, 3))
        story.append(_p("Mean score: the average of the scores given, leaving out ballots that did not judge the "
                        "project.", st["small"]))

    # --- the funded list
    heading = _p("Funded", st["h2"])
    by_ref = {p.reference: p for p in results.projects}
    funded = [by_ref[ref] for ref in results.allocation.selected if ref in by_ref]
    if funded:
        rows = [[_p(h, st["head_right"] if i in (0, 4) else st["head"])
                 for i, h in enumerate(("Order", "Reference", "Project", "Organisation", "Amount"))]]
        for n, p in enumerate(funded, start=1):
            rows.append([_p(str(n), st["cell_right"]), _p(p.reference, st["cell"]), _p(p.title, st["cell_bold"]),
                         _p(p.organisation, st["cell"]), _p(format_money(p.amount_pence), st["cell_right"])])
        sums = [("Total funded", results.funded_pence), ("Budget", results.budget_pence),
                ("Left over", results.left_pence)]
        first_sum = len(rows)
        for label, pence in sums:
            rows.append(["", "", "", _p(label, st["cell_bold"]), _p(format_money(pence), st["cell_right"])])
        widths = [14 * mm, 30 * mm, None, 45 * mm, 25 * mm]
        widths[2] = width - sum(w for w in widths if w is not None)
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_table_style(fonts, [("LINEABOVE", (3, first_sum), (-1, first_sum), 1, INK),
                                            ("LINEBELOW", (0, first_sum), (2, -1), 0, colors.white)]))
        summary = _p(f"{len(funded)} project{'s' if len(funded) != 1 else ''} funded for "
                     f"{format_money(results.funded_pence)} of the {format_money(results.budget_pence)} budget; "
                     f"{format_money(results.left_pence)} left over.", st["body"])
        story.append(KeepTogether([heading, table, Spacer(1, 4), summary]))
    else:
        story.append(heading)
        story.append(_p(f"No project is funded yet. The budget is {format_money(results.budget_pence)}.",
                        st["body"]))

    # --- ties
    story.append(_p("Ties", st["h2"]))
    story.append(_p(f"The rule for ties, fixed before voting began: {results.allocation.tie_break}", st["body"]))
    ties = [s for s in results.allocation.explanation if s.kind == "tie"]
    if ties:
        for n, step in enumerate(ties, start=1):
            story.append(Paragraph(escape(step.text), st["step"], bulletText=f"{n}." if len(ties) > 1 else "•"))
    else:
        story.append(_p("No tie affected the result.", st["body"]))

    # --- the explanation, step by step
    story.append(_p("Step by step", st["h2"]))
    story.append(_p("How the voting engine worked the result out, one step at a time. Anyone can check it "
                    "against the totals above.", st["small"]))
    story.append(Spacer(1, 4))
    steps = results.allocation.explanation
    if steps:
        for n, step in enumerate(steps, start=1):
            story.append(Paragraph(escape(step.text), st["step"], bulletText=f"{n}."))
    else:
        story.append(_p("There is nothing to explain yet: no ballot has been counted.", st["body"]))
    return story
