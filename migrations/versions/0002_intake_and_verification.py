"""Intake and verification: documents, imports and data aktual, policy versions, duplicates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:17:29.948192
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_type',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_document_type'))
    )
    op.create_table('policy_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('categories', sa.String(length=120), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('max_age', sa.Integer(), nullable=False),
    sa.Column('income_cap', sa.Integer(), nullable=True),
    sa.Column('max_desil', sa.Integer(), nullable=False),
    sa.Column('require_data_aktual', sa.Boolean(), nullable=False),
    sa.Column('one_per_kk', sa.Boolean(), nullable=False),
    sa.Column('exclude_other_payers', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_policy_version_date_range')),
    sa.CheckConstraint('income_cap IS NULL OR income_cap > 0', name=op.f('ck_policy_version_positive_cap')),
    sa.CheckConstraint('max_desil BETWEEN 1 AND 10', name=op.f('ck_policy_version_desil_1_10')),
    sa.CheckConstraint('min_age >= 0 AND max_age >= min_age', name=op.f('ck_policy_version_age_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version'))
    )
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error_report', sa.Text(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('dtsen', 'participants', 'intake')", name=op.f('ck_import_run_known_kind')),
    sa.CheckConstraint("status IN ('applied', 'rejected')", name=op.f('ck_import_run_known_status')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['app_user.id'], name=op.f('fk_import_run_imported_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.create_index('ix_import_run_kind_sha256', ['kind', 'sha256'], unique=False)

    op.create_table('dtsen_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('no_kk', sa.String(length=16), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('tanggal_lahir', sa.Date(), nullable=False),
    sa.Column('jenis_kelamin', sa.String(length=1), nullable=False),
    sa.Column('kode_kelurahan', sa.String(length=10), nullable=False),
    sa.Column('desil', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('desil BETWEEN 1 AND 10', name=op.f('ck_dtsen_record_desil_1_10')),
    sa.ForeignKeyConstraint(['dataset_id'], ['import_run.id'], name=op.f('fk_dtsen_record_dataset_id_import_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dtsen_record'))
    )
    with op.batch_alter_table('dtsen_record', schema=None) as batch_op:
        batch_op.create_index('ix_dtsen_record_dataset_kk', ['dataset_id', 'no_kk'], unique=False)
        batch_op.create_index('ix_dtsen_record_dataset_nik', ['dataset_id', 'nik'], unique=False)

    op.create_table('participant_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('sumber', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['import_run.id'], name=op.f('fk_participant_record_dataset_id_import_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_record'))
    )
    with op.batch_alter_table('participant_record', schema=None) as batch_op:
        batch_op.create_index('ix_participant_record_dataset_nik', ['dataset_id', 'nik'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('document_type_code', sa.String(length=30), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f('ck_document_allowed_type')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_document_not_empty')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_document_application_id_application')),
    sa.ForeignKeyConstraint(['document_type_code'], ['document_type.code'], name=op.f('fk_document_document_type_code_document_type')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_document_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_document_stored_name'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_application_id'), ['application_id'], unique=False)

    op.create_table('duplicate_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('other_worker_id', sa.Integer(), nullable=False),
    sa.Column('other_application_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("reason IN ('same_kk', 'similar_name')", name=op.f('ck_duplicate_flag_known_reason')),
    sa.CheckConstraint("resolution IS NULL OR resolution IN ('not_duplicate', 'duplicate')", name=op.f('ck_duplicate_flag_known_resolution')),
    sa.CheckConstraint('(resolution IS NULL) = (resolved_at IS NULL)', name=op.f('ck_duplicate_flag_resolved_has_time')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_duplicate_flag_application_id_application')),
    sa.ForeignKeyConstraint(['other_application_id'], ['application.id'], name=op.f('fk_duplicate_flag_other_application_id_application')),
    sa.ForeignKeyConstraint(['other_worker_id'], ['worker.id'], name=op.f('fk_duplicate_flag_other_worker_id_worker')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['app_user.id'], name=op.f('fk_duplicate_flag_resolved_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_flag'))
    )
    with op.batch_alter_table('duplicate_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_flag_application_id'), ['application_id'], unique=False)

    op.create_table('eligibility_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('dtsen_dataset_id', sa.Integer(), nullable=True),
    sa.Column('participants_dataset_id', sa.Integer(), nullable=True),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('evaluated_by_id', sa.Integer(), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_eligibility_evaluation_application_id_application')),
    sa.ForeignKeyConstraint(['dtsen_dataset_id'], ['import_run.id'], name=op.f('fk_eligibility_evaluation_dtsen_dataset_id_import_run')),
    sa.ForeignKeyConstraint(['evaluated_by_id'], ['app_user.id'], name=op.f('fk_eligibility_evaluation_evaluated_by_id_app_user')),
    sa.ForeignKeyConstraint(['participants_dataset_id'], ['import_run.id'], name=op.f('fk_eligibility_evaluation_participants_dataset_id_import_run')),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_version.id'], name=op.f('fk_eligibility_evaluation_policy_version_id_policy_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_evaluation'))
    )
    with op.batch_alter_table('eligibility_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_evaluation_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_birth_date'), ['birth_date'], unique=False)



def downgrade():
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_birth_date'))

    with op.batch_alter_table('eligibility_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eligibility_evaluation_application_id'))

    op.drop_table('eligibility_evaluation')
    with op.batch_alter_table('duplicate_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_flag_application_id'))

    op.drop_table('duplicate_flag')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_application_id'))

    op.drop_table('document')
    with op.batch_alter_table('participant_record', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_record_dataset_nik')

    op.drop_table('participant_record')
    with op.batch_alter_table('dtsen_record', schema=None) as batch_op:
        batch_op.drop_index('ix_dtsen_record_dataset_nik')
        batch_op.drop_index('ix_dtsen_record_dataset_kk')

    op.drop_table('dtsen_record')
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_index('ix_import_run_kind_sha256')

    op.drop_table('import_run')
    op.drop_table('policy_version')
    op.drop_table('document_type')
