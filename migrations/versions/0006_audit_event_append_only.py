"""The database itself refuses changes to audit_event (append-only).

PostgreSQL: row triggers on UPDATE and DELETE and a statement trigger on TRUNCATE,
set ENABLE ALWAYS so they also fire for replication roles. SQLite: triggers on
UPDATE and DELETE. Someone with the power to drop triggers can still tamper; the
hash chain (and signed checkpoints) is what detects that.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:15:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()")
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()")
        op.execute("ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_change")
        op.execute("ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_truncate")
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_event_no_{operation.lower()} BEFORE {operation} "
                       f"ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: "
                       f"{operation} refused'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
