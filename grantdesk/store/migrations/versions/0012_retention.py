"""Personal data kept as the fund's retention says: what was erased, and when.

Revision ID: 0012_retention
Revises: 0011_welsh_texts
Create Date: 2026-12-08
"""

revision = "0012_retention"
down_revision = "0011_welsh_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
