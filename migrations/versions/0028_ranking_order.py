"""The ranking read off one index (issue 16): each application carries the facts its rank
depends on (the desil of its latest eligibility evaluation, its worker's priority
factors), kept by database triggers, and a partial index holds the cases awaiting a
decision in rank order (workflows/ranking.rank_order).

Sorting 200,000 verified cases by a join of three tables took 0.8 s for each page of
the ranking at a million applications; a page off the index takes milliseconds.
Triggers, not the verbs, keep the copies, so no write path (a verb, an import, a bulk
load, a correction by hand) can leave them stale: on PostgreSQL a BEFORE trigger sets
them on the row itself and the evaluation and worker triggers touch the rows they
concern; SQLite has only AFTER triggers and updates the row again.

On a big live table (README: Scale) the backfill rewrites every application row (about
two minutes for a million, locking the rows it updates): run this migration at a quiet
hour. A bulk loader may disable the triggers (session_replication_role = replica) and
fill the three columns itself, as the backfill below does.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

_LATEST_DESIL = ("(SELECT e.desil FROM eligibility_evaluation e WHERE e.application_id = {id} "
                 "ORDER BY e.id DESC LIMIT 1)")

_BACKFILL = (
    "UPDATE application SET female_head_of_household = w.female_head_of_household, "
    "disability = w.disability FROM worker w WHERE w.id = application.worker_id "
    "AND (w.female_head_of_household OR w.disability)",
    "UPDATE application SET desil = latest.desil FROM (SELECT e.application_id, e.desil "
    "FROM eligibility_evaluation e WHERE e.id IN (SELECT max(id) FROM eligibility_evaluation "
    "GROUP BY application_id)) latest WHERE latest.application_id = application.id "
    "AND latest.desil IS NOT NULL",
)

_PG = (
    # The row itself: its worker's factors and its latest desil, whatever was written.
    f"""CREATE OR REPLACE FUNCTION application_ranking_facts() RETURNS trigger AS $$
    BEGIN
        SELECT w.female_head_of_household, w.disability
          INTO NEW.female_head_of_household, NEW.disability
          FROM worker w WHERE w.id = NEW.worker_id;
        IF NOT FOUND THEN  -- the foreign key refuses the row, with its own message
            NEW.female_head_of_household := false;
            NEW.disability := false;
        END IF;
        NEW.desil := {_LATEST_DESIL.format(id='NEW.id')};
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER application_ranking_facts BEFORE INSERT OR UPDATE OF worker_id, desil, "
    "female_head_of_household, disability ON application FOR EACH ROW "
    "EXECUTE FUNCTION application_ranking_facts()",
    # New evaluations, one statement at a time (a bulk load is one UPDATE, not one per row).
    """CREATE OR REPLACE FUNCTION eligibility_evaluation_ranking_added() RETURNS trigger AS $$
    BEGIN
        UPDATE application SET desil = NULL WHERE id IN (SELECT application_id FROM added);
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER eligibility_evaluation_ranking_added AFTER INSERT ON eligibility_evaluation "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION eligibility_evaluation_ranking_added()",
    """CREATE OR REPLACE FUNCTION eligibility_evaluation_ranking_changed() RETURNS trigger AS $$
    BEGIN
        UPDATE application SET desil = NULL WHERE id = OLD.application_id;
        IF TG_OP = 'UPDATE' THEN
            UPDATE application SET desil = NULL WHERE id = NEW.application_id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER eligibility_evaluation_ranking_changed AFTER UPDATE OF desil, application_id "
    "OR DELETE ON eligibility_evaluation FOR EACH ROW "
    "EXECUTE FUNCTION eligibility_evaluation_ranking_changed()",
    """CREATE OR REPLACE FUNCTION worker_ranking_factors() RETURNS trigger AS $$
    BEGIN
        UPDATE application SET female_head_of_household = NULL WHERE worker_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER worker_ranking_factors AFTER UPDATE OF female_head_of_household, disability "
    "ON worker FOR EACH ROW WHEN (OLD.female_head_of_household IS DISTINCT FROM "
    "NEW.female_head_of_household OR OLD.disability IS DISTINCT FROM NEW.disability) "
    "EXECUTE FUNCTION worker_ranking_factors()",
    # The cases awaiting a decision are mostly of one year: counted as independent, year and
    # state make the planner expect a fraction of them and sort them all for a deep page.
    "CREATE STATISTICS IF NOT EXISTS application_year_state (mcv) ON program_year, state "
    "FROM application",
)

_SQLITE_FACTS = (
    "UPDATE application SET "
    "female_head_of_household = (SELECT female_head_of_household FROM worker "
    "WHERE id = NEW.worker_id), "
    "disability = (SELECT disability FROM worker WHERE id = NEW.worker_id), "
    f"desil = {_LATEST_DESIL.format(id='NEW.id')} WHERE id = NEW.id;")


def _sqlite_desil(row: str) -> str:
    return (f"UPDATE application SET desil = {_LATEST_DESIL.format(id=row + '.application_id')} "
            f"WHERE id = {row}.application_id;")


_SQLITE = (
    f"CREATE TRIGGER application_ranking_facts_insert AFTER INSERT ON application "
    f"BEGIN {_SQLITE_FACTS} END",
    f"CREATE TRIGGER application_ranking_facts_worker AFTER UPDATE OF worker_id ON application "
    f"BEGIN {_SQLITE_FACTS} END",
    f"CREATE TRIGGER eligibility_evaluation_ranking_added AFTER INSERT ON eligibility_evaluation "
    f"BEGIN {_sqlite_desil('NEW')} END",
    f"CREATE TRIGGER eligibility_evaluation_ranking_changed AFTER UPDATE OF desil, "
    f"application_id ON eligibility_evaluation BEGIN {_sqlite_desil('OLD')} "
    f"{_sqlite_desil('NEW')} END",
    f"CREATE TRIGGER eligibility_evaluation_ranking_removed AFTER DELETE ON "
    f"eligibility_evaluation BEGIN {_sqlite_desil('OLD')} END",
    "CREATE TRIGGER worker_ranking_factors AFTER UPDATE OF female_head_of_household, disability "
    "ON worker BEGIN UPDATE application SET female_head_of_household = "
    "NEW.female_head_of_household, disability = NEW.disability WHERE worker_id = NEW.id; END",
)

_TRIGGERS = {  # name -> table, for the downgrade
    "application_ranking_facts": "application", "application_ranking_facts_insert": "application",
    "application_ranking_facts_worker": "application",
    "eligibility_evaluation_ranking_added": "eligibility_evaluation",
    "eligibility_evaluation_ranking_changed": "eligibility_evaluation",
    "eligibility_evaluation_ranking_removed": "eligibility_evaluation",
    "worker_ranking_factors": "worker",
}
_PG_FUNCTIONS = ("application_ranking_facts", "eligibility_evaluation_ranking_added",
                 "eligibility_evaluation_ranking_changed", "worker_ranking_factors")


def upgrade():
    op.add_column('application', sa.Column('desil', sa.Integer(), nullable=True))
    op.add_column('application', sa.Column('female_head_of_household', sa.Boolean(),
                                           server_default=sa.false(), nullable=False))
    op.add_column('application', sa.Column('disability', sa.Boolean(),
                                           server_default=sa.false(), nullable=False))
    for statement in _BACKFILL:
        op.execute(statement)
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in _PG if postgresql else _SQLITE:
        op.execute(statement)
    waiting = sa.text("state IN ('verified', 'waitlisted')")
    op.create_index('ix_application_ranking', 'application', [
        'program_year', 'desil', sa.desc(sa.column('female_head_of_household')),
        sa.desc(sa.column('disability')), 'submitted_at', 'id'], if_not_exists=True,
        postgresql_include=['worker_id', 'state', 'proposal_id'], postgresql_where=waiting,
        sqlite_where=waiting)


def downgrade():
    op.drop_index('ix_application_ranking', table_name='application')
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, table in _TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgresql
                   else f"DROP TRIGGER IF EXISTS {name}")
    for name in _PG_FUNCTIONS if postgresql else ():
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    if postgresql:
        op.execute("DROP STATISTICS IF EXISTS application_year_state")
    with op.batch_alter_table('application') as batch_op:
        batch_op.drop_column('disability')
        batch_op.drop_column('female_head_of_household')
        batch_op.drop_column('desil')
