"""Payments and monitoring: how each award is paid (in full, instalments, on claim, holdback), money
returned or clawed back, and the reports grantees owe.

Revision ID: 0006_payments
Revises: 0005_allocations
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_payments"
down_revision = "0005_allocations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('award_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('underspend', 'clawback')", name=op.f('ck_award_returns_kind')),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_award_returns_amount_positive')),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_returns_award_id_awards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_returns'))
    )
    op.create_index(op.f('ix_award_returns_award_id'), 'award_returns', ['award_id'], unique=False)
    op.create_table('monitoring_due',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('note', 'report')", name=op.f('ck_monitoring_due_kind')),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_monitoring_due_award_id_awards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_due'))
    )
    op.create_index(op.f('ix_monitoring_due_award_id'), 'monitoring_due', ['award_id'], unique=False)
    op.create_index(op.f('ix_monitoring_due_due_on'), 'monitoring_due', ['due_on'], unique=False)
    op.create_table('payment_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('instalments', sa.JSON(), nullable=False),
    sa.Column('holdback_pence', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("kind IN ('full', 'instalments', 'on_claim')", name=op.f('ck_payment_plans_kind')),
    sa.CheckConstraint('holdback_pence >= 0', name=op.f('ck_payment_plans_holdback_not_negative')),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_payment_plans_award_id_awards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_plans')),
    sa.UniqueConstraint('award_id', name=op.f('uq_payment_plans_award_id'))
    )


def downgrade() -> None:
    op.drop_table('payment_plans')
    op.drop_index(op.f('ix_monitoring_due_due_on'), table_name='monitoring_due')
    op.drop_index(op.f('ix_monitoring_due_award_id'), table_name='monitoring_due')
    op.drop_table('monitoring_due')
    op.drop_index(op.f('ix_award_returns_award_id'), table_name='award_returns')
    op.drop_table('award_returns')
