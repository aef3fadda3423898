"""Notices to workers: consent, templates and the delivery log.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notice_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("channel IN ('sms', 'whatsapp')",
                           name=op.f('ck_notice_consent_known_channel')),
        sa.CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)",
                           name=op.f('ck_notice_consent_withdrawn_by_someone')),
        sa.ForeignKeyConstraint(['worker_id'], ['worker.id'],
                                name=op.f('fk_notice_consent_worker_id_worker')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'],
                                name=op.f('fk_notice_consent_recorded_by_id_app_user')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['app_user.id'],
                                name=op.f('fk_notice_consent_withdrawn_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_consent')),
    )
    op.create_index(op.f('ix_notice_consent_worker_id'), 'notice_consent', ['worker_id'])
    op.create_table(
        'worker_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=30), nullable=False),
        sa.Column('template_code', sa.String(length=40), nullable=False),
        sa.Column('period', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('skip_reason', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('channel', sa.String(length=10), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.CheckConstraint("stage IN ('received', 'approved', 'kpj_issued', 'lapse_risk', "
                           "'ended', 'continue_self_payer')",
                           name=op.f('ck_worker_notice_known_stage')),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed', 'skipped')",
                           name=op.f('ck_worker_notice_known_status')),
        sa.CheckConstraint("skip_reason IS NULL OR skip_reason IN ('no_consent', 'withdrawn', 'ended')",
                           name=op.f('ck_worker_notice_known_skip_reason')),
        sa.CheckConstraint("(status = 'skipped') = (skip_reason IS NOT NULL)",
                           name=op.f('ck_worker_notice_skipped_has_reason')),
        sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL",
                           name=op.f('ck_worker_notice_sent_has_time')),
        sa.CheckConstraint("attempts >= 0", name=op.f('ck_worker_notice_attempts_not_negative')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_worker_notice_application_id_application')),
        sa.ForeignKeyConstraint(['worker_id'], ['worker.id'],
                                name=op.f('fk_worker_notice_worker_id_worker')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_notice')),
        sa.UniqueConstraint('application_id', 'stage', 'period',
                            name=op.f('uq_worker_notice_application_id')),
    )
    op.create_index(op.f('ix_worker_notice_application_id'), 'worker_notice', ['application_id'])
    op.create_index(op.f('ix_worker_notice_worker_id'), 'worker_notice', ['worker_id'])
    op.create_index('ix_worker_notice_due', 'worker_notice', ['status', 'next_attempt_at'])
    op.create_index('uq_worker_notice_once_per_stage', 'worker_notice',
                    ['application_id', 'stage'], unique=True,
                    postgresql_where=sa.text('period IS NULL'),
                    sqlite_where=sa.text('period IS NULL'))
    op.create_table(
        'notice_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('gateway', sa.String(length=10), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.CheckConstraint("gateway IN ('outbox', 'http')",
                           name=op.f('ck_notice_attempt_known_gateway')),
        sa.ForeignKeyConstraint(['notice_id'], ['worker_notice.id'],
                                name=op.f('fk_notice_attempt_notice_id_worker_notice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_attempt')),
    )
    op.create_index(op.f('ix_notice_attempt_notice_id'), 'notice_attempt', ['notice_id'])


def downgrade():
    op.drop_index(op.f('ix_notice_attempt_notice_id'), table_name='notice_attempt')
    op.drop_table('notice_attempt')
    op.drop_index('uq_worker_notice_once_per_stage', table_name='worker_notice')
    op.drop_index('ix_worker_notice_due', table_name='worker_notice')
    op.drop_index(op.f('ix_worker_notice_worker_id'), table_name='worker_notice')
    op.drop_index(op.f('ix_worker_notice_application_id'), table_name='worker_notice')
    op.drop_table('worker_notice')
    op.drop_index(op.f('ix_notice_consent_worker_id'), table_name='notice_consent')
    op.drop_table('notice_consent')
