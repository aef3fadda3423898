"""Signed checkpoints are append-only in the database too, like audit_event (0006).

A checkpoint that could be edited or deleted in place would let someone who rewrote
the chain remove the evidence against it; the export file copied elsewhere stays the
second line.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 22:50:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE "
                   "ON audit_checkpoint FOR EACH ROW "
                   "EXECUTE FUNCTION audit_checkpoint_refuse_change()")
        op.execute("CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE "
                   "ON audit_checkpoint FOR EACH STATEMENT "
                   "EXECUTE FUNCTION audit_checkpoint_refuse_change()")
        op.execute("ALTER TABLE audit_checkpoint ENABLE ALWAYS TRIGGER audit_checkpoint_no_change")
        op.execute("ALTER TABLE audit_checkpoint "
                   "ENABLE ALWAYS TRIGGER audit_checkpoint_no_truncate")
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_checkpoint_no_{operation.lower()} BEFORE "
                       f"{operation} ON audit_checkpoint BEGIN SELECT RAISE(ABORT, "
                       f"'audit_checkpoint is append-only: {operation} refused'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_checkpoint")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_checkpoint")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_delete")
