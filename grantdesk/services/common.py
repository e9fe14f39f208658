"""Helpers shared by the services: the clock, finding funds, writing audit entries."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.config import current_actor
from grantdesk.store.queries import unknown_fund
from grantdesk.store.models import AuditEntry, Fund


def utcnow() -> datetime:
    """Now, in UTC, as the naive datetime the database stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def actor_or_default(actor: str | None) -> str:
    return actor.strip() if actor and actor.strip() else current_actor()


def fund_by_code(session: Session, code: str) -> Fund:
    """The fund with ``code`` (any case), or ``NotFound`` naming the funds that do exist."""
    wanted = code.strip().upper()
    fund = session.scalar(select(Fund).where(Fund.code == wanted))
    if fund is None:
        raise unknown_fund(code, list(session.scalars(select(Fund.code).order_by(Fund.code))))
    return fund


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry to the current transaction; it is kept only if the change is."""
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
