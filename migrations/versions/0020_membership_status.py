"""BPJS membership status (paid-through month, AKTIF/NONAKTIF) per participant.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_KINDS = "'dtsen', 'participants', 'intake', 'bpjs_response', 'bpjs_bill'"


def upgrade():
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_constraint('known_kind', type_='check')
        batch_op.create_check_constraint('known_kind', f"kind IN ({_KINDS}, 'bpjs_status')")
    op.create_table(
        'membership_status',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('bpjs_status', sa.String(length=10), nullable=True),
        sa.Column('bpjs_paid_through', sa.Date(), nullable=True),
        sa.Column('bpjs_as_of', sa.Date(), nullable=True),
        sa.Column('import_run_id', sa.Integer(), nullable=True),
        sa.Column('lapsed', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('lapsed_on', sa.Date(), nullable=True),
        sa.Column('lapse_reason', sa.String(length=20), nullable=True),
        sa.Column('reactivated_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("bpjs_status IS NULL OR bpjs_status IN ('AKTIF', 'NONAKTIF')",
                           name=op.f('ck_membership_status_known_bpjs_status')),
        sa.CheckConstraint("bpjs_status IS NULL OR (bpjs_as_of IS NOT NULL "
                           "AND import_run_id IS NOT NULL)",
                           name=op.f('ck_membership_status_bpjs_status_has_source')),
        sa.CheckConstraint("lapse_reason IS NULL OR lapse_reason IN ('unpaid', 'bpjs_nonaktif')",
                           name=op.f('ck_membership_status_known_lapse_reason')),
        sa.CheckConstraint("(lapsed AND lapsed_on IS NOT NULL AND lapse_reason IS NOT NULL) OR "
                           "(NOT lapsed AND lapse_reason IS NULL)",
                           name=op.f('ck_membership_status_lapsed_has_reason')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_membership_status_application_id_application')),
        sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'],
                                name=op.f('fk_membership_status_import_run_id_import_run')),
        sa.ForeignKeyConstraint(['worker_id'], ['worker.id'],
                                name=op.f('fk_membership_status_worker_id_worker')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_status')),
        sa.UniqueConstraint('worker_id', name=op.f('uq_membership_status_worker_id')),
    )
    op.create_index(op.f('ix_membership_status_application_id'), 'membership_status',
                    ['application_id'])
    op.create_index(op.f('ix_membership_status_import_run_id'), 'membership_status',
                    ['import_run_id'])


def downgrade():
    op.drop_index(op.f('ix_membership_status_import_run_id'), table_name='membership_status')
    op.drop_index(op.f('ix_membership_status_application_id'), table_name='membership_status')
    op.drop_table('membership_status')
    op.execute("DELETE FROM import_run WHERE kind = 'bpjs_status'")
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_constraint('known_kind', type_='check')
        batch_op.create_check_constraint('known_kind', f"kind IN ({_KINDS})")
