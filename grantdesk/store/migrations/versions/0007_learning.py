"""Learning: themes that outcome notes are tagged with, and photos kept with them.

Revision ID: 0007_learning
Revises: 0006_payments
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_learning"
down_revision = "0006_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outcome_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['outcome_notes.id'], name=op.f('fk_outcome_photos_note_id_outcome_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_photos'))
    )
    op.create_index(op.f('ix_outcome_photos_note_id'), 'outcome_photos', ['note_id'], unique=False)
    op.create_table('outcome_themes',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['outcome_notes.id'], name=op.f('fk_outcome_themes_note_id_outcome_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'theme', name=op.f('pk_outcome_themes'))
    )
    op.create_index(op.f('ix_outcome_themes_theme'), 'outcome_themes', ['theme'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outcome_themes_theme'), table_name='outcome_themes')
    op.drop_table('outcome_themes')
    op.drop_index(op.f('ix_outcome_photos_note_id'), table_name='outcome_photos')
    op.drop_table('outcome_photos')
