"""Each person's intake per state as a tally of changes, kept by triggers (issue 16;
models/intake_tally.py says why).

Every insert, change of state or taker, and delete of an application adds its +1 and -1
rows, by a row trigger that fires only when the state or the taker changed. (A statement
trigger with transition tables, one grouped INSERT per statement, cost 2.4 ms for each
of the ORM's one-row UPDATEs: a decree of 10,000 cases took 35 s instead of 10.) The
backfill counts the applications there are (a second or two at a million). A bulk loader
that disables the triggers (session_replication_role = replica) counts the tally again
after it (`flask home-figures recount-intake`, as bench/scale_data.py does).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 11:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_BACKFILL = ("INSERT INTO intake_tally (taken_in_by_id, state, n) "
             "SELECT taken_in_by_id, state, count(*) FROM application "
             "WHERE taken_in_by_id IS NOT NULL GROUP BY taken_in_by_id, state")

_PG_FUNCTION = """CREATE OR REPLACE FUNCTION application_intake_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.taken_in_by_id IS NOT NULL THEN
        INSERT INTO intake_tally (taken_in_by_id, state, n)
        VALUES (OLD.taken_in_by_id, OLD.state, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.taken_in_by_id IS NOT NULL THEN
        INSERT INTO intake_tally (taken_in_by_id, state, n)
        VALUES (NEW.taken_in_by_id, NEW.state, 1);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""

_PG_TRIGGERS = {
    "application_intake_tally": "INSERT OR DELETE ON application FOR EACH ROW",
    "application_intake_tally_update": "UPDATE OF state, taken_in_by_id ON application "
                                       "FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state "
                                       "OR OLD.taken_in_by_id IS DISTINCT FROM "
                                       "NEW.taken_in_by_id)",
}


def _sqlite_row(row: str, n: int) -> str:
    return (f"INSERT INTO intake_tally (taken_in_by_id, state, n) SELECT {row}.taken_in_by_id, "
            f"{row}.state, {n} WHERE {row}.taken_in_by_id IS NOT NULL;")


_SQLITE_TRIGGERS = {
    "application_intake_tally_insert": f"AFTER INSERT ON application BEGIN "
                                       f"{_sqlite_row('NEW', 1)} END",
    "application_intake_tally_update": "AFTER UPDATE OF state, taken_in_by_id ON application "
                                       "WHEN OLD.state IS NOT NEW.state OR OLD.taken_in_by_id "
                                       f"IS NOT NEW.taken_in_by_id BEGIN {_sqlite_row('OLD', -1)} "
                                       f"{_sqlite_row('NEW', 1)} END",
    "application_intake_tally_delete": f"AFTER DELETE ON application BEGIN "
                                       f"{_sqlite_row('OLD', -1)} END",
}


def upgrade():
    op.create_table(
        'intake_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('taken_in_by_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['taken_in_by_id'], ['app_user.id'],
                                name=op.f('fk_intake_tally_taken_in_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_tally')),
    )
    op.create_index('ix_intake_tally_taken_in_by_state', 'intake_tally',
                    ['taken_in_by_id', 'state'])
    # The triggers before the count: CREATE TRIGGER waits for the writers in flight and
    # holds their successors off until this migration commits, so the count sees every
    # change made before it and the triggers every change after (counted first, a change
    # committed while the count ran would be in neither).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        for name, clause in _PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} AFTER {clause} "
                       f"EXECUTE FUNCTION application_intake_tally()")
    else:
        for name, clause in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {clause}")
    op.execute(_BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON application")
        op.execute("DROP FUNCTION IF EXISTS application_intake_tally()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_intake_tally_taken_in_by_state', table_name='intake_tally')
    op.drop_table('intake_tally')
