"""People who sign in, their roles, and an audit trail whose entries each carry the hash of the one before.

- ``users``: who may sign in, with a role (officer, manager, member, panellist, viewer, kiosk), an
  optional link to their member or panellist record, a scrypt hash of a password or PIN, and a
  disabled flag;
- ``member_decisions.recorded_by``: who recorded a member's decision (whoever did may not approve it);
- ``audit_log.prev_hash`` and ``audit_log.hash``: the chain (grantdesk.domain.audit_chain); the entries
  already there are chained here, in id order.

The audit log refuses UPDATE by trigger, so its triggers are set aside while the existing entries are
chained and put back as they were: on SQLite by dropping and re-running their own ``CREATE TRIGGER``
text from ``sqlite_master``, on PostgreSQL by disabling the table's own triggers for the moment.

Revision ID: 0010_people_and_audit_chain
Revises: 0009_secret_ballots
Create Date: 2026-12-08
"""

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0010_people_and_audit_chain"
down_revision = "0009_secret_ballots"
branch_labels = None
depends_on = None

# A copy of grantdesk.domain.audit_chain as it is at this revision (migrations keep their own copies).
_GENESIS = "0" * 64
_FIELDS = ("at", "actor", "action", "entity", "entity_id", "summary", "before", "after")


def _at(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json(value):
    if value is None:
        return None
    if isinstance(value, (str, bytes)):  # a raw read of a JSON column
        value = json.loads(value)
    return json.loads(json.dumps(value))


def _hash(row, prev):
    data = {name: row[name] for name in _FIELDS}
    data["at"] = _at(row["at"])
    data["before"] = _json(row["before"])
    data["after"] = _json(row["after"])
    data["prev_hash"] = prev
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chain_existing(conn) -> None:
    audit = sa.table("audit_log", *(sa.column(n) for n in ("id", *_FIELDS, "prev_hash", "hash")))
    rows = conn.execute(sa.select(audit.c.id, *(audit.c[n] for n in _FIELDS)).order_by(audit.c.id)).mappings().all()
    if not rows:
        return
    prev = _GENESIS
    updates = []
    for row in rows:
        digest = _hash(row, prev)
        updates.append({"row_id": row["id"], "p": prev, "h": digest})
        prev = digest
    stmt = sa.update(audit).where(audit.c.id == sa.bindparam("row_id")).values(prev_hash=sa.bindparam("p"),
                                                                                hash=sa.bindparam("h"))
    dialect = conn.dialect.name
    if dialect == "sqlite":
        triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'audit_log'")).all()
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        conn.execute(stmt, updates)
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
    elif dialect == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        conn.execute(stmt, updates)
        conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
    else:  # pragma: no cover - GrantDesk runs on SQLite and PostgreSQL
        conn.execute(stmt, updates)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("panellist_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("pin_hash", sa.String(length=300), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('officer', 'manager', 'member', 'panellist', 'viewer', 'kiosk')",
                           name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_users_member_id_members"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["panellist_id"], ["panellists.id"], name=op.f("fk_users_panellist_id_panellists"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("member_decisions") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    triggers = []
    if conn.dialect.name == "sqlite":  # dropping a column remakes the table, and its triggers with it
        triggers = [sql for (sql,) in conn.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"))]
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    for sql in triggers:
        conn.exec_driver_sql(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    with op.batch_alter_table("member_decisions") as batch:
        batch.drop_column("recorded_by")
    op.drop_table("users")
