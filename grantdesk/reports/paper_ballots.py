"""Blank paper ballots: one A4 page for each sheet, numbered, as the paper keying expects them.

Each page carries the sheet's number (top right, large: the keying screen asks for it), the fund and
the event's name, the ballot paper's instruction for its kind ("Choose up to 3 projects.", from
``grantdesk.voting.voter_words.rules_instruction``: the same sentence the kiosk shows) and how to mark it,
then every project with its number as the keying screen numbers them (1, 2, 3 … in the event's
order), its cost and a box to mark, and a footer on secrecy. A fund under the Welsh Language Standards
gets every fixed line in Welsh first, then in English, the same size (the Welsh from the one catalogue),
and each project's Welsh title before its English one where the application gives it.

A ballot with too many projects for one page goes on over a second page headed with the same sheet
number ("continued"); ``PaperBallotsDrawn.pages`` says how many pages were drawn in all.

reportlab is imported here, never on the app's start-up path: the window imports this module only
when someone prints ballots.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, _
from grantdesk.reports.pdf_fonts import pdf_fonts
from grantdesk.voting.ballots import (
    BallotRules,
    ChooseOneRules,
    CumulativeRules,
    RankedRules,
    ScoreRules,
)
from grantdesk.voting.voter_words import Voice, rules_instruction

if TYPE_CHECKING:
    from grantdesk.services.events import EventView

__all__ = ["MOST_SHEETS", "PaperBallotsDrawn", "ballot_lines", "draw_paper_ballots", "paper_ballots_pdf"]

MOST_SHEETS = 5_000
MARGIN = 15 * mm
INK = (0.07, 0.09, 0.15)
GREY = (0.33, 0.36, 0.40)
RULE = (0.55, 0.58, 0.62)
BOX = 11 * mm  # the box to mark: big enough for a cross or a number written by an unsteady hand
ROW = 15 * mm  # a project's row; rows shrink to MIN_ROW before a ballot goes over a second page
MIN_ROW = 12 * mm
NUMBER_W = 22 * mm  # the keying number's column ("Rhif / No.")
COST_GAP = BOX + 42 * mm  # from the right edge to the right of the cost column, clear of "Eich marc / Your mark"


@dataclass(frozen=True)
class PaperBallotsDrawn:
    sheets: int
    pages: int
    first: int
    last: int


# --- the words ------------------------------------------------------------------------------------
# The Welsh comes from the one catalogue (resources/locale/cy), written for this paper following the
# forms Welsh councils use on ballot papers ("Papur pleidleisio", "Rhowch groes (X) yn y blwch"); the
# translator's comments there mark the lines a Welsh Language Officer should confirm before a real vote.

FIXED = {
    "ballot": N_("Ballot paper"),
    "sheet": N_("Sheet"),
    "continued": N_("continued"),
    "project": N_("Project"),
    "mark": N_("Your mark"),
    "cost": N_("Cost"),
    "secret": N_("Your vote is secret: do not write your name or anything else on this paper."),
    "sheet_number": N_("The sheet number is for the count only; it is not recorded against your name."),
    "spoilt": N_("A paper that breaks these rules cannot be counted."),
}


def _voices(welsh: bool) -> tuple[Voice, ...]:
    return (Voice("cy"), Voice("en")) if welsh else (Voice(),)


def _pair(key: str, welsh: bool) -> tuple[str, ...]:
    """A fixed text: (Welsh, English) when ``welsh``, else (the app's language,)."""
    return tuple(v._(FIXED[key]) for v in _voices(welsh))


def _number_heading(welsh: bool) -> tuple[str, ...]:
    return tuple(v.pgettext("number", "No.") for v in _voices(welsh))


def _how_to_mark(rules: BallotRules, voice: Voice) -> str:
    """How to mark the boxes, in ``voice``'s language."""
    v = voice
    if isinstance(rules, ChooseOneRules):
        return v._("Put a cross (X) in the box next to one project only.")
    if isinstance(rules, RankedRules):
        return v._("Write 1 in the box next to your first choice, 2 next to your second, and so on.")
    if isinstance(rules, ScoreRules):
        # The keying types "-" for "can't judge"; an empty box is a project left unmarked.
        if rules.cant_judge:
            return v._("Write your score in the box next to each project. Write a dash (–) if you can't judge.")
        return v._("Write your score in the box next to each project.")
    if isinstance(rules, CumulativeRules):
        return v._("Write in each box how many tokens you give to that project.")
    return v._("Put a cross (X) in the box next to each project you choose.")


def ballot_lines(rules: BallotRules, welsh: bool) -> list[tuple[str, ...]]:
    """The instruction lines above the projects: each a (Welsh, English) pair when ``welsh``, else
    (the app's language,). The instruction is the kiosk's own sentence (``rules_instruction``)."""
    marking = rules
    if isinstance(rules, ScoreRules) and rules.cant_judge:
        rules = replace(rules, cant_judge=False)  # on paper "can't judge" is a dash, said in the marking line
    voices = _voices(welsh)
    return [tuple(rules_instruction(rules, v) for v in voices), tuple(_how_to_mark(marking, v) for v in voices)]


# --- the page -------------------------------------------------------------------------------------


def paper_ballots_pdf(event: EventView, target: Path | BinaryIO, *, count: int, welsh: bool = False,
                      first: int = 1) -> PaperBallotsDrawn:
    """Write ``count`` blank ballot papers for ``event``, numbered from ``first``, to ``target`` (a path
    or a binary file object); Welsh first when ``welsh``."""
    if count < 1:
        raise ValidationError(_("Print at least one paper ballot."), "count")
    if count > MOST_SHEETS:
        raise ValidationError(_("Print at most {most} paper ballots at a time.").format(most=f"{MOST_SHEETS:,}"),
                              "count")
    if first < 1:
        raise ValidationError(_("Number the paper ballots from 1 or more."), "first")
    if not event.projects:
        raise ValidationError(_("The ballot paper has no projects yet: choose the shortlist first."), "projects")
    canvas = Canvas(str(target) if isinstance(target, Path) else target, pagesize=A4, pageCompression=1)
    voices = _voices(welsh)
    canvas.setTitle(" / ".join(v._("Paper ballots: {name}").format(name=event.name) for v in voices))
    canvas.setAuthor(event.fund_name)
    canvas.setSubject(" / ".join(v.ngettext("{n} paper ballot, sheets {first} to {last}",
                                            "{n} paper ballots, sheets {first} to {last}", count).format(
        n=count, first=first, last=first + count - 1) for v in voices))
    canvas.setCreator("GrantDesk")
    drawn = draw_paper_ballots(canvas, event, count=count, welsh=welsh, first=first)
    canvas.save()
    return drawn


def draw_paper_ballots(canvas: Canvas, event: EventView, *, count: int, welsh: bool = False,
                       first: int = 1) -> PaperBallotsDrawn:
    pages = 0
    for sheet in range(first, first + count):
        pages += _sheet(canvas, event, sheet, welsh)
    return PaperBallotsDrawn(count, pages, first, first + count - 1)


def _both(pair: tuple[str, ...], welsh: bool) -> str:
    """“Cymraeg / English” (once, when the two are the same word), or the one language's."""
    return " / ".join(dict.fromkeys(pair)) if welsh else pair[-1]


def _sheet(canvas: Canvas, event: EventView, sheet: int, welsh: bool) -> int:
    """One ballot paper; returns how many pages it took."""
    page_w, _page_h = A4
    width = page_w - 2 * MARGIN
    rules = event.rules
    show_cost = True
    pages = 0
    projects = list(enumerate(event.projects, start=1))
    while True:
        pages += 1
        top = _heading(canvas, event, sheet, welsh, continued=pages > 1)
        if pages == 1:
            top = _instructions(canvas, rules, welsh, top, width)
        footer_top = _footer(canvas, welsh, width)
        top = _table_header(canvas, welsh, top, width, show_cost)
        room = top - footer_top - 4 * mm
        row = max(MIN_ROW, min(ROW, room / max(len(projects), 1)))
        fits = max(1, int(room // row))
        chunk, projects = projects[:fits], projects[fits:]
        for number, project in chunk:
            top = _project_row(canvas, number, project, event, top, width, row, show_cost, welsh)
        canvas.showPage()
        if not projects:
            return pages


def _heading(canvas: Canvas, event: EventView, sheet: int, welsh: bool, *, continued: bool) -> float:
    fonts = pdf_fonts()
    page_w, page_h = A4
    top = page_h - MARGIN
    # The sheet number, boxed, top right: what the volunteer keys as the sheet.
    label = _both(_pair("sheet", welsh), welsh)
    number = str(sheet)
    box_w = max(canvas.stringWidth(number, fonts.bold, 26), canvas.stringWidth(label, fonts.regular, 9)) + 8 * mm
    box_h = 20 * mm
    x = page_w - MARGIN - box_w
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(1.2)
    canvas.rect(x, top - box_h, box_w, box_h)
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(fonts.regular, 9)
    canvas.drawCentredString(x + box_w / 2, top - 5 * mm, label)
    canvas.setFillColorRGB(*INK)
    canvas.setFont(fonts.bold, 26)
    canvas.drawCentredString(x + box_w / 2, top - box_h + 4 * mm, number)

    text_w = x - MARGIN - 6 * mm
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(fonts.regular, 10)
    heading = _both(_pair("ballot", welsh), welsh) + " · " + event.fund_name
    canvas.drawString(MARGIN, top - 10, _fit(heading, fonts.regular, 10, text_w))
    cursor = top - 10 - 8
    size = 18
    canvas.setFillColorRGB(*INK)
    canvas.setFont(fonts.bold, size)
    for line in simpleSplit(event.name, fonts.bold, size, text_w)[:2] or [""]:
        cursor -= size
        canvas.drawString(MARGIN, cursor, line)
        cursor -= 3
    if continued:
        canvas.setFont(fonts.regular, 11)
        canvas.setFillColorRGB(*GREY)
        cursor -= 12
        canvas.drawString(MARGIN, cursor, f"({_both(_pair('continued', welsh), welsh)})")
    elif event.venue:
        canvas.setFont(fonts.regular, 10)
        canvas.setFillColorRGB(*GREY)
        cursor -= 11
        canvas.drawString(MARGIN, cursor, _fit(event.venue, fonts.regular, 10, text_w))
    return min(cursor, top - box_h) - 6 * mm


def _instructions(canvas: Canvas, rules: BallotRules, welsh: bool, top: float, width: float) -> float:
    """The instruction, Welsh first when ``welsh``: each Welsh line bold, its English below it, the
    same size (neither language smaller than the other)."""
    fonts = pdf_fonts()
    size = 12.5
    cursor = top
    for pair in ballot_lines(rules, welsh):
        for n, text in enumerate(pair):
            font = fonts.bold if n == 0 else fonts.regular
            canvas.setFont(font, size)
            canvas.setFillColorRGB(*INK)
            for line in simpleSplit(text, font, size, width):
                cursor -= size + 2
                canvas.drawString(MARGIN, cursor, line)
        cursor -= 5
    return cursor - 3 * mm


def _table_header(canvas: Canvas, welsh: bool, top: float, width: float, show_cost: bool) -> float:
    fonts = pdf_fonts()
    size = 9
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(fonts.bold, size)
    y = top - size
    canvas.drawString(MARGIN, y, _both(_number_heading(welsh), welsh))
    canvas.drawString(MARGIN + NUMBER_W, y, _both(_pair("project", welsh), welsh))
    right = MARGIN + width
    canvas.drawRightString(right, y, _both(_pair("mark", welsh), welsh))
    if show_cost:
        canvas.drawRightString(right - COST_GAP, y, _both(_pair("cost", welsh), welsh))  # "Cost" in both
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y - 3, right, y - 3)
    return y - 3


def _project_row(canvas: Canvas, number: int, project, event: EventView, top: float, width: float, row: float,
                 show_cost: bool, welsh: bool = False) -> float:
    """Draw one project's row from ``top`` down; returns the y, in points on the page, where the next row
    starts. (Positions are reportlab's points; no amount of money is a float here: costs are drawn from
    pence with format_money.)"""
    fonts = pdf_fonts()
    right = MARGIN + width
    bottom = top - row
    middle = (top + bottom) / 2
    canvas.setFillColorRGB(*INK)
    canvas.setFont(fonts.bold, 16)
    canvas.drawString(MARGIN + 1 * mm, middle - 6, str(number))
    text_x = MARGIN + NUMBER_W
    text_w = right - COST_GAP - 6 * mm - text_x - (24 * mm if show_cost else 0)
    title_cy = getattr(project, "title_cy", "") if welsh else ""
    title = _fit(f"{title_cy} / {project.title}" if title_cy and title_cy != project.title else project.title,
                 fonts.bold, 12, text_w)
    canvas.setFont(fonts.bold, 12)
    organisation = _fit(project.organisation, fonts.regular, 9, text_w) if project.organisation else ""
    if organisation:
        canvas.drawString(text_x, middle + 1, title)
        canvas.setFont(fonts.regular, 9)
        canvas.setFillColorRGB(*GREY)
        canvas.drawString(text_x, middle - 10, organisation)
    else:
        canvas.drawString(text_x, middle - 4, title)
    if show_cost:
        canvas.setFillColorRGB(*INK)
        canvas.setFont(fonts.regular, 11)
        canvas.drawRightString(right - COST_GAP, middle - 4, _money(project.amount_pence))
    # The box to mark.
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(1.4)
    canvas.rect(right - BOX - 4 * mm, middle - BOX / 2, BOX, BOX)
    canvas.setStrokeColorRGB(*RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, bottom, right, bottom)
    return bottom


def _footer(canvas: Canvas, welsh: bool, width: float) -> float:
    """The secrecy lines across the foot of the page; returns the top of the footer."""
    fonts = pdf_fonts()
    size = 9.5
    lines: list[tuple[str, str]] = []
    for key in ("spoilt", "secret", "sheet_number"):
        for n, text in enumerate(_pair(key, welsh)):
            font = fonts.bold if welsh and n == 0 else fonts.regular
            lines.extend((font, line) for line in simpleSplit(text, font, size, width))
    top = MARGIN + len(lines) * (size + 2.5)
    y = top
    for font, line in lines:  # top down, so the text reads (and extracts) Welsh first
        y -= size + 2.5
        canvas.setFont(font, size)
        canvas.setFillColorRGB(*GREY)
        canvas.drawString(MARGIN, y, line)
    canvas.setStrokeColorRGB(*RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top + 2, MARGIN + width, top + 2)
    return top + 2


def _money(pence: int) -> str:
    text = format_money(pence)
    return text[:-3] if text.endswith(".00") else text  # "£3,000", as a resident reads a price


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of ``width``, ending in “…” when it is too long."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1].rstrip()
    return text + "…"

