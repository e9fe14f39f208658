"""The learning report, printed: PDF (A4, the house style of ``pdf_common``) or Markdown.

Prints a ``grantdesk.services.learning.LearningReport`` and never touches the database: the counts and
amounts, a bar chart of notes per theme, each theme with the notes' own words (attributed to the
organisation and the application reference), what did not go to plan with what was learned beside it,
and what the council could do better. reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Table

from grantdesk.domain.dates import format_date
from grantdesk.domain.money import format_money
from grantdesk.reports.pdf_common import (
    FUNDED_INK,
    INK,
    RULE,
    document,
    numbered_canvas,
    para,
    short_date,
    styles,
    table_style,
    widths,
)
from grantdesk.reports.pdf_fonts import PdfFonts, pdf_fonts

if TYPE_CHECKING:
    from grantdesk.services.learning import LearningReport, Quote

__all__ = ["learning_report_markdown", "learning_report_pdf", "md_escape"]

CHART_MAX_THEMES = 12
BAR = HexColor("#60a5fa")


# --------------------------------------------------------------------------------------------- shared


def _summary_rows(report: LearningReport) -> list[tuple[str, str]]:
    rows = [("Outcome notes", str(report.notes)), ("Awards with notes", str(report.awards)),
            ("Organisations", str(report.organisations)),
            ("Awarded to those awards", format_money(report.awarded_pence, report.currency))]
    for figure in report.figures:
        if figure.notes_giving:
            rows.append((figure.label, f"{figure.total:,} (from {figure.notes_giving} of {report.notes} notes)"))
        else:
            rows.append((figure.label, "not given"))
    return rows


def _period(report: LearningReport) -> str:
    first, last = format_date(report.first_recorded, "en_GB"), format_date(report.last_recorded, "en_GB")
    return f"Notes recorded on {first}" if first == last else f"Notes recorded from {first} to {last}"


def _attribution(quote_org: str, reference: str, stage: str) -> str:
    return f"{quote_org} ({', '.join(x for x in (reference, stage) if x)})"


FIGURES_CAVEAT = ("Figures are as the notes gave them, added up; they are optional, so they are not given for "
                  "every project, and a project with two notes may be counted twice.")


# --------------------------------------------------------------------------------------------- Markdown

_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text that prints as itself in Markdown (``*``, ``_``, ``|``, ``[`` … and a leading ``#`` or ``1.``)."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _MD_ANYWHERE.sub(r"\\\1", line)
        line = _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)
        lines.append(line)
    return "\n".join(lines)


def _md_blockquote(text: str, indent: str = "  ") -> list[str]:
    return [f"{indent}> {line}".rstrip() for line in md_escape(text.strip()).splitlines()]


def _md_quote(quote: Quote) -> list[str]:
    who = _attribution(quote.organisation, quote.reference, quote.stage)
    return [f"- **{md_escape(quote.label)}**, {md_escape(who)}:", "", *_md_blockquote(quote.text), ""]


def learning_report_markdown(report: LearningReport) -> str:
    """The report as Markdown: headings, a table of counts, and the notes' words as attributed quotes."""
    out = [f"# Learning report: {md_escape(report.title)}", ""]
    out += [md_escape(" · ".join(x for x in (report.council, ", ".join(report.funds)) if x)) + "  ",
            f"{_period(report)}.", ""]
    out += ["## Counts and amounts", "", "| Measure | Figure |", "|---|---:|"]
    out += [f"| {md_escape(label)} | {md_escape(value)} |" for label, value in _summary_rows(report)]
    out += ["", f"_{FIGURES_CAVEAT}_", ""]
    if report.themes:
        out += ["## Themes", "", "| Theme | Notes |", "|---|---:|"]
        out += [f"| {md_escape(name)} | {count} |" for name, count in report.themes]
        out.append("")
    for section in report.sections:
        out += [f"## Theme: {md_escape(section.theme)}", "",
                f"{section.count} note{'s' if section.count != 1 else ''}, in their own words.", ""]
        for quote in section.quotes:
            out += _md_quote(quote)
    out += ["## What did not go to plan", ""]
    if report.not_to_plan:
        for item in report.not_to_plan:
            who = _attribution(item.organisation, item.reference, item.stage)
            out += [f"- {md_escape(who)}:", "", *_md_blockquote(item.text), ""]
            if item.learned:
                out += ["  **What was learned:**", "", *_md_blockquote(item.learned), ""]
            else:
                out += ["  _No lesson was written down._", ""]
    else:
        out += ["No note said that something did not go to plan.", ""]
    out += ["## What the council could do better", ""]
    if report.council_could_do_better:
        for quote in report.council_could_do_better:
            who = _attribution(quote.organisation, quote.reference, quote.stage)
            out += [f"- {md_escape(who)}:", "", *_md_blockquote(quote.text), ""]
    else:
        out += ["No note said what the council could do better.", ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------- PDF


def _pdf_styles(fonts: PdfFonts) -> dict[str, ParagraphStyle]:
    st = styles(fonts)
    st["quote"] = ParagraphStyle("quote", parent=st["body"], leftIndent=12, spaceAfter=1)
    st["who"] = ParagraphStyle("who", parent=st["small"], leftIndent=12, spaceAfter=7)
    st["label"] = ParagraphStyle("label", parent=st["small"], fontName=fonts.bold, textColor=FUNDED_INK,
                                 spaceAfter=1)
    return st


def theme_chart(themes: tuple[tuple[str, int], ...], fonts: PdfFonts, width: float) -> Drawing:
    """A horizontal bar per theme (the most-used first), its count at the end of the bar."""
    shown = list(themes[:CHART_MAX_THEMES])
    row, label_w, count_w = 16, min(60 * mm, width * 0.38), 24
    height = row * len(shown) + 4
    drawing = Drawing(width, height)
    most = max((c for _t, c in shown), default=1) or 1
    bar_room = width - label_w - count_w
    for i, (name, count) in enumerate(shown):
        y = height - (i + 1) * row
        label = name
        while len(label) > 1 and stringWidth(label, fonts.regular, 8.5) > label_w - 8:
            label = label[:-2] + "…"
        drawing.add(String(label_w - 6, y + 4, label, fontName=fonts.regular, fontSize=8.5, fillColor=INK,
                           textAnchor="end"))
        bar = max(bar_room * count / most, 1.5)
        drawing.add(Rect(label_w, y + 2, bar, row - 5, fillColor=BAR, strokeColor=None))
        drawing.add(String(label_w + bar + 4, y + 4, str(count), fontName=fonts.bold, fontSize=8.5, fillColor=INK))
    drawing.add(Rect(label_w, 0, 0.5, height, fillColor=RULE, strokeColor=None))
    return drawing


def _pdf_quote(quote: Quote, st: dict[str, ParagraphStyle], *, labelled: bool = True) -> KeepTogether:
    who = _attribution(quote.organisation, quote.reference, quote.stage)
    return KeepTogether([*([para(quote.label, st["label"])] if labelled else []),
                         para(f"“{quote.text.strip()}”", st["quote"]), para(f"— {who}", st["who"])])


def _story(report: LearningReport, fonts: PdfFonts, day: date, width: float) -> list:
    st = _pdf_styles(fonts)
    story: list = [para(" · ".join(x for x in (report.council, "Learning report") if x), st["kicker"]),
                   para(report.title, st["title"]),
                   para(f"{_period(report)}. Funds: {', '.join(report.funds)}. Printed {short_date(day)}.",
                        st["small"])]
    story.append(para("Counts and amounts", st["h2"]))
    rows = [[para("Measure", st["head"]), para("Figure", st["head_right"])]]
    rows += [[para(label, st["cell"]), para(value, st["cell_right_bold"])] for label, value in _summary_rows(report)]
    table = Table(rows, colWidths=widths(min(width, 130 * mm), [None, 55 * mm]), hAlign="LEFT")
    table.setStyle(table_style(fonts))
    story += [table, para(FIGURES_CAVEAT, st["small"])]

    if report.themes:
        story.append(para("Notes per theme", st["h2"]))
        if len(report.themes) > 1:
            story.append(theme_chart(report.themes, fonts, width))
            if len(report.themes) > CHART_MAX_THEMES:
                story.append(para(f"And {len(report.themes) - CHART_MAX_THEMES} more themes: "
                                  + ", ".join(f"{t} ({c})" for t, c in report.themes[CHART_MAX_THEMES:]) + ".",
                                  st["small"]))
        else:
            name, count = report.themes[0]
            story.append(para(f"{name}: {count} note{'s' if count != 1 else ''}.", st["body"]))

    for section in report.sections:
        story.append(para(f"Theme: {section.theme} ({section.count} note{'s' if section.count != 1 else ''})",
                          st["h2"]))
        story += [_pdf_quote(q, st) for q in section.quotes]

    story.append(para("What did not go to plan, and what was learned", st["h2"]))
    if report.not_to_plan:
        head = [para(h, st["head"]) for h in ("Who", "What did not go to plan", "What was learned")]
        rows = [head] + [[para(_attribution(i.organisation, i.reference, i.stage), st["cell"]),
                          para(i.text, st["cell"]), para(i.learned or "No lesson was written down.", st["cell"])]
                         for i in report.not_to_plan]
        table = Table(rows, colWidths=widths(width, [38 * mm, None, (width - 38 * mm) / 2]), repeatRows=1)
        table.setStyle(table_style(fonts))
        story.append(table)
    else:
        story.append(para("No note said that something did not go to plan.", st["body"]))

    story.append(para("What the council could do better", st["h2"]))
    if report.council_could_do_better:
        story += [_pdf_quote(q, st, labelled=False) for q in report.council_could_do_better]
    else:
        story.append(para("No note said what the council could do better.", st["body"]))
    return story


def learning_report_pdf(report: LearningReport, target: Path | str | BinaryIO, *,
                        printed_on: date | None = None) -> None:
    """Write the report as an A4 PDF to ``target`` (a path or a binary file object)."""
    fonts = pdf_fonts()
    day = printed_on or date.today()
    footer = " · ".join(x for x in (report.council, f"Learning report: {report.title}",
                                    f"printed {short_date(day)}") if x)
    doc = document(target, title=f"Learning report: {report.title}", author=report.council or report.title,
                   subject="What happened, what changed and what was learned, in the grantees' words")
    doc.build(_story(report, fonts, day, doc.width), canvasmaker=numbered_canvas(footer, fonts))

