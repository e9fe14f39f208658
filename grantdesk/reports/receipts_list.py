"""The published list of counted receipts of a community vote, as a PDF for the venue's wall or the
council's website: what it is and how to check, then every receipt, sorted, in a grid read across
the rows. No choices, no ballot numbers, no times (see ``grantdesk.services.events.receipts``).

reportlab is imported here, never on the app's start-up path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib import colors
from reportlab.platypus import Table

from grantdesk.reports.pdf_common import RULE, document, numbered_canvas
from grantdesk.reports.pdf_common import para as _p
from grantdesk.reports.pdf_common import short_date as _date
from grantdesk.reports.pdf_common import styles as _styles
from grantdesk.reports.pdf_common import table_style as _table_style
from grantdesk.reports.pdf_fonts import pdf_fonts
from grantdesk.voting.wording import number_text

if TYPE_CHECKING:
    from grantdesk.services.events.receipts import CountedReceipts

__all__ = ["COLUMNS", "receipts_pdf"]

COLUMNS = 5  # receipts per row: six characters each, large enough to read standing at a wall
RECEIPT_SIZE = 13  # points, bold: a cell holds the widest receipt (WWWWWW) on one line


def receipts_pdf(counted: CountedReceipts, target: Path | BinaryIO, *, printed_on: date | None = None) -> None:
    """Write the list of ``counted`` receipts (from ``counted_receipts``) to ``target``, a path or a
    binary file object. ``printed_on`` is today unless given."""
    fonts = pdf_fonts()
    event = counted.event
    day = printed_on or date.today()
    st = _styles(fonts)
    footer = f"{event.fund_name} · {event.name} · counted receipts, printed {_date(day)}"
    doc = document(target, title=f"Counted receipts: {event.name}", author=event.fund_name,
                   subject=f"The receipts of the ballots counted in the community vote {event.name}")
    where = f" at {event.venue}" if event.venue else ""
    n = len(counted.receipts)
    story: list = [
        _p(f"{event.fund_name} · {event.round_name}", st["kicker"]),
        _p(f"{event.name}: receipts of the ballots counted", st["title"]),
        _p(f"Everyone who voted at the kiosk{where} was shown a receipt number. If your ballot was counted, "
           "its receipt is in this list, in order: numbers before letters. Printed " + _date(day) + ".", st["body"]),
        _p("The list shows only that a ballot with that receipt was counted: not how anyone voted, nor when. "
           "Nothing GrantDesk keeps links a receipt to a ballot. If your receipt is missing, tell the council "
           "officer running the vote.", st["body"]),
        _p(f"{number_text(n)} receipt{'s' if n != 1 else ''} counted." if n else "No receipts yet.", st["state"]),
    ]
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

