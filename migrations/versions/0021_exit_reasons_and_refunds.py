"""Exits with their real reasons and the refund ledger.

``membership_exit`` keeps the facts an exit rests on (date of death, the other payer,
the desil seen); ``refund_line`` the months paid after an exit that BPJS owes back.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_REASONS = ("'meninggal', 'pindah_domisili', 'pekerja_formal', 'penghasilan_di_atas_batas', "
            "'permintaan_sendiri', 'akhir_tahun_program', 'tidak_memenuhi_syarat', "
            "'desil_naik', 'pembayar_lain', 'nik_nonaktif', 'peserta_mandiri', "
            "'nonaktif_bpjs'")


def upgrade():
    op.create_table(
        'membership_exit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=30), nullable=False),
        sa.Column('exit_month', sa.Date(), nullable=False),
        sa.Column('date_of_death', sa.Date(), nullable=True),
        sa.Column('other_payer', sa.String(length=10), nullable=True),
        sa.Column('desil', sa.SmallInteger(), nullable=True),
        sa.Column('dtsen_dataset_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"reason IN ({_REASONS})",
                           name=op.f('ck_membership_exit_known_reason')),
        sa.CheckConstraint("other_payer IN ('PROVINSI', 'APBN', 'CSR', 'LAINNYA')",
                           name=op.f('ck_membership_exit_known_payer')),
        sa.CheckConstraint("(reason = 'meninggal' AND date_of_death IS NOT NULL) OR "
                           "(reason <> 'meninggal' AND date_of_death IS NULL)",
                           name=op.f('ck_membership_exit_death_has_date')),
        sa.CheckConstraint("date_of_death IS NULL OR date_of_death < exit_month",
                           name=op.f('ck_membership_exit_death_before_exit')),
        sa.CheckConstraint("(reason = 'pembayar_lain' AND other_payer IS NOT NULL) OR "
                           "(reason <> 'pembayar_lain' AND other_payer IS NULL)",
                           name=op.f('ck_membership_exit_other_payer_named')),
        sa.CheckConstraint("reason <> 'desil_naik' OR (desil IS NOT NULL AND "
                           "dtsen_dataset_id IS NOT NULL)",
                           name=op.f('ck_membership_exit_desil_seen')),
        sa.CheckConstraint("desil IS NULL OR desil BETWEEN 1 AND 10",
                           name=op.f('ck_membership_exit_desil_1_10')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_membership_exit_application_id_application')),
        sa.ForeignKeyConstraint(['dtsen_dataset_id'], ['import_run.id'],
                                name=op.f('fk_membership_exit_dtsen_dataset_id_import_run')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'],
                                name=op.f('fk_membership_exit_recorded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_exit')),
        sa.UniqueConstraint('application_id', name=op.f('uq_membership_exit_application_id')),
    )
    op.create_table(
        'refund_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('payment_batch_id', sa.Integer(), nullable=True),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('exit_reason', sa.String(length=30), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('refunded_amount', sa.BigInteger(), nullable=True),
        sa.Column('refunded_on', sa.Date(), nullable=True),
        sa.Column('bpjs_reference', sa.String(length=80), nullable=True),
        sa.Column('refund_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('refund_recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('owed', 'refunded')",
                           name=op.f('ck_refund_line_known_status')),
        sa.CheckConstraint("amount > 0", name=op.f('ck_refund_line_positive_amount')),
        sa.CheckConstraint("(status = 'owed' AND refunded_amount IS NULL AND refunded_on IS NULL "
                           "AND bpjs_reference IS NULL) OR (status = 'refunded' AND "
                           "refunded_amount IS NOT NULL AND refunded_on IS NOT NULL AND "
                           "bpjs_reference IS NOT NULL)",
                           name=op.f('ck_refund_line_refund_complete')),
        sa.CheckConstraint("refunded_amount IS NULL OR (refunded_amount > 0 AND "
                           "refunded_amount <= amount)",
                           name=op.f('ck_refund_line_refund_within_line')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_refund_line_application_id_application')),
        sa.ForeignKeyConstraint(['payment_batch_id'], ['payment_batch.id'],
                                name=op.f('fk_refund_line_payment_batch_id_payment_batch')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_refund_line_created_by_id_app_user')),
        sa.ForeignKeyConstraint(['refund_recorded_by_id'], ['app_user.id'],
                                name=op.f('fk_refund_line_refund_recorded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_line')),
        sa.UniqueConstraint('application_id', 'month',
                            name=op.f('uq_refund_line_application_id')),
    )
    op.create_index(op.f('ix_refund_line_application_id'), 'refund_line', ['application_id'])
    op.create_index('ix_refund_line_status_month', 'refund_line', ['status', 'month'])


def downgrade():
    op.drop_index('ix_refund_line_status_month', table_name='refund_line')
    op.drop_index(op.f('ix_refund_line_application_id'), table_name='refund_line')
    op.drop_table('refund_line')
    op.drop_table('membership_exit')
