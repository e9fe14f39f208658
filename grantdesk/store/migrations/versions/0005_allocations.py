"""Elected-member allocations: the record of each fund's year-end (unspent money lapsed or rolled over).

Revision ID: 0005_allocations
Revises: 0004_voting
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_allocations"
down_revision = "0004_voting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('year_ends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('unspent_pence', sa.BigInteger(), nullable=False),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('applied_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint("mode IN ('lapse', 'roll_over')", name=op.f('ck_year_ends_mode')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_year_ends_fund_id_funds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_ends')),
    sa.UniqueConstraint('fund_id', 'financial_year', name='uq_year_ends_fund_id_financial_year')
    )


def downgrade() -> None:
    op.drop_table('year_ends')
