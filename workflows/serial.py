"""Steps that must not run twice at once (a registration batch, a renewal re-check).

PostgreSQL: a transaction-level advisory lock named after the step, released at
commit or rollback. SQLite write transactions are ``BEGIN IMMEDIATE`` already
(caseapp/database.py), so they queue anyway.
"""
import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def one_at_a_time(session: Session, step: str) -> None:
    """Wait until no other transaction runs ``step``; hold it until this one ends."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"caseapp-{step}".encode()).digest()[:8], "big",
                             signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
