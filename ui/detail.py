"""The read-only application detail pane: what an officer needs to see at a glance."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTextBrowser

from grantdesk.domain.dates import format_date
from grantdesk.domain.money import format_money
from grantdesk.domain.organisations import ORG_TYPE_LABELS, OrgType
from grantdesk.domain.questions import display_answer
from grantdesk.domain.workflow import STATUS_LABELS, Status
from grantdesk.i18n import N_
from grantdesk.i18n import _ as core_text  # the core's labels (statuses, organisation types), translated
from ui.style import STATUS_COLOURS

LANGUAGE_LABELS = {"en": N_("English"), "cy": N_("Welsh (Cymraeg)")}


def tr(text: str) -> str:
    return QCoreApplication.translate("DetailPane", text)


_CSS = """
body { font-size: 10pt; }
h2 { margin: 0 0 2px 0; font-size: 13pt; }
.ref { color: #4b5563; }
.chip { color: white; font-weight: bold; padding: 1px 6px; }
table.facts td { padding: 2px 8px 2px 0; vertical-align: top; }
td.k { color: #4b5563; white-space: nowrap; }
h3 { margin: 12px 0 4px 0; font-size: 10.5pt; }
.muted { color: #6b7280; }
p.event { margin: 0 0 4px 0; }
.reason { color: #374151; font-style: italic; }
"""


class DetailPane(QTextBrowser):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("applicationDetail")
        self.setAccessibleName(self.tr("Application details"))
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)  # links are actions (override a rule, open a document): see anchorClicked
        self.document().setDefaultStyleSheet(_CSS)
        self.show_message(self.tr("Choose an application to see its details."))

    def show_message(self, text: str) -> None:
        self.setHtml(f"<p class='muted'>{escape(text)}</p>")

    def show_detail(self, detail: Any) -> None:
        self.setHtml(render_detail(detail))


def _row(label: str, value: str) -> str:
    return f"<tr><td class='k'>{escape(label)}</td><td>{value}</td></tr>" if value else ""


def render_detail(detail: Any) -> str:
    """HTML for an ``ApplicationDetail``; every value from the database is escaped."""
    r = detail.row
    status = escape(core_text(STATUS_LABELS[Status(r.status)]))
    colour = STATUS_COLOURS.get(r.status, "#374151")
    try:
        org_type = core_text(ORG_TYPE_LABELS[OrgType(r.organisation_type)])
    except ValueError:
        org_type = r.organisation_type
    registration = " · ".join(
        x for x in (
            tr("Charity {0}").format(escape(r.charity_number)) if r.charity_number else "",
            tr("Company {0}").format(escape(r.company_number)) if r.company_number else "",
            f"<span class='muted'>{escape(detail.org_id)}</span>" if detail.org_id else "",
        ) if x
    )
    contact = ""
    if r.contact_name:
        bits = [escape(r.contact_name)]
        if r.contact_email:
            bits.append(escape(r.contact_email))
        if detail.contact_phone:
            bits.append(escape(detail.contact_phone))
        contact = "<br>".join(bits)
    dates = ""
    if r.project_start or r.project_end:
        dates = f"{escape(format_date(r.project_start))} – {escape(format_date(r.project_end))}"
    award = ""
    if detail.award_pence is not None:
        award = tr("{amount} on {date}").format(amount=f"<b>{escape(format_money(detail.award_pence))}</b>",
                                                date=escape(format_date(detail.awarded_on)))

    facts = "".join([
        _row(tr("Organisation"), f"{escape(r.organisation)}<br><span class='muted'>{escape(org_type)}</span>"),
        _row(tr("Registration"), registration),
        _row(tr("Contact"), contact),
        _row(tr("Letters in"), escape(tr(LANGUAGE_LABELS[r.contact_language])
                                      if r.contact_language in LANGUAGE_LABELS else "")),
        _row(tr("Requested"), escape(format_money(r.amount_requested_pence))),
        _row(tr("Awarded"), award),
        _row(tr("Area"), escape(r.area or "")),
        _row(tr("Round"), escape(r.round or "")),
        _row(tr("Project dates"), dates),
        _row(tr("Submitted"), escape(format_date(r.submitted_on))),
    ])
    history = "".join(
        f"<p class='event'><b>{escape(core_text(STATUS_LABELS[Status(h.to_status)]))}</b>"
        f" <span class='muted'>· {escape(format_date(h.at.date()))} · {escape(h.by)}</span>"
        + (f"<br><span class='reason'>{escape(h.reason)}</span>" if h.reason else "")
        + "</p>"
        for h in detail.history
    )
    no_summary = escape(tr("No summary."))
    summary = escape(r.summary).replace("\n", "<br>") if r.summary else f"<span class='muted'>{no_summary}</span>"
    summary_heading, history_heading = escape(tr("Summary")), escape(tr("History"))
    return (
        f"<h2>{escape(r.title)}</h2>"
        f"<p class='ref'>{escape(r.reference)} &nbsp; <span class='chip' style='background:{colour}'>"
        f"&nbsp;{status}&nbsp;</span></p>"
        f"<table class='facts'>{facts}</table>"
        f"<h3>{summary_heading}</h3><p>{summary}</p>"
        + _answers(detail)
        + _eligibility(detail)
        + _documents(detail)
        + f"<h3>{history_heading}</h3>{history}"
    )


def _eligibility(detail: Any) -> str:
    report = detail.eligibility
    if report is None:
        return ""
    from grantdesk.domain.eligibility import Outcome  # not needed before the first detail is shown

    marks = {
        Outcome.PASS: ("✓", "#15803d"),
        Outcome.FAIL: ("✗", "#b91c1c"),
        Outcome.FLAG: ("⚑", "#b45309"),
        Outcome.OVERRIDDEN: ("✓", "#b45309"),
        Outcome.NOT_APPLICABLE: ("–", "#6b7280"),
    }
    # an ineligible decision can still be overridden (then marked eligible with a reason), so its
    # failed rules keep their Override link
    open_ = Status(detail.row.status).is_open or detail.row.status == Status.INELIGIBLE
    lines = []
    for r in report.results:
        if r.outcome is Outcome.NOT_APPLICABLE:
            continue
        mark, colour = marks[r.outcome]
        text = escape(r.reason)
        if r.outcome is Outcome.OVERRIDDEN:
            overridden = escape(tr("Overridden: {0}").format(r.override_reason))
            text += f"<br><span class='reason'>{overridden}</span>"
        elif r.outcome is Outcome.FAIL and open_:
            link = escape(tr("Override…"))
            text += f" <a href='override:{r.rule}'>{link}</a>"
        lines.append(f"<p class='event'><span style='color:{colour}; font-weight:bold'>{mark}</span> {text}</p>")
    verdict = ("<p><b>" + escape(tr("Meets the fund's rules.")) + "</b></p>" if report.eligible
               else "<p style='color:#b91c1c'><b>" + escape(tr("Does not meet the fund's rules.")) + "</b></p>")
    return "<h3>" + escape(tr("Eligibility")) + "</h3>" + verdict + "".join(lines)


def _documents(detail: Any) -> str:
    if not detail.attachments:
        return ""
    kilobytes = tr("{0} KB")
    items = "".join(
        f"<p class='event'><a href='attachment:{a.id}'>{escape(a.filename)}</a> "
        f"<span class='muted'>· {escape(core_text(a.kind_label))} · {escape(kilobytes.format(max(1, a.size_bytes // 1024)))}"
        "</span></p>"
        for a in detail.attachments
    )
    return "<h3>" + escape(tr("Documents")) + f"</h3>{items}"


def _answers(detail: Any) -> str:
    rows = "".join(
        _row(q.label, escape(display_answer(q, detail.answers.get(q.key)))) for q in detail.questions
    )
    heading = escape(tr("The fund's questions"))
    return f"<h3>{heading}</h3><table class='facts'>{rows}</table>" if rows else ""
