"""Where the audit chain stands for the auditor: its head and the last signed checkpoint,
with whether that checkpoint's signature holds and the chain still has its hash."""
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import AuditCheckpoint
from reports.audit_trail import hash_at, last_checkpoint
from reports.meta import ChainHead, read_chain_head
from workflows.audit.checkpoints import line_of, signature_valid


def fingerprint(public_key: str) -> str:
    """Short enough to compare by eye with the one the office keeps (verify_pack.py prints
    the same)."""
    try:
        return "SHA256:" + hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:32]
    except ValueError:
        return "?"


@dataclass(frozen=True)
class CheckpointStatus:
    checkpoint: AuditCheckpoint
    fingerprint: str
    signature_valid: bool
    server_key: bool        # checked with the trusted key, not the one stored with it
    hash_now: str | None    # the hash of the event at the checkpoint's seq today
    chain_matches: bool


@dataclass(frozen=True)
class ChainStatus:
    head: ChainHead
    checkpoint: CheckpointStatus | None


def chain_status(session: Session, trusted: str | None) -> ChainStatus:
    """``trusted``: the key checkpoints must carry, or None to check them against their own."""
    head, checkpoint = read_chain_head(session), last_checkpoint(session)
    if checkpoint is None:
        return ChainStatus(head, None)
    hash_now = hash_at(session, checkpoint.seq)
    matches = checkpoint.seq == 0 or (checkpoint.seq <= head.seq
                                      and hash_now == checkpoint.head_hash)
    return ChainStatus(head, CheckpointStatus(
        checkpoint, fingerprint(checkpoint.public_key),
        signature_valid(line_of(checkpoint), trusted or checkpoint.public_key),
        trusted is not None, hash_now, matches))
