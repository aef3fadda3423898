"""Foundation: users and roles, reference data, audit log, workers, applications.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 19:05:12.598206
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('contribution_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=3), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('income_basis', sa.BigInteger(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.CheckConstraint("program IN ('JKK', 'JKM', 'JHT')", name=op.f('ck_contribution_component_known_program')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_contribution_component_positive_amount')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_component')),
    sa.UniqueConstraint('program', 'effective_from', name=op.f('uq_contribution_component_program'))
    )
    op.create_table('kecamatan',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.CheckConstraint('length(code) = 6', name=op.f('ck_kecamatan_code_6_digits')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kecamatan'))
    )
    op.create_table('umk_rate',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_umk_rate_positive_amount')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_umk_rate'))
    )
    op.create_table('audit_event',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('actor_roles', sa.String(length=100), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('diff', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('seq > 0', name=op.f('ck_audit_event_positive_seq')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_audit_event_actor_id_app_user')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_event_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_event_prev_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('kelurahan',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kecamatan_code', sa.String(length=6), nullable=False),
    sa.CheckConstraint('length(code) = 10', name=op.f('ck_kelurahan_code_10_digits')),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], name=op.f('fk_kelurahan_kecamatan_code_kecamatan')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kelurahan'))
    )
    with op.batch_alter_table('kelurahan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kelurahan_kecamatan_code'), ['kecamatan_code'], unique=False)

    op.create_table('user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('caseworker', 'head', 'auditor', 'admin')", name=op.f('ck_user_role_known_role')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_role_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_role')),
    sa.UniqueConstraint('user_id', 'role', name=op.f('uq_user_role_user_id'))
    )
    op.create_table('worker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('kk_number', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('birth_place', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('rt', sa.String(length=3), nullable=False),
    sa.Column('rw', sa.String(length=3), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=10), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('occupation', sa.String(length=100), nullable=False),
    sa.Column('monthly_income', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('pedagang', 'pekerja_lepas', 'wiraswasta', 'rentan_lainnya')", name=op.f('ck_worker_known_category')),
    sa.CheckConstraint("sex IN ('L', 'P')", name=op.f('ck_worker_sex_l_or_p')),
    sa.CheckConstraint('length(kk_number) = 16', name=op.f('ck_worker_kk_16_digits')),
    sa.CheckConstraint('length(nik) = 16', name=op.f('ck_worker_nik_16_digits')),
    sa.CheckConstraint('monthly_income >= 0', name=op.f('ck_worker_income_not_negative')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'], name=op.f('fk_worker_kelurahan_code_kelurahan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker')),
    sa.UniqueConstraint('nik', name=op.f('uq_worker_nik'))
    )
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_kelurahan_code'), ['kelurahan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_kk_number'), ['kk_number'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('program_year', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('intake_channel', sa.String(length=20), nullable=False),
    sa.Column('taken_in_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("intake_channel IN ('walk_in', 'kelurahan', 'partner')", name=op.f('ck_application_known_channel')),
    sa.CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name=op.f('ck_application_submitted_has_time')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'returned', 'rejected', 'verified', 'waitlisted', 'approved', 'declined', 'submitted_to_bpjs', 'bpjs_rejected', 'enrolled', 'terminated')", name=op.f('ck_application_known_state')),
    sa.ForeignKeyConstraint(['taken_in_by_id'], ['app_user.id'], name=op.f('fk_application_taken_in_by_id_app_user')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_application_worker_id_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('worker_id', 'program_year', name=op.f('uq_application_worker_id'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_worker_id'), ['worker_id'], unique=False)

    op.create_table('application_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_application_transition_actor_id_app_user')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_transition_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_transition'))
    )
    with op.batch_alter_table('application_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_transition_application_id'), ['application_id'], unique=False)
    # The chain starts empty: seq 0 and the all-zero genesis hash.
    op.bulk_insert(sa.table("audit_chain_head", sa.column("id", sa.Integer),
                            sa.column("seq", sa.BigInteger), sa.column("hash", sa.String)),
                   [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade():
    with op.batch_alter_table('application_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_transition_application_id'))

    op.drop_table('application_transition')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_worker_id'))
        batch_op.drop_index(batch_op.f('ix_application_state'))

    op.drop_table('application')
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_kk_number'))
        batch_op.drop_index(batch_op.f('ix_worker_kelurahan_code'))

    op.drop_table('worker')
    op.drop_table('user_role')
    with op.batch_alter_table('kelurahan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kelurahan_kecamatan_code'))

    op.drop_table('kelurahan')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('umk_rate')
    op.drop_table('kecamatan')
    op.drop_table('contribution_component')
    op.drop_table('audit_chain_head')
    op.drop_table('app_user')
