"""Partner accounts limited to an area or channel, kelurahan quotas, complaints.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OLD_ROLES = "'caseworker', 'head', 'auditor', 'admin'"
NEW_ROLES = OLD_ROLES + ", 'partner'"
OFFICES = ("'dinsos', 'dinkop_umkm', 'dishub', 'ojol_gojek', 'ojol_grab', 'ojol_maxim', "
           "'ojol_lainnya'")
OLD_DIMENSIONS = "dimension IN ('kecamatan', 'category')"
NEW_DIMENSIONS = "dimension IN ('kecamatan', 'kelurahan', 'category')"


def _roles(roles: str) -> None:
    for table in ('user_role', 'role_grant'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('known_role', type_='check')
            batch_op.create_check_constraint('known_role', f"role IN ({roles})")


def _dimensions(condition: str) -> None:
    with op.batch_alter_table('budget_quota', schema=None) as batch_op:
        batch_op.drop_constraint('known_dimension', type_='check')
        batch_op.create_check_constraint('known_dimension', condition)


def upgrade():
    _roles(NEW_ROLES)
    _dimensions(NEW_DIMENSIONS)
    op.create_table(
        'partner_scope',
        sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('kelurahan_code', sa.String(length=10), nullable=True),
        sa.Column('kecamatan_code', sa.String(length=6), nullable=True),
        sa.Column('office', sa.String(length=20), nullable=True),
        sa.CheckConstraint("kind IN ('kelurahan', 'kecamatan', 'office')",
                           name=op.f('ck_partner_scope_known_kind')),
        sa.CheckConstraint(f"office IS NULL OR office IN ({OFFICES})",
                           name=op.f('ck_partner_scope_known_office')),
        sa.CheckConstraint(
            "(kind = 'kelurahan' AND kelurahan_code IS NOT NULL AND kecamatan_code IS NULL "
            "AND office IS NULL) OR "
            "(kind = 'kecamatan' AND kecamatan_code IS NOT NULL AND kelurahan_code IS NULL "
            "AND office IS NULL) OR "
            "(kind = 'office' AND office IS NOT NULL AND kelurahan_code IS NULL "
            "AND kecamatan_code IS NULL)", name=op.f('ck_partner_scope_one_scope')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_partner_scope_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'],
                                name=op.f('fk_partner_scope_kelurahan_code_kelurahan')),
        sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'],
                                name=op.f('fk_partner_scope_kecamatan_code_kecamatan')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_partner_scope')),
    )
    op.create_table(
        'application_partner',
        sa.Column('application_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('office', sa.String(length=20), nullable=False),
        sa.CheckConstraint(f"office IN ({OFFICES})",
                           name=op.f('ck_application_partner_known_office')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_application_partner_application_id_application')),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_application_partner')),
    )
    op.create_index(op.f('ix_application_partner_office'), 'application_partner', ['office'])
    op.create_table(
        'complaint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=30), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('complainant_name', sa.String(length=200), nullable=False),
        sa.Column('contact', sa.String(length=100), nullable=False),
        sa.Column('nik', sa.String(length=16), nullable=True),
        sa.Column('kelurahan_code', sa.String(length=10), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('pengaduan', 'sanggahan')",
                           name=op.f('ck_complaint_known_kind')),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')",
                           name=op.f('ck_complaint_known_status')),
        sa.CheckConstraint("nik IS NULL OR length(nik) = 16",
                           name=op.f('ck_complaint_nik_16_digits')),
        sa.CheckConstraint("length(text) > 0", name=op.f('ck_complaint_has_text')),
        sa.CheckConstraint(
            "(status = 'open' AND answered_at IS NULL AND answered_on IS NULL "
            "AND answered_by_id IS NULL AND answer IS NULL) OR "
            "(status <> 'open' AND answered_at IS NOT NULL AND answered_on IS NOT NULL "
            "AND answered_by_id IS NOT NULL AND length(answer) > 0)",
            name=op.f('ck_complaint_answered_has_answer')),
        sa.CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL",
                           name=op.f('ck_complaint_closed_has_time')),
        sa.ForeignKeyConstraint(['kelurahan_code'], ['kelurahan.code'],
                                name=op.f('fk_complaint_kelurahan_code_kelurahan')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_complaint_application_id_application')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['app_user.id'],
                                name=op.f('fk_complaint_filed_by_id_app_user')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['app_user.id'],
                                name=op.f('fk_complaint_answered_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
        sa.UniqueConstraint('number', name=op.f('uq_complaint_number')),
    )
    op.create_index(op.f('ix_complaint_nik'), 'complaint', ['nik'])
    op.create_index(op.f('ix_complaint_kelurahan_code'), 'complaint', ['kelurahan_code'])
    op.create_index(op.f('ix_complaint_application_id'), 'complaint', ['application_id'])
    op.create_index(op.f('ix_complaint_received_on'), 'complaint', ['received_on'])
    op.create_index('ix_complaint_status_due_on', 'complaint', ['status', 'due_on'])


def downgrade():
    op.drop_table('complaint')
    op.drop_index(op.f('ix_application_partner_office'), table_name='application_partner')
    op.drop_table('application_partner')
    op.drop_table('partner_scope')
    op.execute("DELETE FROM budget_quota WHERE dimension = 'kelurahan'")
    _dimensions(OLD_DIMENSIONS)
    op.execute("DELETE FROM role_grant WHERE role = 'partner'")
    op.execute("DELETE FROM user_role WHERE role = 'partner'")
    _roles(OLD_ROLES)
