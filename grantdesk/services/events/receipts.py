"""Check my vote was counted: the receipts of an event's counted kiosk ballots, published as a sorted
list (``counted_receipts``), and one receipt checked (``check_receipt``).

How a receipt can be checked without saying how its voter voted. Casting a ballot adds two rows that
share nothing: the ballot (its marks only, under a random key) and the receipt (under a random key of
its own, in the receipts table: ``grantdesk.store.models.ReceiptRow``). So:

- the published list is every receipt, sorted by the receipt itself — the order of the list, like the
  order of the table, is no order of casting — with no choices, no ballot number and no time. It
  proves a receipt was counted and nothing more: the same list could go with any ballots;
- a check looks the receipt up by its keyed hash (HMAC-SHA256 under the event's secret key,
  ``ReceiptRow.digest``): one index, no list to scan, and it answers yes or no, nothing else.

Neither the list nor a check can lead to a ballot, because nothing stored links a receipt to one.
Paper ballots have no receipts: no voter was shown one (a paper voter checks the count on the results
sheet and the paper keying's audit). Ballots brought in from a PaBuLib file have none either.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.services.events.common import event_by_id, normalise_receipt, receipt_digest
from grantdesk.services.events.views import EventView, view_of
from grantdesk.store.database import Database
from grantdesk.store.models import ReceiptRow
from grantdesk.i18n import _

RECEIPTS_FORMATS = (".csv", ".pdf")


@dataclass(frozen=True)
class CountedReceipts:
    """An event (as plain data) and the receipts of its counted ballots, sorted."""

    event: EventView
    receipts: tuple[str, ...]


def counted_receipts(db: Database, event_id: int) -> CountedReceipts:
    """Every receipt of the event's counted kiosk ballots, sorted (see the module's docstring)."""
    with db.session() as s:
        event = event_by_id(s, event_id)
        receipts = s.scalars(select(ReceiptRow.receipt).where(ReceiptRow.event_id == event_id)).all()
        return CountedReceipts(view_of(s, event), tuple(sorted(receipts)))


def check_receipt(db: Database, event_id: int, text: str) -> bool:
    """Whether ``text`` (as the voter types it: any case, spaces or dashes) is a receipt of one of the
    event's counted ballots. Nothing else is said: not which ballot, nor when."""
    receipt = normalise_receipt(text)
    if not receipt:
        raise ValidationError(_("Type the receipt number shown when you voted."), "receipt")
    with db.session() as s:
        event = event_by_id(s, event_id)
        return s.scalar(select(ReceiptRow.id).where(ReceiptRow.event_id == event_id,
                                                    ReceiptRow.digest == receipt_digest(event, receipt))) is not None


def write_receipts(db: Database, event_id: int, target: str | Path, *, draw: Any = None) -> tuple[Path, int]:
    """Publish the event's counted receipts to ``target``: a ``.csv`` (one column, ``receipt``, sorted)
    or a ``.pdf`` drawn by ``draw(counted, path)`` (``grantdesk.reports.receipts_list.receipts_pdf``,
    handed in so that the services never import the reports). Written under a temporary name and moved
    into place when whole. Returns the path and how many receipts it lists."""
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in RECEIPTS_FORMATS:
        raise ValidationError(_("Write the receipts to a .csv or a .pdf file, not “{name}”.").format(name=path.name), "out")
    if suffix == ".pdf" and draw is None:
        raise ValidationError(_("A PDF of the receipts needs the report drawer."), "out")
    counted = counted_receipts(db, event_id)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        if suffix == ".csv":
            from grantdesk.io.tabular import write_csv

            write_csv(Path(temporary), ["receipt"], [[r] for r in counted.receipts], bom=False)
        else:
            draw(counted, Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path, len(counted.receipts)
