"""Role grants that wait for a second person, and who set a one-time password.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ROLES = "'caseworker', 'head', 'auditor', 'admin'"


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_set_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('password_set_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_app_user_password_set_by_id_app_user'),
                                    'app_user', ['password_set_by_id'], ['id'])
    op.create_table(
        'role_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f('ck_role_grant_known_role')),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('confirmed', 'declined', "
                           "'withdrawn')", name=op.f('ck_role_grant_known_outcome')),
        sa.CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)",
                           name=op.f('ck_role_grant_decided_when')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_role_grant_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'],
                                name=op.f('fk_role_grant_requested_by_id_app_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'],
                                name=op.f('fk_role_grant_decided_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    )
    op.create_index(op.f('ix_role_grant_user_id'), 'role_grant', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_role_grant_user_id'), table_name='role_grant')
    op.drop_table('role_grant')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_app_user_password_set_by_id_app_user'),
                                 type_='foreignkey')
        batch_op.drop_column('password_set_at')
        batch_op.drop_column('password_set_by_id')
