"""Renewal (lanjutan): an application can continue the previous year's membership of
the same worker, with the same KPJ and no new registration at BPJS.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renews_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_application_renews_id'), ['renews_id'])
        batch_op.create_foreign_key(batch_op.f('fk_application_renews_id_application'),
                                    'application', ['renews_id'], ['id'])


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_renews_id_application'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_application_renews_id'), type_='unique')
        batch_op.drop_column('renews_id')
