"""Programme-year boundaries: a policy may let the last published UMK stand in until
the year's UMK is entered, and a registration batch keeps the coverage start it asked
BPJS for (the window BPJS's tanggal_mulai must fall in).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00
"""
import csv
import io
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _requested_start(csv_content: bytes) -> date:
    """The tanggal_mulai every row of a batch file carries (one per batch)."""
    reader = csv.DictReader(io.StringIO(csv_content.decode("utf-8")))
    return date.fromisoformat(next(reader)["tanggal_mulai"])


def upgrade():
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('umk_fallback', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('registration_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage_from', sa.Date(), nullable=True))
    batches = sa.table('registration_batch', sa.column('id', sa.Integer),
                       sa.column('csv_content', sa.LargeBinary),
                       sa.column('coverage_from', sa.Date))
    connection = op.get_bind()
    for batch_id, content in connection.execute(
            sa.select(batches.c.id, batches.c.csv_content)).all():
        connection.execute(batches.update().where(batches.c.id == batch_id)
                           .values(coverage_from=_requested_start(content)))
    with op.batch_alter_table('registration_batch', schema=None) as batch_op:
        batch_op.alter_column('coverage_from', existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table('registration_batch', schema=None) as batch_op:
        batch_op.drop_column('coverage_from')
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_column('umk_fallback')
