"""A DTSEN record is a NIK in a dataset, and on PostgreSQL each dataset is a partition
of its own (issue 16): an import fills its dataset's table without indexes, then
attaches it, which builds the primary key in one sort (workflows/imports/partitions.py).

The surrogate id goes: nothing refers to a DTSEN row by it, and the primary key
(dataset_id, nik) states what the import has always checked, one NIK once per dataset
(a NIK twice in one stored dataset stops the upgrade). The index on (dataset_id,
no_kk) goes too: no query reads DTSEN rows by KK, and it cost every import a sort of
its rows.

The application's role owns no table and may create none, so four functions run as
the owner (SECURITY DEFINER, integer arguments only): make a DTSEN run's table and the
unlogged table its file is first copied into, attach the one (dropping the other), drop
a run's rows that were never applied. Grant EXECUTE on them to the application
role along with the recreated table (README: Upgrading). Every dataset already stored
is moved into its partition by the same functions, one pass per dataset (run it at a
quiet hour). SQLite keeps one table.

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
_FUNCTIONS = ('dtsen_dataset_table(integer)', 'dtsen_dataset_file(integer, integer)',
              'dtsen_attach_dataset(integer)', 'dtsen_drop_dataset(integer)',
              'dtsen_grant_as_parent(text, text)')

_RUN_CHECK = """
    IF NOT EXISTS (SELECT FROM import_run WHERE id = dataset AND kind = 'dtsen'{extra}) THEN
        RAISE EXCEPTION 'no such DTSEN import run: %', dataset;
    END IF;"""
_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp"
_FUNCTION_SQL = ("""
CREATE FUNCTION dtsen_grant_as_parent(name text, privileges text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    allowed record;
BEGIN  -- whoever may insert into dtsen_record may use its datasets' own tables
    FOR allowed IN SELECT a.grantee FROM pg_class c, aclexplode(c.relacl) a
                   WHERE c.oid = 'dtsen_record'::regclass AND a.privilege_type = 'INSERT'
    LOOP
        EXECUTE format('GRANT %s ON %I TO %s', privileges, name, CASE WHEN allowed.grantee = 0
                       THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(allowed.grantee)) END);
    END LOOP;
END $$""", f"""
CREATE FUNCTION dtsen_dataset_table(dataset integer) RETURNS text {_DEFINER} AS $$
DECLARE
    name text := 'dtsen_record_' || dataset;
BEGIN{_RUN_CHECK.format(extra='')}
    EXECUTE format('CREATE TABLE %I (LIKE dtsen_record INCLUDING DEFAULTS INCLUDING '
                   'CONSTRAINTS, CONSTRAINT %I CHECK (dataset_id = %s))',
                   name, name || '_dataset', dataset);
    EXECUTE format('ALTER TABLE %I ALTER dataset_id SET DEFAULT %s', name, dataset);
    PERFORM dtsen_grant_as_parent(name, 'INSERT');
    RETURN name;
END $$""", f"""
CREATE FUNCTION dtsen_dataset_file(dataset integer, cells integer) RETURNS text
{_DEFINER} AS $$
DECLARE
    name text := 'dtsen_record_' || dataset || '_file';
BEGIN{_RUN_CHECK.format(extra='')}
    IF cells NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'a file of % cells a row', cells;
    END IF;
    EXECUTE format('CREATE UNLOGGED TABLE %I (%s)', name, (
        SELECT string_agg(format('c%s text', i), ', ' ORDER BY i)
        FROM generate_series(0, cells - 1) AS i));
    PERFORM dtsen_grant_as_parent(name, 'INSERT, SELECT');
    RETURN name;
END $$""", f"""
CREATE FUNCTION dtsen_attach_dataset(dataset integer) RETURNS void {_DEFINER} AS $$
BEGIN{_RUN_CHECK.format(extra='')}
    EXECUTE format('DROP TABLE IF EXISTS %I', 'dtsen_record_' || dataset || '_file');
    EXECUTE format('ALTER TABLE dtsen_record ATTACH PARTITION %I FOR VALUES IN (%s)',
                   'dtsen_record_' || dataset, dataset);
END $$""", f"""
CREATE FUNCTION dtsen_drop_dataset(dataset integer) RETURNS void {_DEFINER} AS $$
BEGIN{_RUN_CHECK.format(extra=" AND status <> 'applied'")}
    EXECUTE format('DROP TABLE IF EXISTS %I', 'dtsen_record_' || dataset || '_file');
    EXECUTE format('DROP TABLE IF EXISTS %I', 'dtsen_record_' || dataset);
END $$""")


def _columns() -> list:
    return [sa.Column('nik', sa.String(length=16), nullable=False),
            sa.Column('no_kk', sa.String(length=16), nullable=False),
            sa.Column('nama', sa.String(length=200), nullable=False),
            sa.Column('tanggal_lahir', sa.Date(), nullable=False),
            sa.Column('jenis_kelamin', sa.String(length=1), nullable=False),
            sa.Column('kode_kelurahan', sa.String(length=10), nullable=False),
            sa.Column('desil', sa.SmallInteger(), nullable=False),
            sa.CheckConstraint('desil BETWEEN 1 AND 10', name=op.f('ck_dtsen_record_desil_1_10')),
            sa.ForeignKeyConstraint(['dataset_id'], ['import_run.id'],
                                    name=op.f('fk_dtsen_record_dataset_id_import_run'))]


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
                                                         name=op.f('pk_dtsen_record')),
                    postgresql_partition_by='LIST (dataset_id)')
    values = ', '.join(_VALUES)
    if not postgres:
        op.execute(f'INSERT INTO dtsen_record (dataset_id, {values}) '
                   f'SELECT dataset_id, {values} FROM {_OLD}')
    else:
        for function in _FUNCTION_SQL:
            op.execute(function)
        for function in _FUNCTIONS:
            op.execute(f'REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC')
        datasets = op.get_bind().execute(sa.text(
            f'SELECT DISTINCT dataset_id FROM {_OLD} ORDER BY 1')).scalars().all()
        for dataset in datasets:
            part = op.get_bind().execute(sa.text('SELECT dtsen_dataset_table(:d)'),
                                         {'d': dataset}).scalar()
            op.execute(f'INSERT INTO {part} (dataset_id, {values}) SELECT dataset_id, '
                       f'{values} FROM {_OLD} WHERE dataset_id = {int(dataset)}')
            op.execute(f'SELECT dtsen_attach_dataset({int(dataset)})')
    op.drop_table(_OLD)


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.rename_table('dtsen_record', _OLD)
    if postgres:
        op.execute(f'ALTER TABLE {_OLD} RENAME CONSTRAINT pk_dtsen_record TO pk_{_OLD}')
        for function in _FUNCTIONS:
            op.execute(f'DROP FUNCTION {function}')
    op.create_table('dtsen_record', sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('dataset_id', sa.Integer(), nullable=False), *_columns(),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_dtsen_record')))
    values = ', '.join(_VALUES)
    op.execute(f'INSERT INTO dtsen_record (dataset_id, {values}) SELECT dataset_id, {values} '
               f'FROM {_OLD} ORDER BY dataset_id, nik')
    op.drop_table(_OLD)  # on PostgreSQL with its partitions
    op.create_index('ix_dtsen_record_dataset_kk', 'dtsen_record', ['dataset_id', 'no_kk'])
    op.create_index('ix_dtsen_record_dataset_nik', 'dtsen_record', ['dataset_id', 'nik'])
