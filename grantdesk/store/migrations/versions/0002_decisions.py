"""Decisions: resident panels and panellists, declarations of interest, members' written decisions
with the officer's approval, awards, payments and learning-focused outcome notes.

Revision ID: 0002_decisions
Revises: 0001_core
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_decisions"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_panels_fund_id_funds"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_panels_round_id_rounds"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    op.create_index(op.f("ix_panels_fund_id"), "panels", ["fund_id"])
    op.create_table(
        "panellists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area_description", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["panel_id"], ["panels.id"], name=op.f("fk_panellists_panel_id_panels"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panellists")),
    )
    op.create_index(op.f("ix_panellists_panel_id"), "panellists", ["panel_id"])
    op.create_table(
        "awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("spend_by", sa.Date(), nullable=True),
        sa.Column("grant_id", sa.String(length=120), nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount_pence >= 0", name=op.f("ck_awards_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_awards_application_id_applications"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
        sa.UniqueConstraint("application_id", name=op.f("uq_awards_application_id")),
        sa.UniqueConstraint("grant_id", name=op.f("uq_awards_grant_id")),
    )
    op.create_table(
        "member_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("officer_outcome", sa.String(length=10), nullable=True),
        sa.Column("officer_name", sa.String(length=200), nullable=True),
        sa.Column("officer_on", sa.Date(), nullable=True),
        sa.Column("officer_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("decision IN ('recommended', 'refused')", name=op.f("ck_member_decisions_decision")),
        sa.CheckConstraint(
            "officer_outcome IS NULL OR officer_outcome IN ('approved', 'returned')",
            name=op.f("ck_member_decisions_officer_outcome"),
        ),
        sa.CheckConstraint("amount_pence >= 0", name=op.f("ck_member_decisions_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_member_decisions_application_id_applications"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_decisions_member_id_members"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_decisions")),
    )
    op.create_index(op.f("ix_member_decisions_application_id"), "member_decisions", ["application_id"])
    op.create_index(op.f("ix_member_decisions_member_id"), "member_decisions", ["member_id"])
    op.create_table(
        "interest_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("panellist_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("nature", sa.Text(), nullable=False),
        sa.Column("dispensation_reference", sa.String(length=100), nullable=True),
        sa.Column("dispensation_granted_on", sa.Date(), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('none', 'dpi', 'other_registrable', 'non_registrable')", name=op.f("ck_interest_declarations_kind")
        ),
        sa.CheckConstraint(
            "(member_id IS NULL) != (panellist_id IS NULL)", name=op.f("ck_interest_declarations_one_declarer")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_interest_declarations_application_id_applications"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_interest_declarations_member_id_members"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["panellist_id"], ["panellists.id"],
            name=op.f("fk_interest_declarations_panellist_id_panellists"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_declarations")),
    )
    op.create_index(op.f("ix_interest_declarations_application_id"), "interest_declarations", ["application_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(["award_id"], ["awards.id"], name=op.f("fk_payments_award_id_awards"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_award_id"), "payments", ["award_id"])
    op.create_table(
        "outcome_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=60), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("what_changed", sa.Text(), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("not_to_plan", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("council_could_do_better", sa.Text(), nullable=False),
        sa.Column("people_involved", sa.Integer(), nullable=True),
        sa.Column("volunteers", sa.Integer(), nullable=True),
        sa.Column("volunteer_hours", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_outcome_notes_award_id_awards"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_notes")),
    )
    op.create_index(op.f("ix_outcome_notes_award_id"), "outcome_notes", ["award_id"])


def downgrade() -> None:
    for table in (
        "outcome_notes", "payments", "interest_declarations", "member_decisions", "awards",
        "panellists", "panels",
    ):
        op.drop_table(table)
