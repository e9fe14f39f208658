"""Checking the audit log's chain (``python -m grantdesk db verify``): every entry must carry the hash
of the one before it and the hash of what it holds (grantdesk.domain.audit_chain)."""

from __future__ import annotations

from sqlalchemy import select

from grantdesk.domain.audit_chain import FIELDS, ChainCheck, first_break
from grantdesk.store.database import Database
from grantdesk.store.models import AuditEntry


def verify_audit_chain(db: Database) -> ChainCheck:
    """Walk the whole audit log in id order, in one read transaction; the first entry that does not fit."""
    table = AuditEntry.__table__
    columns = [table.c.id, table.c.prev_hash, table.c.hash, *(table.c[name] for name in FIELDS)]
    with db.reading() as conn:
        result = conn.execution_options(yield_per=2000).execute(select(*columns).order_by(table.c.id))
        return first_break(row._mapping for row in result)
