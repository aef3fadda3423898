"""Background jobs: what each queued job is, who started it and how it ended.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'background_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('input_file', sa.String(length=64), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f('ck_background_job_known_status')),
        sa.CheckConstraint("(status IN ('done', 'failed')) = (finished_at IS NOT NULL)",
                           name=op.f('ck_background_job_finished_when_ended')),
        sa.ForeignKeyConstraint(['started_by_id'], ['app_user.id'],
                                name=op.f('fk_background_job_started_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job')),
    )
    op.create_index('ix_background_job_started_by', 'background_job',
                    ['started_by_id', 'id'])


def downgrade():
    op.drop_index('ix_background_job_started_by', table_name='background_job')
    op.drop_table('background_job')
