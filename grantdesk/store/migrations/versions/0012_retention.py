"""Personal data kept as the fund's retention says: what was erased, and when.

``erased_at`` on the records that hold people's details — applications, contacts, organisations,
elected members and panellists — says when their personal details were removed (under the fund's
retention, ``grantdesk.services.retention``, or on a person's request, ``grantdesk.services.people``);
null while they are held. A record erased is not counted again by the next retention run, and the
people search leaves it out.

Portable (``batch_alter_table``): runs on SQLite and PostgreSQL alike.

Revision ID: 0012_retention
Revises: 0011_welsh_texts
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_retention"
down_revision = "0011_welsh_texts"
branch_labels = None
depends_on = None

TABLES = ("applications", "contacts", "organisations", "members", "panellists")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("erased_at")
