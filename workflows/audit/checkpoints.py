"""Signed checkpoints of the chain head (Ed25519, key outside the database).

The hash chain shows that rows were changed, but someone who can rewrite the whole
table can also recompute every hash, or cut the tail and fix the head row. A
checkpoint signed with a key the database never sees, and copied elsewhere as a
line of an export file, catches both: its seq must still exist and still carry
the hash it had when it was signed.
"""
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditChainHead, AuditCheckpoint, AuditEvent, clock
from workflows.actor import Actor
from workflows.audit.chain import canonical_json
from workflows.audit.recorder import record


def generate_key(path: Path) -> str:
    """Write a new private key (mode 0600); refuse to overwrite one. Returns the public key."""
    if path.exists():
        raise FileExistsError(str(path))
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return _public_hex(key.public_key())


def load_key(path: Path) -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def trusted_public_key(path: Path, pinned: str | None = None) -> str | None:
    """The key checkpoints must be signed with (hex): the one the office pinned in the
    configuration (needed where the private key is kept off this host), else the public
    half of the signing key on this host, else None (only self-consistency can be checked)."""
    if pinned and pinned.strip():
        return pinned.strip().lower()
    return _public_hex(load_key(path).public_key()) if path.exists() else None


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The public half of ``key`` as hex, as stored with checkpoints and evidence packs."""
    return _public_hex(key.public_key())


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _message(seq: int, head_hash: str, signed_at: str) -> bytes:
    return canonical_json({"seq": seq, "head_hash": head_hash, "signed_at": signed_at}).encode()


def create_checkpoint(session: Session, key: Ed25519PrivateKey, *, actor: Actor,
                      export_file: Path) -> AuditCheckpoint:
    """Sign the current head, store it, append it to the export file, record the act."""
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1)
                           .with_for_update()).scalar_one()
    signed_at = clock.now()
    stamp = signed_at.isoformat()
    checkpoint = AuditCheckpoint(
        seq=head.seq, head_hash=head.hash, signed_at=signed_at,
        public_key=_public_hex(key.public_key()),
        signature=key.sign(_message(head.seq, head.hash, stamp)).hex())
    session.add(checkpoint)
    session.flush()
    export_file.parent.mkdir(parents=True, exist_ok=True)
    with export_file.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line_of(checkpoint), sort_keys=True) + "\n")
    record(session, actor, "audit.checkpoint", entity=checkpoint,
           diff={"seq": [None, head.seq], "head_hash": [None, head.hash]})
    return checkpoint


def checkpoint_due(session: Session, *, every_events: int, every: timedelta) -> bool:
    """Whether to sign now: ``every_events`` events since the last checkpoint, or any
    event at all once the last one is ``every`` old. The checkpoint's own event does not
    count, so a quiet log is not signed over and over."""
    head = session.scalar(select(AuditChainHead.seq).where(AuditChainHead.id == 1)) or 0
    last = session.execute(select(AuditCheckpoint.seq, AuditCheckpoint.signed_at)
                           .order_by(AuditCheckpoint.id.desc()).limit(1)).one_or_none()
    if last is None:
        return head > 0
    pending = head - last.seq - 1
    return pending >= every_events or (pending > 0 and clock.now() - last.signed_at >= every)


def sign_if_due(session: Session, key: Ed25519PrivateKey, *, actor: Actor, export_file: Path,
                every_events: int, every: timedelta) -> AuditCheckpoint | None:
    """A checkpoint when one is due (decided under the head's lock, so two requests
    finding it due at once sign once)."""
    session.execute(select(AuditChainHead.id).where(AuditChainHead.id == 1).with_for_update())
    if not checkpoint_due(session, every_events=every_events, every=every):
        return None
    return create_checkpoint(session, key, actor=actor, export_file=export_file)


def line_of(checkpoint: AuditCheckpoint) -> dict:
    return {"seq": checkpoint.seq, "head_hash": checkpoint.head_hash,
            "signed_at": checkpoint.signed_at.isoformat(), "public_key": checkpoint.public_key,
            "signature": checkpoint.signature}


def signature_valid(line: dict, key_hex: str) -> bool:
    """Whether ``key_hex`` signed this checkpoint line (seq, head_hash, signed_at)."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(line["signature"]),
            _message(line["seq"], line["head_hash"], line["signed_at"]))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CheckpointVerdict:
    ok: bool
    checked: int
    problem: str | None = None
    uncovered: int = 0  # events after the last signed checkpoint: not yet provable
    covered_seq: int = 0  # the latest signed seq (its row carries the signed hash)


def verify_checkpoints(session: Session, *, trusted_key: str | None,
                       extra_lines: list[dict] = ()) -> CheckpointVerdict:
    """Every stored checkpoint (and every line given) must be signed by the trusted key
    and match the chain: the row at its seq exists and has the signed hash."""
    lines = [line_of(c) for c in session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id)).scalars()]
    lines += [line for line in extra_lines if line not in lines]  # the export repeats them
    head_seq = session.scalar(select(AuditChainHead.seq).where(AuditChainHead.id == 1)) or 0
    for line in lines:
        if not signature_valid(line, trusted_key or line["public_key"]):
            return CheckpointVerdict(False, len(lines), _(
                "checkpoint at seq %(seq)d: the signature is not valid", seq=line["seq"]))
        if line["seq"] == 0:
            continue
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == line["seq"]))
        if stored is None or line["seq"] > head_seq:
            return CheckpointVerdict(False, len(lines), _(
                "checkpoint at seq %(seq)d: the log now ends at seq %(head)d (tail removed)",
                seq=line["seq"], head=head_seq))
        if stored != line["head_hash"]:
            return CheckpointVerdict(False, len(lines), _(
                "checkpoint at seq %(seq)d: the event there no longer has the signed hash "
                "(chain rewritten)", seq=line["seq"]))
    covered = max((line["seq"] for line in lines), default=0)
    return CheckpointVerdict(True, len(lines), uncovered=head_seq - covered,
                             covered_seq=covered)
