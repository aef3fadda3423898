"""The year-close: when a budget year was frozen, by whom, what it released and what
unpaid months it carried to the next year as a liability.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_at_close', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('carried_to_next', sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_budget_year_closed_by_id_app_user'),
                                    'app_user', ['closed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('budget_year', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_budget_year_closed_by_id_app_user'),
                                 type_='foreignkey')
        batch_op.drop_column('carried_to_next')
        batch_op.drop_column('released_at_close')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')
