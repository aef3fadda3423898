"""Background jobs: what each job is, who started it, how it ended, the file it made.

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
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('output_file', sa.String(length=64), nullable=True),
        sa.Column('output_name', sa.String(length=255), nullable=True),
        sa.Column('output_mimetype', sa.String(length=100), nullable=True),
        sa.Column('output_sha256', sa.String(length=64), nullable=True),
        sa.Column('output_detail', sa.Text(), nullable=True),
        sa.Column('output_taken_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f('ck_background_job_known_status')),
        sa.CheckConstraint("(status IN ('done', 'failed')) = (finished_at IS NOT NULL)",
                           name=op.f('ck_background_job_finished_when_ended')),
        sa.CheckConstraint("output_name IS NULL OR status = 'done'",
                           name=op.f('ck_background_job_output_when_done')),
        sa.CheckConstraint("output_file IS NULL OR output_taken_at IS NULL",
                           name=op.f('ck_background_job_output_taken_once')),
        sa.ForeignKeyConstraint(['started_by_id'], ['app_user.id'],
                                name=op.f('fk_background_job_started_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job')),
    )
    op.create_index('ix_background_job_started_by', 'background_job',
                    ['started_by_id', 'id'])


def downgrade():
    op.drop_index('ix_background_job_started_by', table_name='background_job')
    op.drop_table('background_job')
