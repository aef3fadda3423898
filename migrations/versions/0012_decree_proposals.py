"""A decree is first the head's proposal (usulan): a frozen list with its hash, printed
for the mayor; the number and date of the signed Keputusan Wali Kota are entered
afterwards, and only then does it commit the budget. Existing decrees were signed
when they were entered.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decree', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False,
                                      server_default='signed'))
        batch_op.add_column(sa.Column('proposal_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))
    decree = sa.table('decree', sa.column('id', sa.Integer), sa.column('fiscal_year', sa.Integer),
                      sa.column('approved_by_id', sa.Integer),
                      sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('proposal_number', sa.String),
                      sa.column('proposed_by_id', sa.Integer),
                      sa.column('signed_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    per_year: dict[int, int] = {}
    for decree_id, year, approver, created in connection.execute(sa.select(
            decree.c.id, decree.c.fiscal_year, decree.c.approved_by_id,
            decree.c.created_at).order_by(decree.c.id)).all():
        per_year[year] = per_year.get(year, 0) + 1
        connection.execute(decree.update().where(decree.c.id == decree_id).values(
            proposal_number=f"USULAN-{year}-{per_year[year]:03d}", proposed_by_id=approver,
            signed_at=created))
    with op.batch_alter_table('decree', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None, existing_type=sa.String(10))
        batch_op.alter_column('proposal_number', nullable=False, existing_type=sa.String(60))
        batch_op.alter_column('proposed_by_id', nullable=False, existing_type=sa.Integer())
        batch_op.alter_column('sk_number', nullable=True, existing_type=sa.String(120))
        batch_op.alter_column('sk_date', nullable=True, existing_type=sa.Date())
        batch_op.alter_column('approved_by_id', nullable=True, existing_type=sa.Integer())
        batch_op.create_unique_constraint(batch_op.f('uq_decree_proposal_number'),
                                          ['proposal_number'])
        batch_op.create_foreign_key(batch_op.f('fk_decree_proposed_by_id_app_user'),
                                    'app_user', ['proposed_by_id'], ['id'])
        batch_op.create_check_constraint(
            'known_status', "status IN ('proposed', 'signed', 'withdrawn')")
        batch_op.create_check_constraint(
            'signed_has_number', "status <> 'signed' OR (sk_number IS NOT NULL AND sk_date IS "
            "NOT NULL AND approved_by_id IS NOT NULL AND signed_at IS NOT NULL)")
        batch_op.create_check_constraint(
            'withdrawn_has_reason', "status <> 'withdrawn' OR length(withdraw_reason) > 0")
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_proposal_id'), ['proposal_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_proposal_id_decree'), 'decree',
                                    ['proposal_id'], ['id'])


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_proposal_id_decree'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_proposal_id'))
        batch_op.drop_column('proposal_id')
    with op.batch_alter_table('decree', schema=None) as batch_op:
        batch_op.drop_constraint('withdrawn_has_reason', type_='check')
        batch_op.drop_constraint('signed_has_number', type_='check')
        batch_op.drop_constraint('known_status', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_decree_proposed_by_id_app_user'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_decree_proposal_number'), type_='unique')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('proposal_number')
        batch_op.drop_column('status')
