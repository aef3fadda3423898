"""DTSEN imports declare their scope (full or partial); a full update that would shrink
the data aktual is held until confirmed or cancelled.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=10), nullable=True))
        batch_op.drop_constraint('known_status', type_='check')
        batch_op.create_check_constraint(
            'known_status', "status IN ('applied', 'rejected', 'held', 'cancelled')")
        batch_op.create_check_constraint('known_scope', "scope IN ('full', 'partial')")
    op.execute("UPDATE import_run SET scope = 'full' WHERE kind = 'dtsen'")


def downgrade():
    op.execute("DELETE FROM dtsen_record WHERE dataset_id IN "
               "(SELECT id FROM import_run WHERE status IN ('held', 'cancelled'))")
    op.execute("UPDATE import_run SET status = 'rejected' WHERE status IN ('held', 'cancelled')")
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_constraint('known_scope', type_='check')
        batch_op.drop_constraint('known_status', type_='check')
        batch_op.create_check_constraint('known_status', "status IN ('applied', 'rejected')")
        batch_op.drop_column('scope')
