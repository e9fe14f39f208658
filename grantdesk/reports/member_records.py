"""Printed records of elected-member allocations: what a council keeps and publishes so it can show,
years later, who decided what, with what money, and that no one decided where they had an interest.

- ``decision_record_pdf``: one member decision on one application, on one A4 page — the application,
  the member and their division, the decision and its written reasons, the declaration of interest in
  full (with any dispensation), the officer's outcome, the other members' decisions on the same
  application (joint funding), the flags the decision screen showed, and the member's pot.
- ``member_statement_pdf``: a member's financial year — their pot, every decision with its amount and
  the officer's outcome, the totals and the balance.
- ``members_report_pdf``: the scrutiny committee's table, landscape, one row per member (allotted,
  approved, paid, remaining, awards) with a totals row and a bar showing how much of each pot is used.

They print the plain results of ``grantdesk.services.allocations`` (``DecisionContext``,
``MemberStatement``, ``MembersReport``) and never touch the database. reportlab is imported here,
never on the app's start-up path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from grantdesk.domain.dates import financial_year_label, financial_year_of, format_date
from grantdesk.domain.errors import NotFound
from grantdesk.domain.money import format_money
from grantdesk.domain.organisations import OrgType
from grantdesk.domain.workflow import Status
from grantdesk.reports.pdf_common import (
    FUNDED_FILL,
    HEAD_FILL,
    INK,
    MUTED,
    RULE,
    WAIT_FILL,
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
    from grantdesk.domain.interests import Declaration
    from grantdesk.services.allocations import (
        DecisionContext,
        DecisionView,
        Flag,
        MemberPosition,
        MembersReport,
        MemberStatement,
        StatementLine,
    )

__all__ = ["decision_record_pdf", "member_statement_pdf", "members_report_pdf", "interest_words", "flag_words"]

Target = Path | str | BinaryIO

APPROVED_BAR = colors.HexColor("#16a34a")
WAITING_BAR = colors.HexColor("#f59e0b")
TRACK = colors.HexColor("#e5e7eb")
REPORT_MARGIN = 15 * mm  # landscape: a little more room, so twenty members and the notes fit one page


# --- the words for a declaration of interest and for a flag, as the records print them ----------------


def _kind_name(kind: str) -> str:
    from grantdesk.services.decisions import INTEREST_LABELS  # the names of the kinds of interest

    return INTEREST_LABELS.get(kind, kind.replace("_", " ").capitalize())


def interest_words(declaration: Declaration, *, short: bool = False) -> str:
    """The records' words for a declaration (``DecisionView.interest``, ``StatementLine.interest``).

    In full: "Disclosable pecuniary interest: <nature>. Dispensation <ref>, granted <date>."; ``short``,
    for a table cell: "None", "Not recorded", "Other registrable", "DPI, dispensation <ref>"."""
    d = declaration
    if not d.declared:
        return "Not recorded" if short else "No interest declared: no declaration was recorded with this decision."
    if d.none:
        return "None" if short else "No interest. The member stated, with the decision, that they had no interest."
    if short:
        text = "DPI" if d.dpi else _kind_name(d.kind).removesuffix(" interest")
        return f"{text}, dispensation {d.dispensation_reference}" if d.dispensation_reference else text
    text = _kind_name(d.kind) + (f": {d.nature}" if d.nature else "")
    if d.dispensation_reference:
        text += f" Dispensation {_dispensation(d)}."
    return text


def _dispensation(d: Declaration) -> str:
    """"<reference>, granted <date>" (the date when it was recorded)."""
    granted = f", granted {format_date(d.dispensation_granted_on, 'en_GB')}" if d.dispensation_granted_on else ""
    return f"{d.dispensation_reference}{granted}"


def flag_words(flag: Flag) -> tuple[str, str]:
    """The records' label and words for a flag the decision screen raised."""
    if flag.kind == "repeat":
        return "Repeat bid", (
            f"{flag.organisation} was awarded {format_money(flag.amount_pence)} by this fund last year "
            f"({flag.reference}, {format_date(flag.awarded_on, 'en_GB')})."
            + (f" The fund says: {flag.fund_says}." if flag.fund_says else ""))
    if flag.kind == "match_funding":
        return "Match funding", (
            f"Match funding required: the fund asks {_a(_org_type(flag.org_type))} to find "
            f"{flag.share or 'part'} of the cost. "
            + (f"The application says: “{flag.given}”." if flag.given else
               "The application does not say where it comes from."))
    if flag.kind == "late":
        return "Late", (f"Submitted on {format_date(flag.submitted_on, 'en_GB')}, after the apply-by date "
                        f"{format_date(flag.apply_by, 'en_GB')}.")
    return flag.kind.replace("_", " ").capitalize(), ""


# --- shared pieces ---------------------------------------------------------------------------------


def _all_styles(fonts: PdfFonts) -> dict[str, ParagraphStyle]:
    st = styles(fonts)
    st["h3"] = ParagraphStyle("h3", parent=st["h2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=3)
    st["label"] = ParagraphStyle("label", parent=st["cell_bold"], textColor=MUTED)
    st["lead"] = ParagraphStyle("lead", parent=st["body"], fontName=fonts.bold, fontSize=12, leading=15,
                                spaceAfter=0)
    st["big"] = ParagraphStyle("big", parent=st["cell_right_bold"], fontSize=12, leading=15)
    st["big_label"] = ParagraphStyle("big_label", parent=st["cell_right"], textColor=MUTED, fontSize=8,
                                     leading=10)
    return st


def _org_type(code: str) -> str:
    try:
        return OrgType(code).label
    except ValueError:
        return code.replace("_", " ")


def _a(label: str) -> str:
    """"a parish or town council", "an individual": a type's name inside a sentence."""
    name = label[:1].lower() + label[1:]
    return ("an " if name[:1] in "aeiou" else "a ") + name


def _printed(printed_on: date | None) -> date:
    return printed_on or date.today()


def _money_or_dash(pence: int) -> str:
    return format_money(pence) if pence else "–"


def _facts(rows: list[tuple[str, object]], st: dict, width: float, label_width: float = 40 * mm) -> Table:
    """A two-column table of labels and values, no header row."""
    data = [[para(label, st["label"]), value if not isinstance(value, str) else para(value, st["cell"])]
            for label, value in rows]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(table_style(pdf_fonts(), [("BACKGROUND", (0, 0), (-1, 0), colors.white),
                                             ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE)]))
    return table


def _pot_boxes(figures: list[tuple[str, int, str]], st: dict, width: float) -> Table:
    """Figures side by side: a small label over a large amount, with a note under it."""
    heads = [para(label, st["big_label"]) for label, _, _ in figures]
    amounts = [para(format_money(pence), st["big"]) for _, pence, _ in figures]
    notes = [para(note, st["big_label"]) for _, _, note in figures]
    table = Table([heads, amounts, notes], colWidths=[width / len(figures)] * len(figures), hAlign="LEFT")
    table.setStyle(table_style(pdf_fonts(), [
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f9fafb")),
        ("LINEBELOW", (0, 0), (-1, -1), 0, colors.white),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
        ("BACKGROUND", (-1, 0), (-1, -1), HEAD_FILL),
    ]))
    return table


def _officer_cell(decision: str, outcome: str | None, on: date | None) -> str:
    """The officer's outcome for a table cell (markup): the outcome, and its date on a second line."""
    if decision != "recommended":
        return "Not needed"
    if outcome is None:
        return "<b>Awaiting</b>"
    return escape(outcome.capitalize()) + (f"<br/>{short_date(on)}" if on else "")


def _decision_words(decision: str, amount_pence: int) -> str:
    return f"Recommended for {format_money(amount_pence)}" if decision == "recommended" else "Refused"


# --- 1. one decision ---------------------------------------------------------------------------------


def decision_record_pdf(context: DecisionContext, decision_id: int, target: Target, *,
                        printed_on: date | None = None, fund_name: str | None = None,
                        council: str | None = None) -> None:
    """Write the record of member decision ``decision_id`` on the application of ``context`` (from
    ``allocations.decision_context``) to ``target``, a path or a binary file object.

    ``fund_name`` and ``council`` override the context's own for the heading.
    The member's pot is the one in ``context.members`` — for ``context.financial_year``; when that is
    not the year the decision used, the record says so. Raises ``NotFound`` when the decision is not
    on this application."""
    view = next((d for d in context.decisions if d.id == decision_id), None)
    if view is None:
        raise NotFound(f"Decision {decision_id} is not a decision on {context.reference}.")
    fonts = pdf_fonts()
    day = _printed(printed_on)
    fund = fund_name or context.fund_name
    council = council or context.council
    heading = " · ".join(x for x in (council, fund) if x)
    footer = " · ".join(x for x in (fund, f"decision record {context.reference}, {view.member}",
                                    f"printed {short_date(day)}") if x)
    doc = document(target, title=f"Decision record: {context.reference}, {view.member}", author=council or fund,
                   subject=f"{view.member}'s decision on {context.reference}")
    doc.build(_decision_story(context, view, fonts, day, doc.width, heading), canvasmaker=numbered_canvas(footer, fonts))


def _decision_story(context: DecisionContext, view: DecisionView, fonts: PdfFonts, day: date, width: float,
                    heading: str) -> list:
    st = _all_styles(fonts)
    year = financial_year_of(view.decided_on)
    members = {m.member_id: m for m in context.members}
    position = members.get(view.member_id)
    story: list = []
    if heading:
        story.append(para(heading, st["kicker"]))
    story.append(para("Member decision record", st["title"]))
    story.append(para(f"{view.member}'s decision on {context.reference}, {financial_year_label(year)}. "
                      f"Printed {short_date(day)} from the fund's records.", st["body"]))

    # --- the application
    story.append(para("The application", st["h3"]))
    try:
        status = Status(context.status).label
    except ValueError:
        status = context.status.capitalize()
    if context.awarded_pence is not None:
        status += f" {format_money(context.awarded_pence)}"
    org = context.organisation + (f" — {_org_type(context.org_type)}" if context.org_type else "")
    story.append(_facts([
        ("Reference", context.reference),
        ("Title", Paragraph(f"<b>{escape(context.title)}</b>", st["cell"])),
        ("Organisation", org),
        ("Area", context.area or "Not given"),
        ("Amount requested", format_money(context.amount_requested_pence)),
        ("Status at printing", status),
    ], st, width))

    # --- the decision
    story.append(para("The decision", st["h3"]))
    fill = (FUNDED_FILL if view.decision == "recommended" and view.officer_outcome == "approved"
            else WAIT_FILL if view.decision == "recommended" and view.officer_outcome is None else HEAD_FILL)
    member_line = view.member + (f" ({position.party})" if position and position.party else "")
    division = position.area if position and position.area else "Not recorded"
    local = view.member_id in context.area_member_ids
    if position and context.area and not local:
        division += f" — not the application's area ({context.area})"
    decision = Table([[para(_decision_words(view.decision, view.amount_pence), st["lead"]),
                       para(f"Decided {format_date(view.decided_on, 'en_GB')}", st["cell_right_bold"])]],
                     colWidths=[width * 0.6, width * 0.4], hAlign="LEFT")
    decision.setStyle(table_style(fonts, [("BACKGROUND", (0, 0), (-1, -1), fill),
                                          ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                          ("TOPPADDING", (0, 0), (-1, -1), 5),
                                          ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    story.append(_facts([("Member", member_line), ("Division", division),
                         ("Financial year", f"{financial_year_label(year)} (the member's {financial_year_label(year)} "
                                            "pot)")], st, width))
    story.append(Spacer(1, 4))
    story.append(decision)
    story.append(_facts([("Reasons", view.reasons.strip() or "No reasons were written.")], st, width))

    # --- the declaration of interest
    story.append(para("Declaration of interest", st["h3"]))
    interest = view.interest
    if not interest.interest:  # none stated, or nothing recorded
        rows: list[tuple[str, object]] = [("Declared", interest_words(interest))]
    else:
        rows = [("Kind", Paragraph(f"<b>{escape(_kind_name(interest.kind))}</b>", st["cell"])),
                ("Nature", interest.nature or "Not stated")]
        if interest.dispensation_reference:
            rows.append(("Dispensation", _dispensation(interest)))
        elif interest.dpi:
            rows.append(("Dispensation", "None recorded"))
        else:
            rows.append(("Dispensation", "Not needed for this kind of interest"))
    story.append(_facts(rows, st, width))

    # --- the officer
    story.append(para("The officer's outcome", st["h3"]))
    if view.decision != "recommended":
        rows = [("Outcome", "None needed: a refusal commits no money and does not go to the officer.")]
    elif view.officer_outcome is None:
        rows = [("Outcome", Paragraph("<b>Awaiting the officer</b>", st["cell"]))]
    else:
        rows = [("Outcome", Paragraph(f"<b>{escape(view.officer_outcome.capitalize())}</b>", st["cell"])),
                ("By", view.officer_name or "Not recorded"),
                ("On", format_date(view.officer_on, "en_GB") or "Not recorded")]
        if view.officer_reason or view.officer_outcome == "returned":
            rows.append(("Reason", view.officer_reason or "Not recorded"))
    story.append(_facts(rows, st, width))

    # --- other decisions on the same application
    others = [d for d in context.decisions if d.id != view.id]
    story.append(para("Other decisions on this application", st["h3"]))
    if others:
        head = ["Member", "Division", "Decision", "Amount", "Officer", "Interest"]
        right = {3}
        data = [[para(h, st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
        for d in others:
            pos = members.get(d.member_id)
            data.append([para(d.member, st["cell_bold"]), para(pos.area if pos else "", st["cell"]),
                         Paragraph(f"{escape(d.decision.capitalize())}<br/>{short_date(d.decided_on)}",
                                   st["cell"]),
                         para(_money_or_dash(d.amount_pence) if d.decision == "recommended" else "–",
                              st["cell_right"]),
                         Paragraph(_officer_cell(d.decision, d.officer_outcome, d.officer_on), st["cell"]),
                         para(interest_words(d.interest, short=True), st["cell"])])
        table = Table(data, colWidths=widths(width, [None, 32 * mm, 30 * mm, 22 * mm, 30 * mm, 30 * mm]),
                      hAlign="LEFT", repeatRows=1)
        table.setStyle(table_style(fonts))
        story.append(table)
        story.append(Spacer(1, 3))
        story.append(para(
            f"Together: {format_money(context.approved_pence)} approved and {format_money(context.pending_pence)} "
            f"awaiting the officer, of {format_money(context.amount_requested_pence)} requested.", st["small"]))
    else:
        story.append(para("None: this member is the only one to have decided on this application.", st["body"]))

    # --- flags
    story.append(para("Flags", st["h3"]))
    if context.flags:
        rows = []
        for f in context.flags:
            rows.append(flag_words(f))
        story.append(_facts(rows, st, width))
    else:
        story.append(para("None: not a repeat bid, no match funding required, and submitted in time.", st["body"]))

    # --- the member's pot
    pot_year = financial_year_label(context.financial_year)
    story.append(para(f"{view.member}'s {pot_year} pot at printing", st["h3"]))
    if position is None:
        story.append(para("The member is no longer an active member of the fund, so their pot is not shown.",
                          st["body"]))
    else:
        if context.financial_year != year:
            story.append(para(f"This decision used the {financial_year_label(year)} pot; the figures below are the "
                              f"member's {pot_year} pot. Their {financial_year_label(year)} statement shows that "
                              "year.", st["small"]))
            story.append(Spacer(1, 3))
        story.append(_pot_boxes(_pot_figures(position), st, width))
    return story


def _pot_figures(p: MemberPosition, *, paid: bool = False) -> list[tuple[str, int, str]]:
    allotted_note = f"incl. {format_money(p.rolled_over_pence)} rolled over" if p.rolled_over_pence else "this year"
    figures = [("Allotted", p.allotted_pence, allotted_note),
               ("Committed", p.committed_pence, "awaiting the officer"),
               ("Approved", p.approved_pence, "by the officer")]
    if paid:
        figures.append(("Paid", p.paid_pence, "of the approved"))
    figures.append(("Remaining", p.remaining_pence, "to decide"))
    return figures


# --- 2. a member's year -------------------------------------------------------------------------------


def member_statement_pdf(statement: MemberStatement, target: Target, *, printed_on: date | None = None) -> None:
    """Write ``statement`` (from ``allocations.member_statement``) to ``target``: the member's pot, every
    decision of the year with its amount and the officer's outcome, the totals and the balance."""
    fonts = pdf_fonts()
    day = _printed(printed_on)
    label = financial_year_label(statement.year)
    heading = " · ".join(x for x in (statement.council, statement.fund_name) if x)
    footer = " · ".join(x for x in (statement.fund_name, f"{statement.member}, statement {label}",
                                    f"printed {short_date(day)}") if x)
    doc = document(target, title=f"{statement.member}: statement {label}", author=statement.council or
                   statement.fund_name, subject=f"{statement.fund_name}: {statement.member}'s decisions in {label}")
    doc.build(_statement_story(statement, fonts, day, doc.width, heading), canvasmaker=numbered_canvas(footer, fonts))


def _statement_story(statement: MemberStatement, fonts: PdfFonts, day: date, width: float, heading: str) -> list:
    st = _all_styles(fonts)
    p = statement.position
    label = financial_year_label(statement.year)
    story: list = []
    if heading:
        story.append(para(heading, st["kicker"]))
    story.append(para(f"{statement.member}", st["title"]))
    who = " · ".join(x for x in (statement.area, p.party) if x)
    story.append(para(f"Member statement {label}" + (f" · {who}" if who else ""), st["lead"]))
    story.append(Spacer(1, 4))
    story.append(para(f"Every decision the member made on {statement.fund_name} applications in the financial "
                      f"year {label}, with the officer's outcome. Printed {short_date(day)}.", st["body"]))

    story.append(para("The pot", st["h3"]))
    story.append(_pot_boxes(_pot_figures(p, paid=True), st, width))
    if p.rolled_over_pence:
        story.append(Spacer(1, 3))
        story.append(para(f"Allotted: {format_money(p.allotted_pence - p.rolled_over_pence)} for {label} and "
                          f"{format_money(p.rolled_over_pence)} rolled over from last year.", st["small"]))

    story.append(para("Decisions", st["h3"]))
    lines = statement.lines
    if not lines:
        story.append(para(f"No decisions in {label}.", st["body"]))
    else:
        head = ["Reference", "Organisation and project", "Decision", "Amount", "Officer", "Interest"]
        right = {3}
        data = [[para(h, st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
        shade = []
        for n, line in enumerate(lines, start=1):
            project = Paragraph(f"<b>{escape(line.organisation)}</b><br/>"
                                f"<font color='#4b5563'>{escape(line.title)}</font>", st["cell"])
            decided = "Recommended" if line.decision == "recommended" else "Refused"
            data.append([para(line.reference, st["cell"]), project,
                         Paragraph(f"{decided}<br/>{short_date(line.decided_on)}", st["cell"]),
                         para(format_money(line.amount_pence) if line.decision == "recommended" else "–",
                              st["cell_right"]),
                         Paragraph(_officer_cell(line.decision, line.officer_outcome, line.officer_on), st["cell"]),
                         para(interest_words(line.interest, short=True), st["cell"])])
            if line.decision == "recommended" and line.officer_outcome == "approved":
                shade.append(("BACKGROUND", (0, n), (-1, n), FUNDED_FILL))
            elif line.decision == "recommended" and line.officer_outcome is None:
                shade.append(("BACKGROUND", (0, n), (-1, n), WAIT_FILL))
        totals = _statement_totals(lines)
        first = len(data)
        for words, pence in totals:
            data.append([para(words, st["cell_right_bold"]), "", "", para(format_money(pence), st["cell_right_bold"]),
                         "", ""])
        spans = [("SPAN", (0, n), (2, n)) for n in range(first, len(data))]
        table = Table(data, colWidths=widths(width, [27 * mm, None, 26 * mm, 21 * mm, 24 * mm, 26 * mm]),
                      hAlign="LEFT", repeatRows=1)
        table.setStyle(table_style(fonts, [*shade, *spans, ("LINEABOVE", (0, first), (3, first), 1, INK),
                                           ("LINEBELOW", (0, first), (-1, -1), 0, colors.white)]))
        story.append(table)
        story.append(Spacer(1, 3))
        story.append(para("Green rows: approved by the officer. Amber rows: awaiting the officer. A returned "
                          "recommendation goes back into the pot; a refusal commits nothing.", st["small"]))

    # --- the balance
    balance = Table([[para("Balance", st["lead"]), Paragraph(
        f"{format_money(p.allotted_pence)} allotted − {format_money(p.committed_pence)} committed − "
        f"{format_money(p.approved_pence)} approved = <b>{format_money(p.remaining_pence)} remaining</b>",
        st["body"])]], colWidths=[28 * mm, width - 28 * mm], hAlign="LEFT")
    balance.setStyle(table_style(fonts, [("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f9fafb")),
                                         ("BOX", (0, 0), (-1, -1), 0.8, INK),
                                         ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                         ("TOPPADDING", (0, 0), (-1, -1), 6),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story.append(Spacer(1, 8))
    story.append(KeepTogether([balance, Spacer(1, 3), para(
        f"Paid so far: {format_money(p.paid_pence)} of the {format_money(p.approved_pence)} approved.",
        st["small"])]))

    # --- interests in full
    declared = [line for line in lines if line.interest.interest]
    story.append(para("Declarations of interest", st["h3"]))
    if declared:
        rows = []
        for line in declared:
            i = line.interest
            words = f"<b>{escape(_kind_name(i.kind))}</b>" + (f": {escape(i.nature)}" if i.nature else "")
            if i.dispensation_reference:
                words += f" Dispensation {escape(_dispensation(i))}."
            rows.append((line.reference, Paragraph(words, st["cell"])))
        story.append(_facts(rows, st, width, 32 * mm))
    else:
        missing = sum(1 for line in lines if not line.interest.declared)
        story.append(para("The member declared no interest in any application they decided on." if not missing else
                          f"No interest was declared; {missing} decision{'s' if missing != 1 else ''} "
                          "had no declaration recorded.", st["body"]))
    return story


def _statement_totals(lines: tuple[StatementLine, ...] | list[StatementLine]) -> list[tuple[str, int]]:
    recommended = [x for x in lines if x.decision == "recommended"]
    approved = sum(x.amount_pence for x in recommended if x.officer_outcome == "approved")
    waiting = sum(x.amount_pence for x in recommended if x.officer_outcome is None)
    returned = sum(x.amount_pence for x in recommended if x.officer_outcome == "returned")
    totals = [("Approved by the officer", approved), ("Awaiting the officer", waiting)]
    if returned:
        totals.append(("Returned by the officer (back in the pot)", returned))
    totals.append((f"Recommended in all ({len(recommended)} of {len(lines)} decisions)", approved + waiting + returned))
    return totals


# --- 3. the scrutiny committee's table --------------------------------------------------------------------


def members_report_pdf(report: MembersReport, target: Target, *, printed_on: date | None = None) -> None:
    """Write ``report`` (from ``allocations.members_report``) to ``target`` as a landscape A4 table, one
    row per member and a totals row, for the scrutiny committee."""
    fonts = pdf_fonts()
    day = _printed(printed_on)
    title = f"{report.fund_name} — spend per member, {report.label}"
    footer = " · ".join(x for x in (report.council, title, f"printed {short_date(day)}") if x)
    doc = document(target, pagesize=landscape(A4), title=title, author=report.council or report.fund_name,
                   subject=f"Spend per member, {report.label}", margin=REPORT_MARGIN)
    doc.build(_report_story(report, fonts, day, doc.width, title),
              canvasmaker=numbered_canvas(footer, fonts, margin=REPORT_MARGIN))


def _bar(allotted: int, approved: int, committed: int, width: float, height: float = 3.2 * mm) -> Drawing:
    """A pot as a bar: approved (green) then awaiting the officer (amber) on a grey track."""
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=TRACK, strokeColor=None))
    if allotted > 0:
        x = 0.0
        for pence, colour in ((approved, APPROVED_BAR), (committed, WAITING_BAR)):
            part = min(width - x, width * max(pence, 0) / allotted)
            if part > 0:
                drawing.add(Rect(x, 0, part, height, fillColor=colour, strokeColor=None))
                x += part
    drawing.add(Rect(0, 0, width, height, fillColor=None, strokeColor=colors.HexColor("#9ca3af"),
                     strokeWidth=0.4))
    return drawing


def _share(allotted: int, used: int) -> str:
    """Whole per cent of the pot used, rounded down (an integer sum, no float)."""
    return f"{used * 100 // allotted}%" if allotted > 0 else "–"


def _report_story(report: MembersReport, fonts: PdfFonts, day: date, width: float, title: str) -> list:
    st = _all_styles(fonts)
    st["title"] = ParagraphStyle("title_l", parent=st["title"], fontSize=18, leading=22)
    story: list = []
    if report.council:
        story.append(para(report.council, st["kicker"]))
    story.append(para(title, st["title"]))
    story.append(para(f"For the scrutiny committee: each elected member's {report.label} allocation and how it has been "
                      f"used. Printed {short_date(day)}.", st["body"]))
    story.append(Spacer(1, 4))

    head = ["Member", "Division", "Party", "Allotted", "Approved", "Paid", "Remaining", "Awards", "Pot used"]
    right = {3, 4, 5, 6, 7}
    bar_width = 30 * mm
    cols = widths(width, [None, 45 * mm, 20 * mm, 22 * mm, 22 * mm, 20 * mm, 22 * mm, 16 * mm, bar_width + 13 * mm])
    data = [[para(h, st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
    for r in report.rows:
        committed = r.committed_pence
        used = Table([[_bar(r.allotted_pence, r.approved_pence, committed, bar_width),
                       para(_share(r.allotted_pence, r.approved_pence + committed), st["cell_right"])]],
                     colWidths=[bar_width + 1 * mm, 12 * mm])
        used.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                       ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
        data.append([para(r.member, st["cell_bold"]), para(r.area, st["cell"]), para(r.party or "–", st["cell"]),
                     para(format_money(r.allotted_pence), st["cell_right"]),
                     para(format_money(r.approved_pence), st["cell_right"]),
                     para(format_money(r.paid_pence), st["cell_right"]),
                     para(format_money(r.remaining_pence), st["cell_right"]),
                     para(str(r.awards), st["cell_right"]), used])
    t = report.totals()
    committed = t.committed_pence
    data.append([para(f"{t.member} ({len(report.rows)})", st["cell_bold"]), "", "",
                 para(format_money(t.allotted_pence), st["cell_right_bold"]),
                 para(format_money(t.approved_pence), st["cell_right_bold"]),
                 para(format_money(t.paid_pence), st["cell_right_bold"]),
                 para(format_money(t.remaining_pence), st["cell_right_bold"]),
                 para(str(t.awards), st["cell_right_bold"]),
                 para(f"{_share(t.allotted_pence, t.approved_pence + committed)} of all pots", st["cell_right_bold"])])
    table = Table(data, colWidths=cols, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(fonts, [("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                                       ("TOPPADDING", (0, 1), (-1, -1), 2), ("BOTTOMPADDING", (0, 1), (-1, -1), 2),
                                       ("LINEABOVE", (0, -1), (-1, -1), 1, INK),
                                       ("BACKGROUND", (0, -1), (-1, -1), HEAD_FILL)]))
    story.append(table)

    # --- what the columns mean
    notes = [
        ("Allotted", "the member's allocation for the year, including anything rolled over from last year."),
        ("Approved", "recommendations the officer has approved: money awarded to applicants."),
        ("Paid", "what has been paid out of the approved money; a jointly funded award's payments are shared "
                 "between its members in proportion to what each approved."),
        ("Remaining", "allotted, less approved, less recommendations still awaiting the officer."),
        ("Awards", "applications the member helped fund with an approved recommendation (a joint award counts "
                   "for each member)."),
        ("Pot used", "the bar shows the pot approved (green) and awaiting the officer (amber); the figure is "
                     "the share of the pot used, rounded down."),
    ]
    key = [Paragraph(f"<b>{escape(name)}</b>: {escape(text)}", st["small"]) for name, text in notes]
    grid = Table([key[n:n + 3] for n in range(0, len(key), 3)], colWidths=[width / 3] * 3, hAlign="LEFT")
    grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                   ("RIGHTPADDING", (0, 0), (-1, -1), 12), ("TOPPADDING", (0, 0), (-1, -1), 1),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    story.append(Spacer(1, 6))
    story.append(KeepTogether([para("What the columns mean", st["cell_bold"]), Spacer(1, 2), grid]))
    story.extend(_awards_story(report, fonts, st, width))
    return story


def _awards_story(report: MembersReport, fonts: PdfFonts, st: dict, width: float) -> list:
    """The published list of awards per member: every approved recommendation, member by member."""
    from reportlab.platypus import PageBreak

    story: list = [PageBreak(), para(f"Awards by member, {report.label}", st["title"])]
    if not report.awards:
        return [*story, para("No recommendation has been approved this year.", st["body"])]
    story.append(para("Each approved recommendation, with the whole award when members funded it together.",
                      st["body"]))
    head = ["Member", "Reference", "Organisation and project", "Member's amount", "Whole award", "Approved",
            "Jointly with"]
    right = {3, 4}
    cols = widths(width, [45 * mm, 30 * mm, None, 28 * mm, 26 * mm, 24 * mm, 40 * mm])
    data = [[para(h, st["head_right"] if i in right else st["head"]) for i, h in enumerate(head)]]
    for a in report.awards:
        data.append([para(a.member, st["cell_bold"]), para(a.reference, st["cell"]),
                     para(f"{a.organisation}: {a.title}", st["cell"]),
                     para(format_money(a.amount_pence), st["cell_right"]),
                     para(format_money(a.award_pence), st["cell_right"]),
                     para(short_date(a.approved_on) if a.approved_on else "–", st["cell"]),
                     para(", ".join(a.joint_with) or "–", st["cell"])])
    table = Table(data, colWidths=cols, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(fonts, [("VALIGN", (0, 1), (-1, -1), "TOP")]))
    return [*story, table]

