"""Verifying only what came after the latest signed checkpoint.

A checkpoint signs (seq, hash of that row); the hash covers the row's ``prev_hash``
and so, link by link, everything before it. Once every checkpoint is confirmed
(signature by the trusted key, the row at its seq still carrying the signed hash),
the walk can start at the latest one: its row is recomputed too, so an edit there
that left the stored hash alone is still named. Rows before it are not recomputed:
an edit there that also left its hash alone is for the full verify (run it on a
schedule; see README).
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from workflows.audit.checkpoints import CheckpointVerdict, verify_checkpoints
from workflows.audit.verify import ChainVerdict, verify_chain


def verify_since_checkpoint(session: Session, *, trusted_key: str | None,
                            extra_lines: list[dict] = (), **options
                            ) -> tuple[ChainVerdict | None, CheckpointVerdict]:
    """``(chain verdict from the latest checkpoint, checkpoint verdict)``; the chain
    verdict is None when no checkpoint can be trusted (none yet, or one that no longer
    holds): the caller then runs the full ``verify_chain``, which names the problem."""
    checkpoints = verify_checkpoints(session, trusted_key=trusted_key, extra_lines=extra_lines)
    if not checkpoints.ok or checkpoints.covered_seq == 0:
        return None, checkpoints
    anchor = checkpoints.covered_seq
    prev_hash = session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.seq == anchor))
    return verify_chain(session, start=(anchor, prev_hash), **options), checkpoints
