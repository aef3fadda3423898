"""Data subject requests (UU PDP): access, correction and restriction, due in 3x24 hours,
keyed on the NIK (the worker when one is registered).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:35:05.911978
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_subject_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_note', sa.Text(), nullable=True),
    sa.CheckConstraint("(state = 'open' AND resolved_at IS NULL AND resolved_by_id IS NULL) OR (state <> 'open' AND resolved_at IS NOT NULL AND resolved_by_id IS NOT NULL)", name=op.f('ck_data_subject_request_resolved_has_time_and_by')),
    sa.CheckConstraint("channel IN ('counter', 'letter', 'email', 'phone')", name=op.f('ck_data_subject_request_known_channel')),
    sa.CheckConstraint("kind = 'access' OR (description IS NOT NULL AND length(description) > 0)", name=op.f('ck_data_subject_request_described')),
    sa.CheckConstraint("kind IN ('access', 'correction', 'restriction')", name=op.f('ck_data_subject_request_known_kind')),
    sa.CheckConstraint("state <> 'refused' OR (resolution_note IS NOT NULL AND length(resolution_note) > 0)", name=op.f('ck_data_subject_request_refusal_has_grounds')),
    sa.CheckConstraint("state IN ('open', 'fulfilled', 'refused')", name=op.f('ck_data_subject_request_known_state')),
    sa.CheckConstraint('due_at > received_at', name=op.f('ck_data_subject_request_due_after_received')),
    sa.CheckConstraint("lifted_at IS NULL OR (kind = 'restriction' AND state = 'fulfilled' AND lifted_by_id IS NOT NULL AND length(lift_note) > 0)", name=op.f('ck_data_subject_request_only_a_granted_restriction_is_lifted')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['app_user.id'], name=op.f('fk_data_subject_request_lifted_by_id_app_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_data_subject_request_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['app_user.id'], name=op.f('fk_data_subject_request_resolved_by_id_app_user')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_data_subject_request_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_subject_request'))
    )
    with op.batch_alter_table('data_subject_request', schema=None) as batch_op:
        batch_op.create_index('ix_data_subject_request_state_due_at', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_subject_request_nik'), ['nik'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_subject_request_worker_id'), ['worker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('data_subject_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_subject_request_worker_id'))
        batch_op.drop_index(batch_op.f('ix_data_subject_request_nik'))
        batch_op.drop_index('ix_data_subject_request_state_due_at')

    op.drop_table('data_subject_request')
