"""Snapshots of every table but the audit log, to see what one request changed:
per table the row count and a SHA-256 over all rows in primary-key order, and per
row a digest, so a difference can name the rows."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import inspect as sa_inspect

# Not business data: the log every read, report and sign-in appends to by design.
IGNORED_TABLES = {
    "audit_event": "append-only log; reads, reports and sign-ins are events by design",
    "audit_chain_head": "the chain's head moves with every audit event",
    "audit_checkpoint": "signed heads of the audit chain",
    "user_session": "server-side sign-in sessions: every sign-in, sign-out and last-seen "
                    "touch writes here; each start and end is an audit event",
}
# Sign-in bookkeeping columns left out of the comparison: the per-account failure
# counters and the last accepted authenticator step (workflows/signin.py, mfa.py) move
# with every sign-in attempt; the attempts themselves are audit events.
BOOKKEEPING_COLUMNS: dict[str, frozenset[str]] = {
    "app_user": frozenset({"failed_logins", "last_failed_login_at", "failed_codes",
                           "last_failed_code_at", "totp_last_step"}),
}


@dataclass(frozen=True)
class TableState:
    count: int
    digest: str  # SHA-256 over every row, in primary-key order
    rows: dict   # primary key -> digest of the row, to name what changed


class Snapshots:
    """Every table but the audit log, read through the test's own connection (the
    app's requests run on it too, inside the test's rolled-back transaction)."""

    def __init__(self, session):
        self.session = session
        inspector = sa_inspect(session.connection())
        self.tables = {}
        for name in sorted(inspector.get_table_names()):
            if name in IGNORED_TABLES:
                continue
            skip = BOOKKEEPING_COLUMNS.get(name, frozenset())
            columns = [c["name"] for c in inspector.get_columns(name) if c["name"] not in skip]
            key = inspector.get_pk_constraint(name)["constrained_columns"] or columns
            self.tables[name] = (columns, key)

    def take(self) -> dict[str, TableState]:
        self.session.expire_all()
        connection = self.session.connection()
        quote = connection.dialect.identifier_preparer.quote
        states = {}
        for name, (columns, key) in self.tables.items():
            rows = connection.exec_driver_sql(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(name)} "
                f"ORDER BY {', '.join(quote(c) for c in key)}").all()
            positions = [columns.index(c) for c in key]
            whole, per_row = hashlib.sha256(), {}
            for number, row in enumerate(rows):
                text = repr(tuple(row)).encode()
                whole.update(text)
                row_key = tuple(row[i] for i in positions)
                per_row[row_key if row_key not in per_row else row_key + (number,)] = \
                    hashlib.sha256(text).hexdigest()
            states[name] = TableState(len(rows), whole.hexdigest(), per_row)
        return states


def changes(before: dict[str, TableState], after: dict[str, TableState]) -> dict:
    """{table: {"added": [...], "removed": [...], "changed": [...]}} for tables whose
    row count or hash differs."""
    found = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old and new and (old.count, old.digest) == (new.count, new.digest):
            continue
        old_rows, new_rows = (old.rows if old else {}), (new.rows if new else {})
        found[name] = {
            "added": sorted(new_rows.keys() - old_rows.keys(), key=repr),
            "removed": sorted(old_rows.keys() - new_rows.keys(), key=repr),
            "changed": sorted((k for k in old_rows.keys() & new_rows.keys()
                               if old_rows[k] != new_rows[k]), key=repr)}
    return found
