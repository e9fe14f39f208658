"""What every stage of a vote shares: its refusals, the code alphabet, finding an event, the ballot
paper's projects and rule options, receipts, and how a ballot's marks are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import GrantDeskError, NotFound
from grantdesk.store.models import Application, CastBallotRow, PaperEntry, ReceiptRow, VotingEvent
from grantdesk.voting.ballots import CastBallot
from grantdesk.voting.election import Project
from grantdesk.i18n import _

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud and to type
CODE_LENGTH = 8
DEFAULT_TIE_BREAK = ("supporters", "cost", "lot")


class EventLocked(GrantDeskError):
    """Voting has started: the method and rules can no longer change."""


class CodeRefused(GrantDeskError):
    """A ballot code that is unknown, already used, or for another event."""


class VotingClosed(GrantDeskError):
    """The event is not taking ballots now (not yet open, closed, or its results confirmed)."""


def event_by_id(session: Session, event_id: int) -> VotingEvent:
    event = session.get(VotingEvent, event_id)
    if event is None:
        raise NotFound(_("There is no voting event with id {event_id}.").format(event_id=event_id))
    return event


def ballot_projects(apps: Sequence[Application], categories: dict[int, str]) -> list[Project]:
    """The ballot paper's projects: each application as a ``Project`` (its reference, its amount in
    pounds, its title, its category if it has one, and its title in Welsh if it has one)."""
    return [Project(a.reference, Fraction(a.amount_requested_pence, 100), a.title,
                    (categories[a.id],) if categories.get(a.id) else (), name_cy=welsh_title(a)) for a in apps]


def welsh_title(app: Application) -> str:
    """The application's title in Welsh, or ``""`` when it has none."""
    return (getattr(app, "title_cy", None) or "").strip()


def welsh_summary(app: Application) -> str:
    """The application's summary in Welsh, or ``""`` when it has none."""
    return (getattr(app, "summary_cy", None) or "").strip()


def rule_settings(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The ballot paper's settings; a knapsack ballot's budget is in pounds."""
    return {"currency": "GBP", **settings} if kind == "knapsack" else dict(settings)


def rule_options(rule: str, when_next_does_not_fit: str) -> dict[str, Any]:
    return {"when_next_does_not_fit": when_next_does_not_fit} if rule == "greedy" else {}


def ballots_in(session: Session, event_id: int) -> int:
    """Ballots cast and paper keyings made: once there is one, the set-up is locked."""
    return session.scalar(select(func.count()).select_from(CastBallotRow).where(CastBallotRow.event_id == event_id)) \
        + session.scalar(select(func.count()).select_from(PaperEntry).where(PaperEntry.event_id == event_id))


def sheet_key(sheet: str):
    """Paper sheets in the order people number them: 1, 2, … 10, then any with letters."""
    return (0, int(sheet), "") if sheet.isdigit() else (1, 0, sheet)


RECEIPT_LENGTH = 6


def receipt_digest(event: VotingEvent, receipt: str) -> str:
    """HMAC-SHA256 of a receipt (as shown: capitals, no spaces) under the event's secret key, in hex:
    how the receipts table finds one receipt (``ReceiptRow.digest``)."""
    return hmac.new(bytes.fromhex(event.ballot_secret), receipt.encode(), hashlib.sha256).hexdigest()


def normalise_receipt(text: str) -> str:
    """What a voter typed as their receipt, as shown: capitals, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_receipt(session: Session, event: VotingEvent) -> str:
    """A receipt no other of the event's receipts has (checked, not assumed), kept in the receipts
    table under a random key with nothing that says which ballot it came with (``ReceiptRow``)."""
    while True:
        receipt = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECEIPT_LENGTH))
        digest = receipt_digest(event, receipt)
        if session.scalar(select(ReceiptRow.id).where(ReceiptRow.event_id == event.id,
                                                      ReceiptRow.digest == digest)) is None:
            session.add(ReceiptRow(event_id=event.id, receipt=receipt, digest=digest))
            return receipt


def stored_marks(ballot: CastBallot) -> tuple[list[str], list[Any] | None]:
    """A ballot's choices and points as a row stores them."""
    return list(ballot.choices), (list(ballot.points) if ballot.points is not None else None)
