"""A subject access response: everything GrantDesk holds about one person, as a PDF in the house style
(``pdf_common``) or as JSON — what ``grantdesk.services.people.subject_access`` returns, printed.

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reportlab.lib import colors
from reportlab.platypus import Table

from grantdesk.reports.pdf_common import document, numbered_canvas, widths
from grantdesk.reports.pdf_common import para as _p
from grantdesk.reports.pdf_common import styles as _styles
from grantdesk.reports.pdf_common import table_style as _table_style
from grantdesk.reports.pdf_fonts import pdf_fonts

if TYPE_CHECKING:
    from grantdesk.services.people import SubjectAccess

__all__ = ["save_subject_access", "subject_access_json", "subject_access_pdf"]


def subject_access_json(record: SubjectAccess, target: Path) -> None:
    """Write ``record`` as JSON (UTF-8, indented)."""
    _replace(target, lambda f: f.write(json.dumps(record.as_json(), ensure_ascii=False, indent=2).encode("utf-8")))


def save_subject_access(record: SubjectAccess, target: Path | str) -> Path:
    """Write ``record`` to ``target``: ``.json`` or ``.pdf`` by its name; anything else is refused."""
    from grantdesk.domain.errors import ValidationError

    path = Path(target)
    suffix = path.suffix.lower()
    if suffix == ".json":
        subject_access_json(record, path)
    elif suffix == ".pdf":
        _replace(path, lambda f: subject_access_pdf(record, f))
    else:
        raise ValidationError(f"{path.name}: a subject access export is written as .json or .pdf.", "out")
    return path


def _replace(target: Path, write) -> None:
    """Draw under a temporary name beside ``target`` and move it into place once whole."""
    folder = target.parent
    fd, temp = tempfile.mkstemp(prefix=".", suffix=target.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _cells(rows: list[list[str]], st, head: bool = True) -> list[list[Any]]:
    out = []
    for i, row in enumerate(rows):
        style = st["head"] if head and i == 0 else st["cell"]
        out.append([_p(str(c), style) for c in row])
    return out


def subject_access_pdf(record: SubjectAccess, target: Path | BinaryIO) -> None:
    """The record as an A4 PDF: who, their details, applications (history, decisions, award, documents),
    their own scores or decisions, letters sent, notes naming them, and audit entries."""
    fonts = pdf_fonts()
    st = _styles(fonts)
    made = record.made_at.strftime("%d/%m/%Y %H:%M")
    doc = document(target, title=f"Subject access: {record.person_id}", author="GrantDesk",
                   subject="Everything GrantDesk holds about one person")
    full = doc.width

    def table(rows: list[list[str]], parts: list[float | None]) -> Table:
        t = Table(_cells(rows, st), colWidths=widths(full, parts), hAlign="LEFT", repeatRows=1)
        t.setStyle(_table_style(fonts))
        return t

    story: list = [
        _p(f"Subject access · {record.kind_label} · {record.person_id}", st["kicker"]),
        _p(record.name, st["title"]),
        _p(f"Everything GrantDesk holds about this person, as it stood on {made} (UTC): their details, the "
           "applications about them and the decisions made, letters sent, notes that name them and the audit "
           "entries about their records.", st["body"]),
        _p("Details", st["h2"]),
        table([["Field", "Held"], *([k, v or "—"] for k, v in record.details.items())], [110, None]),
    ]
    story.append(_p(f"Applications ({len(record.applications)})", st["h2"]))
    if not record.applications:
        story.append(_p("None.", st["body"]))
    for app in record.applications:
        story.append(_p(f"{app['reference']} — {app['title']}", st["cell_bold"]))
        facts = [["Fund", app["fund"]], ["Round", app["round"]], ["Organisation", app["organisation"]],
                 ["Status", app["status"]], ["Requested", app["requested"]], ["Submitted", app["submitted_on"]],
                 ["Summary", app["summary"]]]
        facts += [[f"Answer: {k}", v] for k, v in app["answers"].items()]
        if app["erased"]:
            facts.append(["Personal details removed", app["erased"]])
        t = Table(_cells([[k, v or "—"] for k, v in facts], st, head=False), colWidths=widths(full, [110, None]),
                  hAlign="LEFT")
        t.setStyle(_table_style(fonts, [("BACKGROUND", (0, 0), (-1, 0), colors.white)]))
        story.append(t)
        if app["history"]:
            story.append(_p("History", st["kicker"]))
            story.append(table([["When", "Move", "By", "Reason"],
                                *([h["at"], f"{h['from'] or 'new'} → {h['to']}", h["by"], h["reason"]]
                                  for h in app["history"])], [88, 120, 90, None]))
        if app["decisions"]:
            story.append(_p("Decisions", st["kicker"]))
            story.append(table([["By", "On", "Outcome", "Amount", "Reason"],
                                *([d["by"], d["on"], d["outcome"], d["amount"], d["reason"]]
                                  for d in app["decisions"])], [80, 60, 70, 60, None]))
        award = app["award"]
        if award:
            paid = ", ".join(f"{p['amount']} on {p['on']}" for p in award["payments"]) or "none yet"
            story.append(_p(f"Award: {award['amount']} on {award['awarded_on']}. Purpose: {award['purpose'] or '—'}. "
                            f"Conditions: {award['conditions'] or '—'}. Payments: {paid}.", st["body"]))
        if app["documents"]:
            story.append(_p("Documents held: " + "; ".join(
                f"{d['filename']} ({d['kind']}, added {d['added']})" for d in app["documents"]), st["body"]))
    if record.activity:
        story.append(_p("Their scores, decisions and declarations", st["h2"]))
        story.append(table([["What", "Application", "On", "Detail"],
                            *([a["what"], a["reference"], a["on"], a["text"]] for a in record.activity)],
                           [120, 90, 70, None]))
    story.append(_p(f"Letters sent ({len(record.letters)})", st["h2"]))
    story.append(table([["Application", "Letter", "Languages", "Dated", "Recorded"],
                        *([x["reference"], x["kind"], x["languages"], x["dated"], x["recorded"]]
                          for x in record.letters)], [90, 70, 70, 70, None])
                 if record.letters else _p("None.", st["body"]))
    story.append(_p(f"Notes that name them ({len(record.notes)})", st["h2"]))
    story.append(table([["Where", "Application", "Text"], *([n["where"], n["reference"], n["text"]]
                                                             for n in record.notes)], [110, 80, None])
                 if record.notes else _p("None.", st["body"]))
    story.append(_p(f"Audit entries about their records ({len(record.audit)})", st["h2"]))
    story.append(table([["When", "By", "Action", "Record", "Summary"],
                        *([e["at"], e["by"], e["action"], e["record"], e["summary"]] for e in record.audit)],
                       [88, 70, 80, 60, None])
                 if record.audit else _p("None.", st["body"]))
    doc.build(story, canvasmaker=numbered_canvas(f"Subject access · {record.person_id} · made {made}", fonts))
