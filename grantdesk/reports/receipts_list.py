"""The published list of counted receipts of a community vote, as a PDF for the venue's wall or the
council's website: what it is and how to check, then every receipt, sorted, in a grid read across
the rows. No choices, no ballot numbers, no times (see ``grantdesk.services.events.receipts``).
For a fund under the Welsh Language Standards every sentence is Welsh, then English.

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Table

from grantdesk.reports.pdf_common import RULE, document, numbered_canvas
from grantdesk.reports.pdf_common import para as _p
from grantdesk.reports.pdf_common import short_date as _date
from grantdesk.reports.pdf_common import styles as _styles
from grantdesk.reports.pdf_common import table_style as _table_style
from grantdesk.reports.pdf_fonts import pdf_fonts
from grantdesk.voting.voter_words import Voice
from grantdesk.voting.wording import number_text

if TYPE_CHECKING:
    from grantdesk.services.events.receipts import CountedReceipts

__all__ = ["COLUMNS", "receipts_pdf"]

COLUMNS = 5  # receipts per row: six characters each, large enough to read standing at a wall
RECEIPT_SIZE = 13  # points, bold: a cell holds the widest receipt (WWWWWW) on one line


def receipts_pdf(counted: CountedReceipts, target: Path | BinaryIO, *, printed_on: date | None = None,
                 welsh: bool | None = None) -> None:
    """Write the list of ``counted`` receipts (from ``counted_receipts``) to ``target``, a path or a
    binary file object. ``printed_on`` is today unless given. For a fund under the Welsh Language
    Standards (``welsh``; by default the event's) every sentence is Welsh, then English."""
    fonts = pdf_fonts()
    event = counted.event
    day = printed_on or date.today()
    welsh = bool(getattr(event, "welsh", False)) if welsh is None else welsh
    voices = (Voice("cy"), Voice("en")) if welsh else (Voice(),)
    st = _styles(fonts)
    when = _date(day)
    if welsh:
        footer = " · ".join([event.name, " / ".join(v._("counted receipts, printed {date}").format(date=when)
                                                    for v in voices)])
    else:
        footer = " · ".join([event.fund_name, event.name,
                             voices[0]._("counted receipts, printed {date}").format(date=when)])
    doc = document(target, title=" / ".join(v._("Counted receipts: {name}").format(name=event.name) for v in voices),
                   author=event.fund_name,
                   subject=" / ".join(v._("The receipts of the ballots counted in the community vote {name}").format(
                       name=event.name) for v in voices))
    n = len(counted.receipts)
    story: list = [
        _p(f"{event.fund_name} · {event.round_name}", st["kicker"]),
        _p(" / ".join(v._("{name}: receipts of the ballots counted").format(name=event.name) for v in voices),
           st["title"]),
    ]

    def say(texts: list[str], style: str = "body") -> None:
        for k, text in enumerate(texts):  # the Welsh first, in bold, when there are two
            story.append(Paragraph(f"<b>{escape(text)}</b>", st[style]) if welsh and k == 0 else _p(text, st[style]))

    if event.venue:
        say([v._("Everyone who voted at the kiosk at {venue} was shown a receipt number. If your ballot was counted, "
                 "its receipt is in this list, in order: numbers before letters. Printed {date}.").format(
            venue=event.venue, date=when) for v in voices])
    else:
        say([v._("Everyone who voted at the kiosk was shown a receipt number. If your ballot was counted, its "
                 "receipt is in this list, in order: numbers before letters. Printed {date}.").format(date=when)
             for v in voices])
    say([v._("The list shows only that a ballot with that receipt was counted: not how anyone voted, nor when. "
             "Nothing GrantDesk keeps links a receipt to a ballot. If your receipt is missing, tell the council "
             "officer running the vote.") for v in voices])
    say([v.ngettext("{n} receipt counted.", "{n} receipts counted.", n).format(n=number_text(n)) if n
         else v._("No receipts yet.") for v in voices], "state")
    if n:
        # Plain text cells: a receipt is never wrapped.
        rows = [list(counted.receipts[i:i + COLUMNS]) for i in range(0, n, COLUMNS)]
        rows[-1] += [""] * (COLUMNS - len(rows[-1]))
        table = Table(rows, colWidths=[doc.width / COLUMNS] * COLUMNS, hAlign="LEFT", repeatRows=0)
        table.setStyle(_table_style(fonts, [("BACKGROUND", (0, 0), (-1, 0), colors.white),
                                            ("FONTNAME", (0, 0), (-1, -1), fonts.bold),
                                            ("FONTSIZE", (0, 0), (-1, -1), RECEIPT_SIZE),
                                            ("LEADING", (0, 0), (-1, -1), RECEIPT_SIZE + 3),
                                            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                            ("TOPPADDING", (0, 0), (-1, -1), 4),
                                            ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
        story.append(table)
    doc.build(story, canvasmaker=numbered_canvas(footer, fonts))


def draw_receipts(counted: CountedReceipts, path: Path) -> None:
    """``receipts_pdf`` as ``write_receipts`` calls it."""
    receipts_pdf(counted, path)

