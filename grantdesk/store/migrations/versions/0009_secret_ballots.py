"""Secret ballots that voters can still check: a ballot row keeps no receipt and takes a random key,
and the receipts move to a table of their own with no link to the ballots.

- ``voting_events.ballot_secret``: each event's own secret key (64 hex digits), made here for the
  events already there;
- ``receipts``: every receipt shown at a kiosk (the ballots' receipts of six characters; not the
  ``I0000001`` numbers a PaBuLib import made up, which no voter holds, nor paper ballots' receipts,
  which no voter was shown), each with its HMAC-SHA256 under the event's secret, under a random key,
  inserted in a random order;
- ``ballots``: the ``receipt`` column (and its unique constraint) dropped, and every ballot given a
  new random key, so the stored order is no longer the order of casting.

``secure_delete`` is set on the connection first (SQLite), so the pages the old rows leave are
overwritten with zeros rather than left holding receipts and the old order. (The backup that
upgrading keeps beside the database still has them: it is the database as it was.)

Revision ID: 0009_secret_ballots
Revises: 0008_import_keys
Create Date: 2026-12-10
"""

import hashlib
import hmac
import random
import re
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009_secret_ballots"
down_revision = "0008_import_keys"
branch_labels = None
depends_on = None

_BITS = 63  # as grantdesk.store.models.random_key (the migration keeps its own copy, as migrations do)
_IMPORTED = re.compile(r"I\d{7}")


def _random_keys(count: int, taken: set[int]) -> list[int]:
    keys: set[int] = set()
    while len(keys) < count:
        key = secrets.randbelow((1 << _BITS) - 1) + 1
        if key not in taken:
            keys.add(key)
    out = list(keys)
    random.SystemRandom().shuffle(out)
    return out


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    with op.batch_alter_table("voting_events") as batch:
        batch.add_column(sa.Column("ballot_secret", sa.String(length=64), nullable=True))
    for (event_id,) in conn.execute(sa.text("SELECT id FROM voting_events")).all():
        conn.execute(sa.text("UPDATE voting_events SET ballot_secret = :s WHERE id = :id"),
                     {"s": secrets.token_hex(32), "id": event_id})
    with op.batch_alter_table("voting_events") as batch:
        batch.alter_column("ballot_secret", existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        "receipts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["voting_events.id"], name=op.f("fk_receipts_event_id_voting_events"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("event_id", "digest", name="uq_receipts_event_id_digest"),
    )
    op.create_index(op.f("ix_receipts_event_id"), "receipts", ["event_id"], unique=False)

    secret_of = dict(conn.execute(sa.text("SELECT id, ballot_secret FROM voting_events")).all())
    shown = [(event_id, receipt) for event_id, receipt in conn.execute(
        sa.text("SELECT event_id, receipt FROM ballots WHERE source = 'kiosk'")).all()
        if not _IMPORTED.fullmatch(receipt)]
    rows = [{"id": key, "event_id": event_id, "receipt": receipt,
             "digest": hmac.new(bytes.fromhex(secret_of[event_id]), receipt.encode(), hashlib.sha256).hexdigest()}
            for key, (event_id, receipt) in zip(_random_keys(len(shown), set()), shown, strict=True)]
    if rows:
        conn.execute(sa.text("INSERT INTO receipts (id, event_id, receipt, digest) "
                             "VALUES (:id, :event_id, :receipt, :digest)"), rows)

    with op.batch_alter_table("ballots", recreate="always") as batch:
        batch.drop_constraint("uq_ballots_event_id_receipt", type_="unique")
        batch.drop_column("receipt")
        batch.alter_column("id", existing_type=sa.Integer(),
                           type_=sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False)
    # New random keys, given in a random order; none can be an old key still in the table meanwhile.
    old = [key for (key,) in conn.execute(sa.text("SELECT id FROM ballots")).all()]
    random.SystemRandom().shuffle(old)
    new = _random_keys(len(old), set(old))
    if old:
        conn.execute(sa.text("UPDATE ballots SET id = :new WHERE id = :old"),
                     [{"new": n, "old": o} for n, o in zip(new, old, strict=True)])


def downgrade() -> None:
    """Back to 0008: the receipts cannot be put back on their ballots (nothing links them, which is
    the point), so each ballot gets a made-up receipt ``D000001``, … ."""
    conn = op.get_bind()
    with op.batch_alter_table("ballots", recreate="always") as batch:
        batch.add_column(sa.Column("receipt", sa.String(length=16), nullable=True))
    for n, (key,) in enumerate(conn.execute(sa.text("SELECT id FROM ballots")).all(), start=1):
        conn.execute(sa.text("UPDATE ballots SET receipt = :r WHERE id = :id"), {"r": f"D{n:06d}", "id": key})
    with op.batch_alter_table("ballots", recreate="always") as batch:
        batch.alter_column("receipt", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint("uq_ballots_event_id_receipt", ["event_id", "receipt"])
    op.drop_index(op.f("ix_receipts_event_id"), table_name="receipts")
    op.drop_table("receipts")
    with op.batch_alter_table("voting_events") as batch:
        batch.drop_column("ballot_secret")
