"""Applications workspace: attachments kept in the database, each fund's own questions, officers'
eligibility overrides, saved import mappings and saved list filters.

Revision ID: 0003_workspace
Revises: 0002_decisions
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_workspace"
down_revision = "0002_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Organisation names are matched on a case-folded key: SQLite's own lower() and LIKE fold only
    # ASCII letters, so "Tŷ Hapus" and "TŶ HAPUS" would otherwise be two organisations.
    op.add_column("organisations", sa.Column("name_key", sa.String(length=300), nullable=False, server_default=""))
    conn = op.get_bind()
    for org_id, name in conn.execute(sa.text("SELECT id, name FROM organisations")).all():
        conn.execute(sa.text("UPDATE organisations SET name_key = :key WHERE id = :id"),
                     {"key": " ".join(name.split()).casefold(), "id": org_id})
    op.create_index(op.f("ix_organisations_name_key"), "organisations", ["name_key"])

    op.create_table(
        "fund_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('text', 'number', 'yesno', 'choice')", name=op.f("ck_fund_questions_kind")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_fund_questions_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_questions")),
        sa.UniqueConstraint("fund_id", "key", name="uq_fund_questions_fund_id_key")
    )
    op.create_index(op.f("ix_fund_questions_fund_id"), "fund_questions", ["fund_id"])

    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_import_mappings_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("fund_id", "name", name="uq_import_mappings_fund_id_name")
    )
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_saved_filters_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("fund_id", "name", name="uq_saved_filters_fund_id_name")
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], name=op.f("fk_attachments_application_id_applications"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments"))
    )
    op.create_index(op.f("ix_attachments_application_id"), "attachments", ["application_id"])

    op.create_table(
        "eligibility_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], name=op.f("fk_eligibility_overrides_application_id_applications"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_overrides")),
        sa.UniqueConstraint("application_id", "rule", name="uq_eligibility_overrides_application_id_rule")
    )


def downgrade() -> None:
    for table in ("eligibility_overrides", "attachments", "saved_filters", "import_mappings", "fund_questions"):
        op.drop_table(table)
    op.drop_index(op.f("ix_organisations_name_key"), "organisations")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("name_key")
