"""Imports you can trust: each imported application keeps its row's stable key, and a row skipped as
a duplicate is remembered by its key (so importing the same file again adds nothing and asks
nothing), and an organisation can keep a number that is another's (an umbrella
charity's or company's) without that number saying who it is.

Revision ID: 0008_import_keys
Revises: 0007_learning
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_import_keys"
down_revision = "0007_learning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("import_key", sa.String(length=64), nullable=True))
    op.create_index("ix_applications_fund_id_import_key", "applications", ["fund_id", "import_key"], unique=False)
    op.add_column("organisations", sa.Column("umbrella_charity_number", sa.String(length=12), nullable=True))
    op.add_column("organisations", sa.Column("umbrella_company_number", sa.String(length=8), nullable=True))
    op.create_table(
        "import_skips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("skipped_at", sa.DateTime(), nullable=False),
        sa.Column("skipped_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["applications.id"],
                                name=op.f("fk_import_skips_duplicate_of_id_applications"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_import_skips_fund_id_funds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_skips")),
        sa.UniqueConstraint("fund_id", "import_key", name="uq_import_skips_fund_id_import_key"),
    )


def downgrade() -> None:
    op.drop_table("import_skips")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("umbrella_company_number")
        batch.drop_column("umbrella_charity_number")
    op.drop_index("ix_applications_fund_id_import_key", table_name="applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("import_key")
