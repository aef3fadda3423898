"""A trigram index for the name search (issue 16), PostgreSQL only: SQLite scans.

The pg_trgm extension needs a role allowed to create it (README: production).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 20:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_worker_full_name_trgm', 'worker',
                    [sa.text('lower(full_name) gin_trgm_ops')], postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_worker_full_name_trgm', table_name='worker')
