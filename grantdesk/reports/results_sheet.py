"""The results sheet of a community vote, as a PDF to pin up, hand out or publish.

It says, in this order: what was voted on and when it was printed; how the vote was counted (the
method and rules in plain words); the turnout, kiosk and paper, and every spoilt ballot's reason
(grouped and counted); each project's totals in rank order; the funded list with amounts, the total
and what is left of the budget; the tie-break policy and every tie it settled; and the voting engine's
whole explanation, step by step. Long explanations flow over as many pages as they need; each page's
footer says "Page 2 of 3".

For a fund under the Welsh Language Standards (``EventView.welsh``) the sheet is bilingual, Welsh first:
every heading, label and sentence GrantDesk writes is given in Welsh and then in English (from the one
catalogue: ``grantdesk.voting.voter_words.Voice``), the projects' Welsh titles beside their English ones.
The voting engine's own explanation of each step (and the count's reasons for spoilt ballots) is
written in English only.

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from grantdesk.i18n import N_
from grantdesk.domain.rounding import rounded_text
from grantdesk.reports.pdf_common import FUNDED_FILL, INK, RULE, document, numbered_canvas
from grantdesk.reports.pdf_common import para as _p
from grantdesk.reports.pdf_common import short_date as _date
from grantdesk.reports.pdf_common import styles as _styles
from grantdesk.reports.pdf_common import table_style as _table_style
from grantdesk.reports.pdf_fonts import PdfFonts, pdf_fonts
from grantdesk.voting.voter_words import Voice, instruction_words, rule_words, tie_break_words
from grantdesk.voting.wording import number_text

if TYPE_CHECKING:
    from grantdesk.services.events import EventResults

__all__ = ["STATE_WORDS", "results_sheet_pdf", "results_story"]

STATE_WORDS = {
    "setup": N_("No ballots yet."),
    "voting": N_("Provisional: voting is still open, so these totals may change."),
    "closed": N_("Voting has closed. The officer has not yet confirmed these results."),
    "confirmed": N_("Final: the officer has confirmed these results."),
}
TOTAL_HEADS = {"approval": N_("Votes"), "choose-one": N_("Votes"), "knapsack": N_("Votes"), "score": N_("Points"),
               "cumulative": N_("Tokens"), "ranked": N_("Points")}


class _Say:
    """The sheet's words: in the app's language, or Welsh then English for a Welsh-Standards fund."""

    def __init__(self, welsh: bool):
        self.welsh = welsh
        self.voices = (Voice("cy"), Voice("en")) if welsh else (Voice(),)

    def all(self, text: str, **values) -> list[str]:
        """``text`` in each language of the sheet, Welsh first."""
        return [v._(text).format(**values) if values else v._(text) for v in self.voices]

    def ngettext(self, singular: str, plural: str, n: int, **values) -> list[str]:
        return [v.ngettext(singular, plural, n).format(n=n, **values) for v in self.voices]

    def yes_no(self, yes: bool) -> str:
        return " / ".join(v.pgettext("funded", "Yes") if yes else v.pgettext("funded", "No") for v in self.voices)

    def label(self, text: str, **values) -> str:
        """A short label: “Welsh / English”."""
        return " / ".join(self.all(text, **values))

    def head(self, text: str) -> str:
        """A table heading, as paragraph markup: the Welsh above the English."""
        return "<br/>".join(escape(t) for t in self.all(text))


def results_sheet_pdf(results: EventResults, target: Path | BinaryIO, *, printed_on: date | None = None,
                      welsh: bool | None = None) -> None:
    """Write the results sheet of ``results`` (from ``event_results``) to ``target``, a path or a binary
    file object. ``printed_on`` is today unless given; Welsh first when ``welsh`` (by default: when the
    event's fund is under the Welsh Language Standards)."""
    fonts = pdf_fonts()
    event = results.event
    day = printed_on or date.today()
    welsh = bool(getattr(event, "welsh", False)) if welsh is None else welsh
    say = _Say(welsh)
    if welsh:  # both languages in the footer's one line: the event and the day
        footer = " · ".join([event.name, say.label(N_("printed {date}"), date=_date(day))])
    else:
        footer = " · ".join([event.fund_name, event.name, *say.all(N_("results printed {date}"), date=_date(day))])
    doc = document(target, title=say.label(N_("Results: {name}"), name=event.name), author=event.fund_name,
                   subject=say.label(N_("Results of the community vote {name}"), name=event.name))
    doc.build(results_story(results, fonts, day, doc.width, welsh=welsh), canvasmaker=numbered_canvas(footer, fonts))


def _two_places(value: Fraction) -> str:
    """An exact fraction shown to two decimal places by the one rounding rule, as the screen shows it
    (``grantdesk.domain.rounding``): ``7/2`` → ``"3.50"``, ``107/40`` → ``"2.68"``."""
    return rounded_text(value, 2)


def results_story(results: EventResults, fonts: PdfFonts, printed_on: date, width: float, *,
                  welsh: bool = False) -> list:
    """The sheet's content as platypus flowables (``width``: the frame's width in points)."""
    event = results.event
    tally = results.tally
    st = _styles(fonts)
    say = _Say(welsh)
    money = say.voices[-1].money
    story: list = []

    def paragraphs(texts: list[str], style: str = "body") -> None:
        """One paragraph for each language, Welsh first (bold, when there are two)."""
        for n, text in enumerate(texts):
            if welsh and n == 0 and style in ("body", "state", "small"):
                story.append(Paragraph(f"<b>{escape(text)}</b>", st[style]))
            else:
                story.append(_p(text, st[style]))

    def heading(text: str) -> None:
        story.append(_p(say.label(text), st["h2"]))

    def cell(texts: list[str], style: str = "cell") -> Paragraph:
        return Paragraph("<br/>".join(escape(t) for t in texts), st[style])

    # --- what, where, when
    story.append(_p(f"{event.fund_name} · {event.round_name}", st["kicker"]))
    story.append(_p(event.name, st["title"]))
    if event.venue:
        where = say.all(N_("Results of the community vote at {venue}. Printed {date}."), venue=event.venue,
                        date=_date(printed_on))
    else:
        where = say.all(N_("Results of the community vote. Printed {date}."), date=_date(printed_on))
    paragraphs(where)
    paragraphs(say.all(STATE_WORDS[event.state]) if event.state in STATE_WORDS else [""], "state")

    # --- method
    heading(N_("How the vote was counted"))
    if welsh:
        cy = say.voices[0]
        story.append(Paragraph("<b>" + escape(" ".join(part for part in (
            cy._("Ballot paper: {instruction}").format(instruction=instruction_words(event, cy)),
            cy._("Allocation: {rule}").format(rule=rule_words(event.rule, event.when_next_does_not_fit, cy)),
            tie_break_words(event.tie_break, event.tie_break_seed, cy)) if part)) + "</b>", st["body"]))
    story.append(_p(results.method, st["body"]))

    # --- turnout
    heading(N_("Turnout"))
    kiosk, paper = results.kiosk, results.paper
    rows = [
        [cell(say.all(N_("Ballots cast")), "cell_bold"), _p(number_text(tally.cast), st["cell_right"]),
         cell(say.all(N_("{kiosk} at the kiosk, {paper} on paper"), kiosk=number_text(kiosk.cast),
                      paper=number_text(paper.cast)))],
        [cell(say.all(N_("Counted")), "cell_bold"), _p(number_text(tally.accepted), st["cell_right"]),
         cell(say.all(N_("{kiosk} kiosk, {paper} paper"), kiosk=number_text(kiosk.accepted),
                      paper=number_text(paper.accepted)))],
        [cell(say.all(N_("Spoilt")), "cell_bold"), _p(number_text(tally.spoilt_count), st["cell_right"]),
         cell(say.all(N_("Not counted: the reasons are listed below.") if tally.spoilt_count else N_("None.")))],
    ]
    if event.codes_issued:
        rows.append([cell(say.all(N_("Voting codes")), "cell_bold"), _p(number_text(event.codes_used), st["cell_right"]),
                     cell(say.all(N_("used of {issued} issued"), issued=number_text(event.codes_issued)))])
    first_w = 44 * mm if welsh else 34 * mm
    table = Table(rows, colWidths=[first_w, 16 * mm, width - first_w - 16 * mm], hAlign="LEFT")
    table.setStyle(_table_style(fonts, [("BACKGROUND", (0, 0), (-1, 0), colors.white),
                                        ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                                        ("LEFTPADDING", (2, 0), (2, -1), 10)]))
    story.append(table)
    if results.spoilt_reasons:
        story.append(Spacer(1, 6))
        grouped = Counter(results.spoilt_reasons).most_common()
        reasons = [[Paragraph(say.head(N_("Why ballots were spoilt")), st["head"]),
                    Paragraph(say.head(N_("Ballots")), st["head_right"])]]
        reasons += [[_p(reason, st["cell"]), _p(number_text(n), st["cell_right"])] for reason, n in grouped]
        count_w = 28 * mm if welsh else 20 * mm
        table = Table(reasons, colWidths=[width - count_w, count_w], hAlign="LEFT", repeatRows=1)
        table.setStyle(_table_style(fonts))
        story.append(table)

    # --- every project, ranked
    heading(N_("Every project, by support"))
    show_mean = event.ballot_kind == "score"
    head = [N_("Rank"), N_("Reference"), N_("Project"), N_("Amount"), TOTAL_HEADS.get(event.ballot_kind, N_("Points")),
            N_("Supporters")]
    widths = [12 * mm, 30 * mm, None, 24 * mm, 16 * mm, 23 * mm]
    if welsh:
        widths = [14 * mm, 28 * mm, None, 22 * mm, 25 * mm, 24 * mm]
    if show_mean:
        head.append(N_("Mean score"))
        widths.append(14 * mm if not welsh else 16 * mm)
    head.append(N_("Funded"))
    widths.append(17 * mm if not welsh else 22 * mm)
    widths[2] = width - sum(w for w in widths if w is not None)
    right = {0, 3, 4, 5} | ({6} if show_mean else set())
    rows = [[Paragraph(say.head(h), st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
    shaded = []
    for n, p in enumerate(results.projects, start=1):
        project = Paragraph(f"{_title_markup(p, welsh)}<br/><font color='#4b5563'>{escape(p.organisation)}</font>",
                            st["cell"])
        row = [_p(str(p.rank), st["cell_right"]), _p(p.reference, st["cell"]), project,
               _p(money(p.amount_pence), st["cell_right"]), _p(number_text(p.total), st["cell_right"]),
               _p(number_text(p.supporters), st["cell_right"])]
        if show_mean:
            row.append(_p(_two_places(p.mean) if p.mean is not None else "–", st["cell_right"]))
        row.append(_p(say.yes_no(p.funded), st["cell_bold"] if p.funded else st["cell"]))
        rows.append(row)
        if p.funded:
            shaded.append(("BACKGROUND", (0, n), (-1, n), FUNDED_FILL))
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_table_style(fonts, shaded))
    story.append(table)
    if show_mean:
        story.append(Spacer(1, 3))
        paragraphs(say.all(N_("Mean score: the average of the scores given, leaving out ballots that did not judge "
                              "the project.")), "small")

    # --- the funded list
    funded_heading = _p(say.label(N_("Funded")), st["h2"])
    by_ref = {p.reference: p for p in results.projects}
    funded = [by_ref[ref] for ref in results.allocation.selected if ref in by_ref]
    if funded:
        heads = (N_("Order"), N_("Reference"), N_("Project"), N_("Organisation"), N_("Amount"))
        rows = [[Paragraph(say.head(h), st["head_right"] if i in (0, 4) else st["head"]) for i, h in enumerate(heads)]]
        for n, p in enumerate(funded, start=1):
            rows.append([_p(str(n), st["cell_right"]), _p(p.reference, st["cell"]),
                         Paragraph(_title_markup(p, welsh), st["cell"]), _p(p.organisation, st["cell"]),
                         _p(money(p.amount_pence), st["cell_right"])])
        sums = [(N_("Total funded"), results.funded_pence), (N_("Budget"), results.budget_pence),
                (N_("Left over"), results.left_pence)]
        first_sum = len(rows)
        for label, pence in sums:
            rows.append(["", "", "", cell(say.all(label), "cell_bold"), _p(money(pence), st["cell_right"])])
        widths = [14 * mm, 30 * mm, None, 45 * mm, 25 * mm]
        widths[2] = width - sum(w for w in widths if w is not None)
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_table_style(fonts, [("LINEABOVE", (3, first_sum), (-1, first_sum), 1, INK),
                                            ("LINEBELOW", (0, first_sum), (2, -1), 0, colors.white)]))
        summary = say.ngettext("{n} project funded for {funded} of the {budget} budget; {left} left over.",
                             "{n} projects funded for {funded} of the {budget} budget; {left} left over.",
                             len(funded), funded=money(results.funded_pence), budget=money(results.budget_pence),
                             left=money(results.left_pence))
        block = [funded_heading, table, Spacer(1, 4)]
        for n, text in enumerate(summary):
            block.append(Paragraph(f"<b>{escape(text)}</b>", st["body"]) if welsh and n == 0 else _p(text, st["body"]))
        story.append(KeepTogether(block))
    else:
        story.append(funded_heading)
        paragraphs(say.all(N_("No project is funded yet. The budget is {budget}."), budget=money(results.budget_pence)))

    # --- ties
    heading(N_("Ties"))
    if welsh:
        paragraphs([say.voices[0]._("The rule for ties, fixed before voting began: {rule}").format(
            rule=tie_break_words(event.tie_break, event.tie_break_seed, say.voices[0]))])
    story.append(_p(say.voices[-1]._("The rule for ties, fixed before voting began: {rule}").format(
        rule=results.allocation.tie_break), st["body"]))
    ties = [s for s in results.allocation.explanation if s.kind == "tie"]
    if ties:
        if welsh:
            paragraphs([say.voices[0]._("The voting engine describes each tie in English:")], "small")
        for n, step in enumerate(ties, start=1):
            story.append(Paragraph(escape(step.text), st["step"], bulletText=f"{n}." if len(ties) > 1 else "•"))
    else:
        paragraphs(say.all(N_("No tie affected the result.")))

    # --- the explanation, step by step
    heading(N_("Step by step"))
    paragraphs(say.all(N_("How the voting engine worked the result out, one step at a time. Anyone can check it "
                          "against the totals above.")), "small")
    steps = results.allocation.explanation
    if steps and welsh:
        paragraphs([say.voices[0]._("The voting engine writes its steps in English.")], "small")
    story.append(Spacer(1, 4))
    if steps:
        for n, step in enumerate(steps, start=1):
            story.append(Paragraph(escape(step.text), st["step"], bulletText=f"{n}."))
    else:
        paragraphs(say.all(N_("There is nothing to explain yet: no ballot has been counted.")))
    return story


def _title_markup(project, welsh: bool) -> str:
    """A project's title, bold; on a bilingual sheet its Welsh title first when it has one."""
    title_cy = getattr(project, "title_cy", "") if welsh else ""
    if title_cy and title_cy != project.title:
        return f"<b>{escape(title_cy)}</b><br/>{escape(project.title)}"
    return f"<b>{escape(project.title)}</b>"
