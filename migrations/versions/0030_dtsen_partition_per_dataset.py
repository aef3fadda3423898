"""A DTSEN record is a NIK in a dataset, and on PostgreSQL each dataset is a partition
of its own (issue 16): an import fills its dataset's table without indexes, then
attaches it, which builds the indexes in one sort each (workflows/imports/partitions.py).

The surrogate id goes: nothing refers to a DTSEN row by it, and the primary key
(dataset_id, nik) states what the import has always checked, one NIK once per dataset.
The index on (dataset_id, no_kk) goes too: no query reads DTSEN rows by KK, and it cost
every import a sort of its rows.
Every dataset already stored is moved into its own partition (one pass over the table
per dataset; run it at a quiet hour: 1,000,000 rows take about 10 s here). SQLite
keeps one table.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_VALUES = ('nik', 'no_kk', 'nama', 'tanggal_lahir', 'jenis_kelamin', 'kode_kelurahan', 'desil')
_OLD = 'dtsen_record_unpartitioned'


def _columns() -> list:
    return [sa.Column('nik', sa.String(length=16), nullable=False),
            sa.Column('no_kk', sa.String(length=16), nullable=False),
            sa.Column('nama', sa.String(length=200), nullable=False),
            sa.Column('tanggal_lahir', sa.Date(), nullable=False),
            sa.Column('jenis_kelamin', sa.String(length=1), nullable=False),
            sa.Column('kode_kelurahan', sa.String(length=10), nullable=False),
            sa.Column('desil', sa.SmallInteger(), nullable=False),
            sa.CheckConstraint('desil BETWEEN 1 AND 10', name='ck_dtsen_record_desil_1_10'),
            sa.ForeignKeyConstraint(['dataset_id'], ['import_run.id'],
                                    name='fk_dtsen_record_dataset_id_import_run')]


def _set_aside(postgres: bool) -> None:
    """Rename the table and free the names of its indexes and primary key."""
    for index in ('ix_dtsen_record_dataset_nik', 'ix_dtsen_record_dataset_kk'):
        op.drop_index(index, table_name='dtsen_record', if_exists=True)
    op.rename_table('dtsen_record', _OLD)
    if postgres:
        op.execute(f'ALTER TABLE {_OLD} RENAME CONSTRAINT pk_dtsen_record TO pk_{_OLD}')


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    _set_aside(postgres)
    op.create_table('dtsen_record', sa.Column('dataset_id', sa.Integer(), nullable=False),
                    *_columns(), sa.PrimaryKeyConstraint('dataset_id', 'nik',
                                                         name='pk_dtsen_record'),
                    postgresql_partition_by='LIST (dataset_id)')
    values = ', '.join(_VALUES)
    if not postgres:
        op.execute(f'INSERT INTO dtsen_record (dataset_id, {values}) '
                   f'SELECT dataset_id, {values} FROM {_OLD}')
    else:
        datasets = op.get_bind().execute(sa.text(
            f'SELECT DISTINCT dataset_id FROM {_OLD} ORDER BY 1')).scalars().all()
        for dataset in datasets:
            part = f'dtsen_record_{int(dataset)}'
            op.execute(f'CREATE TABLE {part} (LIKE dtsen_record INCLUDING DEFAULTS '
                       f'INCLUDING CONSTRAINTS)')
            op.execute(f'INSERT INTO {part} (dataset_id, {values}) SELECT dataset_id, {values} '
                       f'FROM {_OLD} WHERE dataset_id = {int(dataset)}')
            op.execute(f'ALTER TABLE dtsen_record ATTACH PARTITION {part} '
                       f'FOR VALUES IN ({int(dataset)})')
    op.drop_table(_OLD)


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.rename_table('dtsen_record', _OLD)
    if postgres:
        op.execute(f'ALTER TABLE {_OLD} RENAME CONSTRAINT pk_dtsen_record TO pk_{_OLD}')
    op.create_table('dtsen_record', sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('dataset_id', sa.Integer(), nullable=False), *_columns(),
                    sa.PrimaryKeyConstraint('id', name='pk_dtsen_record'))
    values = ', '.join(_VALUES)
    op.execute(f'INSERT INTO dtsen_record (dataset_id, {values}) SELECT dataset_id, {values} '
               f'FROM {_OLD} ORDER BY dataset_id, nik')
    op.drop_table(_OLD)  # on PostgreSQL with its partitions
    op.create_index('ix_dtsen_record_dataset_kk', 'dtsen_record', ['dataset_id', 'no_kk'])
    op.create_index('ix_dtsen_record_dataset_nik', 'dtsen_record', ['dataset_id', 'nik'])
