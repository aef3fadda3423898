"""Import runs also record BPJS registration responses and contribution bills.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:05:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_constraint('known_kind', type_='check')
        batch_op.create_check_constraint(
            'known_kind',
            "kind IN ('dtsen', 'participants', 'intake', 'bpjs_response', 'bpjs_bill')")


def downgrade():
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_constraint('known_kind', type_='check')
        batch_op.create_check_constraint('known_kind',
                                         "kind IN ('dtsen', 'participants', 'intake')")
