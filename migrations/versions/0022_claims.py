"""Claims desk: JKK accidents and JKM deaths, documents and payouts.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_number', sa.String(length=30), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=3), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('event_date', sa.Date(), nullable=False),
        sa.Column('event_time', sa.Time(), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reported_late', sa.Boolean(), nullable=False),
        sa.Column('late_reason', sa.Text(), nullable=True),
        sa.Column('heir_name', sa.String(length=200), nullable=True),
        sa.Column('heir_relation', sa.String(length=20), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.Column('payout_amount', sa.BigInteger(), nullable=True),
        sa.Column('payout_date', sa.Date(), nullable=True),
        sa.Column('bpjs_reference', sa.String(length=80), nullable=True),
        sa.CheckConstraint("kind IN ('jkk', 'jkm')", name=op.f('ck_claim_known_kind')),
        sa.CheckConstraint("state IN ('dicatat', 'diajukan', 'dibayar', 'ditolak')",
                           name=op.f('ck_claim_known_state')),
        sa.CheckConstraint("kind <> 'jkk' OR event_time IS NOT NULL",
                           name=op.f('ck_claim_jkk_has_time')),
        sa.CheckConstraint("kind <> 'jkm' OR (heir_name IS NOT NULL AND heir_relation IS NOT "
                           "NULL)", name=op.f('ck_claim_jkm_names_heir')),
        sa.CheckConstraint("heir_relation IS NULL OR heir_relation IN ('suami_istri', 'anak', "
                           "'orang_tua', 'saudara', 'lainnya')",
                           name=op.f('ck_claim_known_relation')),
        sa.CheckConstraint("NOT reported_late OR (late_reason IS NOT NULL AND "
                           "length(late_reason) > 0)", name=op.f('ck_claim_late_has_reason')),
        sa.CheckConstraint("state = 'dicatat' OR (submitted_at IS NOT NULL AND submitted_by_id "
                           "IS NOT NULL)", name=op.f('ck_claim_submitted_has_time')),
        sa.CheckConstraint("state <> 'dibayar' OR (payout_amount > 0 AND payout_date IS NOT "
                           "NULL AND bpjs_reference IS NOT NULL)",
                           name=op.f('ck_claim_paid_has_payout')),
        sa.CheckConstraint("state <> 'ditolak' OR (rejection_reason IS NOT NULL AND "
                           "length(rejection_reason) > 0)",
                           name=op.f('ck_claim_rejected_has_reason')),
        sa.CheckConstraint("state IN ('dicatat', 'diajukan') OR (decided_at IS NOT NULL AND "
                           "decided_by_id IS NOT NULL)", name=op.f('ck_claim_decided_has_time')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_claim_application_id_application')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'],
                                name=op.f('fk_claim_recorded_by_id_app_user')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['app_user.id'],
                                name=op.f('fk_claim_submitted_by_id_app_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'],
                                name=op.f('fk_claim_decided_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim')),
        sa.UniqueConstraint('claim_number', name=op.f('uq_claim_claim_number')),
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_application_id'), ['application_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_claim_state'), ['state'], unique=False)
    op.create_table(
        'claim_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('akta_kematian', 'surat_ahli_waris', 'kartu_kpj', "
                           "'laporan_kecelakaan', 'lainnya')",
                           name=op.f('ck_claim_document_known_kind')),
        sa.CheckConstraint('size_bytes > 0', name=op.f('ck_claim_document_not_empty')),
        sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
                           name=op.f('ck_claim_document_allowed_type')),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name=op.f('fk_claim_document_claim_id_claim')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'],
                                name=op.f('fk_claim_document_uploaded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_document')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_claim_document_stored_name')),
    )
    with op.batch_alter_table('claim_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_document_claim_id'), ['claim_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('claim_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_document_claim_id'))
    op.drop_table('claim_document')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_state'))
        batch_op.drop_index(batch_op.f('ix_claim_application_id'))
    op.drop_table('claim')
