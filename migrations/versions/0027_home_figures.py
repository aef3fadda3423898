"""The home page's city-wide figures, counted by the job worker, and the indexes that let
its live figures read no table rows (issue 16): a caseworker's own intake per state; what
waits since when, with whose intake and whose worker (PostgreSQL carries the last two as
INCLUDE columns); a kelurahan's workers with their ids (replacing the index on the
kelurahan alone).

On a big live table create the indexes by hand first, without blocking writes (README:
City scale), and this migration finds them there:
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_application_taken_in_by_state
    ON application (taken_in_by_id, state);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_application_state_submitted
    ON application (state, submitted_at) INCLUDE (taken_in_by_id, worker_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_worker_kelurahan_code_id
    ON worker (kelurahan_code, id);

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'home_figures',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('chain_seq', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_home_figures')),
    )
    op.create_index('ix_application_taken_in_by_state', 'application',
                    ['taken_in_by_id', 'state'], if_not_exists=True)
    op.create_index('ix_application_state_submitted', 'application', ['state', 'submitted_at'],
                    postgresql_include=['taken_in_by_id', 'worker_id'], if_not_exists=True)
    op.create_index('ix_worker_kelurahan_code_id', 'worker', ['kelurahan_code', 'id'],
                    if_not_exists=True)
    op.drop_index('ix_worker_kelurahan_code', table_name='worker')


def downgrade():
    op.create_index('ix_worker_kelurahan_code', 'worker', ['kelurahan_code'])
    op.drop_index('ix_worker_kelurahan_code_id', table_name='worker')
    op.drop_index('ix_application_state_submitted', table_name='application')
    op.drop_index('ix_application_taken_in_by_state', table_name='application')
    op.drop_table('home_figures')
