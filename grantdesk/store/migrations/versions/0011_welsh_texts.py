"""Welsh texts: project titles and summaries in Welsh, and the Welsh wording of reasons and conditions officers type for applicants.

- ``applications.title_cy``, ``applications.summary_cy``: the project in Welsh (the kiosk shows a Welsh
  voter these; a Welsh letter names the project by them);
- ``status_changes.reason_cy``: a decline or deferral reason in Welsh;
- ``awards.purpose_cy``, ``awards.conditions_cy``: what the grant is for and its own conditions, in Welsh.

All nullable: nothing is ever filled from the English; a Welsh letter that needs one of them and finds
it empty is refused, saying which (``grantdesk.services.letters``).

Revision ID: 0011_welsh_texts
Revises: 0010_people_and_audit_chain
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_welsh_texts"
down_revision = "0010_people_and_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:  # nullable columns: a plain ADD COLUMN on SQLite and PostgreSQL alike
    op.add_column("applications", sa.Column("title_cy", sa.String(300), nullable=True))
    op.add_column("applications", sa.Column("summary_cy", sa.Text(), nullable=True))
    op.add_column("status_changes", sa.Column("reason_cy", sa.Text(), nullable=True))
    op.add_column("awards", sa.Column("purpose_cy", sa.Text(), nullable=True))
    op.add_column("awards", sa.Column("conditions_cy", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("awards") as batch:
        batch.drop_column("conditions_cy")
        batch.drop_column("purpose_cy")
    with op.batch_alter_table("status_changes") as batch:
        batch.drop_column("reason_cy")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("summary_cy")
        batch.drop_column("title_cy")
