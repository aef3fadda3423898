"""BPJS registration batches, KPJ and coverage, contributions and payments, exit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:56:11.761804
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('participant_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sp2d_number', sa.String(length=80), nullable=True),
    sa.Column('sp2d_date', sa.Date(), nullable=True),
    sa.Column('invoice_number', sa.String(length=80), nullable=True),
    sa.Column('reconciliation_report', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reconciled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('generated', 'paid', 'reconciled')", name=op.f('ck_payment_batch_known_status')),
    sa.CheckConstraint('months IN (1, 3, 6, 12)', name=op.f('ck_payment_batch_block_of_months')),
    sa.CheckConstraint('total >= 0 AND participant_count >= 0', name=op.f('ck_payment_batch_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_payment_batch_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batch')),
    sa.UniqueConstraint('sp2d_number', name=op.f('uq_payment_batch_sp2d_number'))
    )
    op.create_table('registration_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_number', sa.String(length=40), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('csv_content', sa.LargeBinary(), nullable=False),
    sa.Column('csv_sha256', sa.String(length=64), nullable=False),
    sa.Column('xlsx_content', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('prepared', 'sent', 'cancelled')", name=op.f('ck_registration_batch_known_status')),
    sa.CheckConstraint('row_count > 0', name=op.f('ck_registration_batch_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_registration_batch_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_batch')),
    sa.UniqueConstraint('batch_number', name=op.f('uq_registration_batch_batch_number'))
    )
    op.create_table('contribution_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('payment_batch_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('due', 'paid', 'arrears')", name=op.f('ck_contribution_month_known_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_contribution_month_positive_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_contribution_month_application_id_application')),
    sa.ForeignKeyConstraint(['payment_batch_id'], ['payment_batch.id'], name=op.f('fk_contribution_month_payment_batch_id_payment_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_month')),
    sa.UniqueConstraint('application_id', 'month', name=op.f('uq_contribution_month_application_id'))
    )
    with op.batch_alter_table('contribution_month', schema=None) as batch_op:
        batch_op.create_index('ix_contribution_month_month_status', ['month', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_month_payment_batch_id'), ['payment_batch_id'], unique=False)

    op.create_table('registration_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('no_urut', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_registration_item_application_id_application')),
    sa.ForeignKeyConstraint(['batch_id'], ['registration_batch.id'], name=op.f('fk_registration_item_batch_id_registration_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_item')),
    sa.UniqueConstraint('batch_id', 'application_id', name=op.f('uq_registration_item_batch_id'))
    )
    with op.batch_alter_table('registration_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_item_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_item_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kpj', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('coverage_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('exit_reason', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('exit_month', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_kpj'), ['kpj'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_registration_batch_id'), ['registration_batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_registration_batch_id_registration_batch'), 'registration_batch', ['registration_batch_id'], ['id'])
        # Autogenerate does not see new CHECK constraints on an existing table.
        batch_op.create_check_constraint(
            'enrolled_has_kpj',
            "state <> 'enrolled' OR (kpj IS NOT NULL AND coverage_start IS NOT NULL)")
        batch_op.create_check_constraint(
            'terminated_has_exit',
            "state <> 'terminated' OR (exit_reason IS NOT NULL AND exit_month IS NOT NULL)")



def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint('terminated_has_exit', type_='check')
        batch_op.drop_constraint('enrolled_has_kpj', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_application_registration_batch_id_registration_batch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_registration_batch_id'))
        batch_op.drop_index(batch_op.f('ix_application_kpj'))
        batch_op.drop_column('exit_month')
        batch_op.drop_column('exit_reason')
        batch_op.drop_column('coverage_start')
        batch_op.drop_column('kpj')
        batch_op.drop_column('registration_batch_id')

    with op.batch_alter_table('registration_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_item_batch_id'))
        batch_op.drop_index(batch_op.f('ix_registration_item_application_id'))

    op.drop_table('registration_item')
    with op.batch_alter_table('contribution_month', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_month_payment_batch_id'))
        batch_op.drop_index('ix_contribution_month_month_status')

    op.drop_table('contribution_month')
    op.drop_table('registration_batch')
    op.drop_table('payment_batch')
