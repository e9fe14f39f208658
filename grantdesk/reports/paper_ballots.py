"""Blank paper ballots: one A4 page for each sheet, numbered, as the paper keying expects them.

Each page carries the sheet's number (top right, large: the keying screen asks for it), the fund and
the event's name, the ballot paper's instruction for its kind ("Choose up to 3 projects.", from
``grantdesk.voting.ballots.describe_rules``: the same sentence the kiosk shows) and how to mark it,
then every project with its number as the keying screen numbers them (1, 2, 3 … in the event's
order), its cost and a box to mark, and a footer on secrecy. A fund under the Welsh Language Standards
gets every fixed line in Welsh first, then in English, the same size.

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
from grantdesk.domain.money import amount_text, format_money
from grantdesk.reports.pdf_fonts import pdf_fonts
from grantdesk.voting.ballots import (
    ApprovalRules,
    BallotRules,
    ChooseOneRules,
    CumulativeRules,
    KnapsackRules,
    RankedRules,
    ScoreRules,
    describe_rules,
)

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
# Welsh wording: written for this paper, following the forms Welsh councils use on ballot papers
# ("Papur pleidleisio", "Rhowch groes (X) yn y blwch"). Lines marked "check" are ones a Welsh
# Language Officer should confirm before a real vote.

FIXED = {
    "ballot": ("Papur pleidleisio", "Ballot paper"),
    "sheet": ("Taflen", "Sheet"),
    "continued": ("parhad", "continued"),
    "number": ("Rhif", "No."),
    "project": ("Prosiect", "Project"),
    "mark": ("Eich marc", "Your mark"),
    "secret": ("Mae eich pleidlais yn gyfrinachol: peidiwch ag ysgrifennu eich enw nac unrhyw beth arall ar y "
               "papur hwn.",
               "Your vote is secret: do not write your name or anything else on this paper."),
    "sheet_number": ("Mae rhif y daflen ar gyfer y cyfrif yn unig; nid yw'n cael ei gofnodi gyda'ch enw.",
                     "The sheet number is for the count only; it is not recorded against your name."),
    "spoilt": ("Ni ellir cyfrif papur sy'n torri'r rheolau hyn.",
               "A paper that breaks these rules cannot be counted."),
}


def _projects_cy(n: int) -> str:
    return f"{n} prosiect"  # Welsh counts with the singular noun: "3 prosiect"


def _instruction_cy(rules: BallotRules) -> str:
    """``describe_rules`` in Welsh."""
    if isinstance(rules, ScoreRules):
        every = "i bob prosiect" if rules.score_every_project else "i'r prosiectau"
        text = f"Rhowch sgôr o {rules.low} i {rules.high} {every}"
        return text + (", neu nodwch na allwch farnu." if rules.cant_judge else ".")
    if isinstance(rules, ApprovalRules):
        most = f"hyd at {_projects_cy(rules.max_choices)}" if rules.max_choices else \
            "gynifer o brosiectau ag y dymunwch"
        limits = "".join(f", hyd at {n} yn y categori “{c}”" for c, n in rules.per_category.items())
        return f"Dewiswch {most}{limits}."
    if isinstance(rules, ChooseOneRules):
        return "Dewiswch un prosiect."
    if isinstance(rules, RankedRules):
        if rules.max_ranked is not None and rules.max_ranked == rules.min_ranked:
            return f"Rhowch {_projects_cy(rules.max_ranked)} yn union yn nhrefn eich dewis."  # check
        most = f"hyd at {_projects_cy(rules.max_ranked)}" if rules.max_ranked else \
            "gynifer o brosiectau ag y dymunwch"
        return f"Rhowch {most} yn nhrefn eich dewis, eich ffefryn yn gyntaf."
    if isinstance(rules, CumulativeRules):
        # "tocyn" for a voting token: check (some councils say "pwynt").
        cap = f", dim mwy na {rules.max_per_project} ar un prosiect" if rules.max_per_project else ""
        use = "bob un o'ch" if rules.use_all else "hyd at"
        return f"Rhannwch {use} {rules.tokens} tocyn rhwng y prosiectau rydych yn eu cefnogi{cap}."
    if isinstance(rules, KnapsackRules):
        return (f"Dewiswch brosiectau nad yw cyfanswm eu costau yn fwy na "
                f"{amount_text(rules.budget, rules.currency or 'GBP')}.")
    return ""


def _how_to_mark(rules: BallotRules) -> tuple[str, str]:
    """How to mark the boxes, in Welsh and in English."""
    if isinstance(rules, ChooseOneRules):
        return ("Rhowch groes (X) yn y blwch wrth ymyl un prosiect yn unig.",
                "Put a cross (X) in the box next to one project only.")
    if isinstance(rules, RankedRules):
        return ("Ysgrifennwch 1 yn y blwch wrth ymyl eich dewis cyntaf, 2 wrth ymyl eich ail ddewis, ac yn y blaen.",
                "Write 1 in the box next to your first choice, 2 next to your second, and so on.")
    if isinstance(rules, ScoreRules):
        # The keying types "-" for "can't judge"; an empty box is a project left unmarked.
        cy = " Ysgrifennwch linell fer (–) os na allwch farnu." if rules.cant_judge else ""  # check
        en = " Write a dash (–) if you can't judge." if rules.cant_judge else ""
        return (f"Ysgrifennwch eich sgôr yn y blwch wrth ymyl pob prosiect.{cy}",
                f"Write your score in the box next to each project.{en}")
    if isinstance(rules, CumulativeRules):
        return ("Ysgrifennwch yn y blwch faint o docynnau rydych yn eu rhoi i bob prosiect.",  # check
                "Write in each box how many tokens you give to that project.")
    return ("Rhowch groes (X) yn y blwch wrth ymyl pob prosiect rydych yn ei ddewis.",
            "Put a cross (X) in the box next to each project you choose.")


def ballot_lines(rules: BallotRules, welsh: bool) -> list[tuple[str, ...]]:
    """The instruction lines above the projects: each a (Welsh, English) pair when ``welsh``, else
    (English,). The English instruction is ``describe_rules``' sentence, as the kiosk says it."""
    cy_mark, en_mark = _how_to_mark(rules)
    if isinstance(rules, ScoreRules) and rules.cant_judge:
        rules = replace(rules, cant_judge=False)  # on paper "can't judge" is a dash, said in the marking line
    english = [describe_rules(rules), en_mark]
    if not welsh:
        return [(line,) for line in english]
    return [(_instruction_cy(rules), english[0]), (cy_mark, en_mark)]


# --- the page -------------------------------------------------------------------------------------


def paper_ballots_pdf(event: EventView, target: Path | BinaryIO, *, count: int, welsh: bool = False,
                      first: int = 1) -> PaperBallotsDrawn:
    """Write ``count`` blank ballot papers for ``event``, numbered from ``first``, to ``target`` (a path
    or a binary file object); Welsh first when ``welsh``."""
    if count < 1:
        raise ValidationError("Print at least one paper ballot.", "count")
    if count > MOST_SHEETS:
        raise ValidationError(f"Print at most {MOST_SHEETS:,} paper ballots at a time.", "count")
    if first < 1:
        raise ValidationError("Number the paper ballots from 1 or more.", "first")
    if not event.projects:
        raise ValidationError("The ballot paper has no projects yet: choose the shortlist first.", "projects")
    canvas = Canvas(str(target) if isinstance(target, Path) else target, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Paper ballots: {event.name}")
    canvas.setAuthor(event.fund_name)
    canvas.setSubject(f"{count} paper ballots, sheets {first} to {first + count - 1}")
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
    return " / ".join(pair) if welsh else pair[-1]


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
            top = _project_row(canvas, number, project, event, top, width, row, show_cost)
        canvas.showPage()
        if not projects:
            return pages


def _heading(canvas: Canvas, event: EventView, sheet: int, welsh: bool, *, continued: bool) -> float:
    fonts = pdf_fonts()
    page_w, page_h = A4
    top = page_h - MARGIN
    # The sheet number, boxed, top right: what the volunteer keys as the sheet.
    label = _both(FIXED["sheet"], welsh)
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
    heading = _both(FIXED["ballot"], welsh) + " · " + event.fund_name
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
        canvas.drawString(MARGIN, cursor, f"({_both(FIXED['continued'], welsh)})")
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
    canvas.drawString(MARGIN, y, _both(FIXED["number"], welsh))
    canvas.drawString(MARGIN + NUMBER_W, y, _both(FIXED["project"], welsh))
    right = MARGIN + width
    canvas.drawRightString(right, y, _both(FIXED["mark"], welsh))
    if show_cost:
        canvas.drawRightString(right - COST_GAP, y, "Cost")  # the same word in Welsh
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y - 3, right, y - 3)
    return y - 3


def _project_row(canvas: Canvas, number: int, project, event: EventView, top: float, width: float, row: float,
                 show_cost: bool) -> float:
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
    title = _fit(project.title, fonts.bold, 12, text_w)
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
        pair = FIXED[key]
        for n, text in enumerate(pair if welsh else pair[1:]):
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

