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
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from grantdesk.domain.money import format_money
from grantdesk.domain.rounding import rounded_text
from grantdesk.reports.pdf_common import FUNDED_FILL, INK, RULE, document, numbered_canvas
from grantdesk.reports.pdf_common import para as _p
from grantdesk.reports.pdf_common import short_date as _date
from grantdesk.reports.pdf_common import styles as _styles
from grantdesk.reports.pdf_common import table_style as _table_style
from grantdesk.reports.pdf_fonts import PdfFonts, pdf_fonts
from grantdesk.voting.wording import number_text, total_nouns

if TYPE_CHECKING:
    from grantdesk.services.events import EventResults

__all__ = ["STATE_WORDS", "results_sheet_pdf", "results_story"]

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
    doc = document(target, title=f"Results: {event.name}", author=event.fund_name,
                   subject=f"Results of the community vote {event.name}")
    doc.build(results_story(results, fonts, day, doc.width), canvasmaker=numbered_canvas(footer, fonts))


def _two_places(value: Fraction) -> str:
    """An exact fraction shown to two decimal places by the one rounding rule, as the screen shows it
    (``grantdesk.domain.rounding``): ``7/2`` → ``"3.50"``, ``107/40`` → ``"2.68"``."""
    return rounded_text(value, 2)


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
