"""The chain head only moves forward: no delete, no step back, no new hash in place.

Cutting the log's tail needs the head moved back with it; with this trigger the
database refuses that unless its protection is switched off (which the app's role
cannot do, 0006), and the signed checkpoints catch the rest.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 11:00:00
"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_REFUSED = "audit_chain_head only moves forward"
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_chain_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.seq > OLD.seq
                             OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{_REFUSED}: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
_SQLITE_TRIGGERS = {
    "update": "BEFORE UPDATE ON audit_chain_head WHEN NEW.seq < OLD.seq OR "
              "(NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)",
    "delete": "BEFORE DELETE ON audit_chain_head",
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_chain_head_no_change BEFORE UPDATE OR DELETE "
                   "ON audit_chain_head FOR EACH ROW "
                   "EXECUTE FUNCTION audit_chain_head_forward_only()")
        op.execute("CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE "
                   "ON audit_chain_head FOR EACH STATEMENT "
                   "EXECUTE FUNCTION audit_chain_head_forward_only()")
        op.execute("ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_no_change")
        op.execute("ALTER TABLE audit_chain_head "
                   "ENABLE ALWAYS TRIGGER audit_chain_head_no_truncate")
    else:
        for name, when in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER audit_chain_head_no_{name} {when} BEGIN "
                       f"SELECT RAISE(ABORT, '{_REFUSED}: {name.upper()} refused'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_head_no_change ON audit_chain_head")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_forward_only()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS audit_chain_head_no_{name}")
