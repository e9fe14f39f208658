"""Core: places, funds and rounds, organisations and contacts, members and their yearly pots,
applications with their status history, reference counters, and the append-only audit log.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from grantdesk.store.triggers import drop_refusal, refuse_changes

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = (
    "status IN ('draft', 'submitted', 'returned', 'eligible', 'ineligible', 'shortlisted', "
    "'awarded', 'declined', 'deferred', 'withdrawn')"
)


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("council", sa.String(length=200), nullable=False),
        sa.Column("ons_code", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint("council", "kind", "name", name="uq_areas_council_kind_name"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"])
    # The audit log is append-only: the database itself refuses to change or remove an entry.
    # (SQLite and PostgreSQL spell triggers differently: grantdesk.store.triggers writes each.)
    conn = op.get_bind()
    refuse_changes(conn, "audit_log_no_update", "audit_log", "update",
                   "the audit log is append-only: entries cannot be changed")
    refuse_changes(conn, "audit_log_no_delete", "audit_log", "delete",
                   "the audit log is append-only: entries cannot be removed")
    refuse_changes(conn, "audit_log_no_truncate", "audit_log", "truncate",  # PostgreSQL only
                   "the audit log is append-only: entries cannot be removed")

    op.create_table(
        "funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("council", sa.String(length=200), nullable=False),
        sa.Column("funder_org_id", sa.String(length=60), nullable=True),
        sa.Column("funder_department", sa.String(length=200), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("prefix_360g", sa.String(length=60), nullable=True),
        sa.Column("decision_model", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("min_amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("max_amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("default_language", sa.String(length=2), nullable=False),
        sa.Column("bilingual_letters", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "decision_model IN ('member', 'panel', 'vote', 'officer')", name=op.f("ck_funds_decision_model")
        ),
        sa.CheckConstraint("default_language IN ('en', 'cy')", name=op.f("ck_funds_default_language")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
        sa.UniqueConstraint("code", name=op.f("uq_funds_code")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("org_type", sa.String(length=40), nullable=False),
        sa.Column("charity_number", sa.String(length=12), nullable=True),
        sa.Column("company_number", sa.String(length=8), nullable=True),
        sa.Column("org_id", sa.String(length=60), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("charity_number", name=op.f("uq_organisations_charity_number")),
        sa.UniqueConstraint("company_number", name=op.f("uq_organisations_company_number")),
    )
    op.create_index(op.f("ix_organisations_name"), "organisations", ["name"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("letter_language", sa.String(length=2), nullable=False),
        sa.CheckConstraint("letter_language IN ('en', 'cy')", name=op.f("ck_contacts_letter_language")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_contacts_organisation_id_organisations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_organisation_id"), "contacts", ["organisation_id"])
    op.create_table(
        "fund_areas",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_fund_areas_area_id_areas"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_fund_areas_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("fund_id", "area_id", name=op.f("pk_fund_areas")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("party", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_members_area_id_areas"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_members_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_index(op.f("ix_members_fund_id"), "members", ["fund_id"])
    op.create_table(
        "reference_counters",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_reference_counters_fund_id_funds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("fund_id", "year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("spend_by", sa.Date(), nullable=True),
        sa.Column("budget_pence", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_rounds_fund_id_funds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("fund_id", "name", name="uq_rounds_fund_id_name"),
    )
    op.create_index(op.f("ix_rounds_fund_id"), "rounds", ["fund_id"])
    op.create_table(
        "allotments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("rolled_over_pence", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_pence >= 0", name=op.f("ck_allotments_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_allotments_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allotments")),
        sa.UniqueConstraint("member_id", "financial_year", name="uq_allotments_member_id_financial_year"),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("amount_requested_pence", sa.BigInteger(), nullable=False),
        sa.Column("project_start", sa.Date(), nullable=True),
        sa.Column("project_end", sa.Date(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(STATUSES, name=op.f("ck_applications_status")),
        sa.CheckConstraint("amount_requested_pence >= 0", name=op.f("ck_applications_amount_not_negative")),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_applications_area_id_areas"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_applications_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_applications_fund_id_funds"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_applications_organisation_id_organisations"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_applications_round_id_rounds"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("reference", name=op.f("uq_applications_reference")),
    )
    op.create_index("ix_applications_fund_id_status", "applications", ["fund_id", "status"])
    op.create_index(op.f("ix_applications_organisation_id"), "applications", ["organisation_id"])
    op.create_index(op.f("ix_applications_round_id"), "applications", ["round_id"])
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(STATUSES.replace("status IN", "to_status IN", 1), name=op.f("ck_status_changes_to_status")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_status_changes_application_id_applications"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    op.create_index(op.f("ix_status_changes_application_id"), "status_changes", ["application_id"])


def downgrade() -> None:
    for table in (
        "status_changes", "applications", "allotments", "rounds", "reference_counters", "members",
        "fund_areas", "contacts", "organisations", "funds",
    ):
        op.drop_table(table)
    for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_truncate"):
        drop_refusal(op.get_bind(), trigger, "audit_log")
    op.drop_table("audit_log")
    op.drop_table("areas")
