"""Budget years, quota splits, ledger, decrees (SK); approval and priority fields.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:37:35.476543
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_year',
    sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('dpa_reference', sa.String(length=120), nullable=False),
    sa.Column('appropriation', sa.BigInteger(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('premium_per_month', sa.BigInteger(), nullable=False),
    sa.Column('coverage_months', sa.Integer(), nullable=False),
    sa.Column('committed', sa.BigInteger(), nullable=False),
    sa.Column('places_used', sa.Integer(), nullable=False),
    sa.Column('realised', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_budget_year_known_status')),
    sa.CheckConstraint('appropriation >= 0 AND quota >= 0', name=op.f('ck_budget_year_not_negative')),
    sa.CheckConstraint('committed >= 0 AND committed <= appropriation', name=op.f('ck_budget_year_within_budget')),
    sa.CheckConstraint('coverage_months BETWEEN 1 AND 12', name=op.f('ck_budget_year_months_1_12')),
    sa.CheckConstraint('places_used >= 0 AND places_used <= quota', name=op.f('ck_budget_year_within_quota')),
    sa.CheckConstraint('premium_per_month > 0', name=op.f('ck_budget_year_positive_premium')),
    sa.CheckConstraint('realised >= 0', name=op.f('ck_budget_year_realised_not_negative')),
    sa.PrimaryKeyConstraint('fiscal_year', name=op.f('pk_budget_year'))
    )
    op.create_table('budget_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.CheckConstraint("dimension IN ('kecamatan', 'category')", name=op.f('ck_budget_quota_known_dimension')),
    sa.CheckConstraint('used >= 0 AND used <= quota', name=op.f('ck_budget_quota_within_quota')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['budget_year.fiscal_year'], name=op.f('fk_budget_quota_fiscal_year_budget_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_quota')),
    sa.UniqueConstraint('fiscal_year', 'dimension', 'key', name=op.f('uq_budget_quota_fiscal_year'))
    )
    op.create_table('decree',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sk_number', sa.String(length=120), nullable=False),
    sa.Column('sk_date', sa.Date(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_count', sa.Integer(), nullable=False),
    sa.Column('waitlisted_count', sa.Integer(), nullable=False),
    sa.Column('total_commitment', sa.BigInteger(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'], name=op.f('fk_decree_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['budget_year.fiscal_year'], name=op.f('fk_decree_fiscal_year_budget_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decree')),
    sa.UniqueConstraint('sk_number', name=op.f('uq_decree_sk_number'))
    )
    op.create_table('budget_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('decree_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'commit' AND amount >= 0 AND places >= 0) OR (kind = 'release' AND amount <= 0 AND places <= 0)", name=op.f('ck_budget_ledger_signed')),
    sa.CheckConstraint("kind IN ('commit', 'release')", name=op.f('ck_budget_ledger_known_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_budget_ledger_actor_id_app_user')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_budget_ledger_application_id_application')),
    sa.ForeignKeyConstraint(['decree_id'], ['decree.id'], name=op.f('fk_budget_ledger_decree_id_decree')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['budget_year.fiscal_year'], name=op.f('fk_budget_ledger_fiscal_year_budget_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ledger'))
    )
    with op.batch_alter_table('budget_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_budget_ledger_year_application', ['fiscal_year', 'application_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decree_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('commitment', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_decree_id'), ['decree_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_approved_by_id_app_user'), 'app_user', ['approved_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_application_decree_id_decree'), 'decree', ['decree_id'], ['id'])
        # Autogenerate does not see new CHECK constraints on an existing table.
        batch_op.create_check_constraint(
            'approved_has_decree',
            "state NOT IN ('approved', 'submitted_to_bpjs', 'enrolled') OR "
            "(decree_id IS NOT NULL AND approved_by_id IS NOT NULL AND commitment IS NOT NULL)")
        batch_op.create_check_constraint('waitlisted_has_decree',
                                         "state <> 'waitlisted' OR decree_id IS NOT NULL")

    with op.batch_alter_table('eligibility_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('desil', sa.Integer(), nullable=True))

    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('female_head_of_household', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('disability', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('eligibility_evaluation', schema=None) as batch_op:
        batch_op.drop_column('desil')

    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('disability')
        batch_op.drop_column('female_head_of_household')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint('waitlisted_has_decree', type_='check')
        batch_op.drop_constraint('approved_has_decree', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_application_decree_id_decree'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_application_approved_by_id_app_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_decree_id'))
        batch_op.drop_column('commitment')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('decree_id')

    with op.batch_alter_table('budget_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_ledger_year_application')

    op.drop_table('budget_ledger')
    op.drop_table('decree')
    op.drop_table('budget_quota')
    op.drop_table('budget_year')
