"""Voting events (ballot paper, one-time codes, secret ballots, double-keyed paper ballots) and
panel scoring (criteria, scores, final decisions).

Revision ID: 0004_voting
Revises: 0003_workspace
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_voting"
down_revision = "0003_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voting_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('ballot_kind', sa.String(length=12), nullable=False),
    sa.Column('ballot_settings', sa.JSON(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('when_next_does_not_fit', sa.String(length=4), nullable=False),
    sa.Column('tie_break', sa.JSON(), nullable=False),
    sa.Column('tie_break_seed', sa.String(length=64), nullable=False),
    sa.Column('budget_pence', sa.BigInteger(), nullable=False),
    sa.Column('voters_area', sa.String(length=200), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('register_at_door', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('hide_results', sa.Boolean(), nullable=False),
    sa.Column('revealed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=200), nullable=True),
    sa.Column('kiosk_pin_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint("ballot_kind IN ('score', 'approval', 'choose-one', 'ranked', 'cumulative', 'knapsack')", name=op.f('ck_voting_events_ballot_kind')),
    sa.CheckConstraint("rule IN ('greedy', 'greedy-cost', 'mes', 'mes-add1', 'mes-completed', 'phragmen')", name=op.f('ck_voting_events_rule')),
    sa.CheckConstraint("when_next_does_not_fit IN ('skip', 'stop')", name=op.f('ck_voting_events_does_not_fit')),
    sa.CheckConstraint('budget_pence > 0', name=op.f('ck_voting_events_budget_positive')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_voting_events_fund_id_funds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_voting_events_round_id_rounds'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_events'))
    )
    op.create_index(op.f('ix_voting_events_fund_id'), 'voting_events', ['fund_id'], unique=False)
    op.create_index(op.f('ix_voting_events_round_id'), 'voting_events', ['round_id'], unique=False)
    op.create_table('ballot_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['voting_events.id'], name=op.f('fk_ballot_codes_event_id_voting_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_codes')),
    sa.UniqueConstraint('event_id', 'code', name='uq_ballot_codes_event_id_code')
    )
    op.create_index(op.f('ix_ballot_codes_event_id'), 'ballot_codes', ['event_id'], unique=False)
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=5), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=True),
    sa.Column('spoilt_reason', sa.Text(), nullable=True),
    sa.Column('paper_sheet', sa.String(length=20), nullable=True),
    sa.CheckConstraint("source IN ('kiosk', 'paper')", name=op.f('ck_ballots_source')),
    sa.ForeignKeyConstraint(['event_id'], ['voting_events.id'], name=op.f('fk_ballots_event_id_voting_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('event_id', 'receipt', name='uq_ballots_event_id_receipt')
    )
    op.create_index(op.f('ix_ballots_event_id'), 'ballots', ['event_id'], unique=False)
    op.create_table('event_projects',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_event_projects_application_id_applications'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['event_id'], ['voting_events.id'], name=op.f('fk_event_projects_event_id_voting_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'application_id', name=op.f('pk_event_projects'))
    )
    op.create_table('panel_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('low', sa.Integer(), nullable=False),
    sa.Column('high', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('high > low', name=op.f('ck_panel_criteria_range')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_panel_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_criteria_panel_id_panels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_criteria')),
    sa.UniqueConstraint('panel_id', 'name', name='uq_panel_criteria_panel_id_name')
    )
    op.create_index(op.f('ix_panel_criteria_panel_id'), 'panel_criteria', ['panel_id'], unique=False)
    op.create_table('panel_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('differs_from_scores', sa.Boolean(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("outcome IN ('fund', 'decline', 'defer')", name=op.f('ck_panel_decisions_outcome')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_panel_decisions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_decisions_panel_id_panels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_decisions')),
    sa.UniqueConstraint('panel_id', 'application_id', name='uq_panel_decisions_panel_id_application_id')
    )
    op.create_index(op.f('ix_panel_decisions_panel_id'), 'panel_decisions', ['panel_id'], unique=False)
    op.create_table('paper_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.String(length=20), nullable=False),
    sa.Column('pass_no', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=True),
    sa.Column('spoilt_reason', sa.Text(), nullable=True),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pass_no IN (1, 2)', name=op.f('ck_paper_entries_pass_no')),
    sa.ForeignKeyConstraint(['event_id'], ['voting_events.id'], name=op.f('fk_paper_entries_event_id_voting_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entries')),
    sa.UniqueConstraint('event_id', 'sheet', 'pass_no', name='uq_paper_entries_event_id_sheet_pass_no')
    )
    op.create_index(op.f('ix_paper_entries_event_id'), 'paper_entries', ['event_id'], unique=False)
    op.create_table('panel_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panellist_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_panel_scores_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['panel_criteria.id'], name=op.f('fk_panel_scores_criterion_id_panel_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panellist_id'], ['panellists.id'], name=op.f('fk_panel_scores_panellist_id_panellists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_scores')),
    sa.UniqueConstraint('panellist_id', 'application_id', 'criterion_id', name='uq_panel_scores_panellist_id_application_id_criterion_id')
    )
    op.create_index(op.f('ix_panel_scores_application_id'), 'panel_scores', ['application_id'], unique=False)
    op.create_index(op.f('ix_panel_scores_panellist_id'), 'panel_scores', ['panellist_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_panel_scores_panellist_id'), table_name='panel_scores')
    op.drop_index(op.f('ix_panel_scores_application_id'), table_name='panel_scores')
    op.drop_table('panel_scores')
    op.drop_index(op.f('ix_paper_entries_event_id'), table_name='paper_entries')
    op.drop_table('paper_entries')
    op.drop_index(op.f('ix_panel_decisions_panel_id'), table_name='panel_decisions')
    op.drop_table('panel_decisions')
    op.drop_index(op.f('ix_panel_criteria_panel_id'), table_name='panel_criteria')
    op.drop_table('panel_criteria')
    op.drop_table('event_projects')
    op.drop_index(op.f('ix_ballots_event_id'), table_name='ballots')
    op.drop_table('ballots')
    op.drop_index(op.f('ix_ballot_codes_event_id'), table_name='ballot_codes')
    op.drop_table('ballot_codes')
    op.drop_index(op.f('ix_voting_events_round_id'), table_name='voting_events')
    op.drop_index(op.f('ix_voting_events_fund_id'), table_name='voting_events')
    op.drop_table('voting_events')
