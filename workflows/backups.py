"""Backups and restores as audit events: who took or restored which backup, when.

A backup leaves the database it copied, so its event goes into the live log after
the snapshot is taken (it names the manifest's SHA-256, which only exists then); the
snapshot itself ends just before it. A restore writes its event into the restored
log, straight after the backup's last event, naming the backup and the head of the
log it replaced, so the jump back in time is on the record.
"""
from sqlalchemy.orm import Session

from models import Role
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import NotAllowed
from workflows.messages import lazy_gettext as _l


def may_back_up(actor: Actor) -> bool:
    """A backup holds every person's data: IT (admin) or a system job only. Asked before
    the backup is written, and again by the verbs."""
    return actor.has_role(Role.ADMIN) or actor.is_system


def _guard(actor: Actor) -> None:
    if not may_back_up(actor):
        raise NotAllowed(_l("Only an administrator or the system job makes or restores "
                            "backups."))


def record_backup(session: Session, *, name: str, manifest_sha256: str, files: int,
                  size_bytes: int, head_seq: int, actor: Actor) -> None:
    """The backup ``name`` was written; its manifest hashes to ``manifest_sha256``."""
    _guard(actor)
    record(session, actor, "backup.create", entity_type="backup", entity_id=name,
           diff={"manifest_sha256": [None, manifest_sha256], "files": [None, files],
                 "bytes": [None, size_bytes], "head_seq": [None, head_seq]})


def record_restore(session: Session, *, name: str, manifest_sha256: str, created_at: str,
                   replaced_head: tuple[int, str] | None, actor: Actor) -> None:
    """This database was restored from backup ``name``; ``replaced_head`` is the (seq,
    hash) of the log it overwrote (None: the target was empty)."""
    _guard(actor)
    seq, head_hash = replaced_head or (None, None)
    record(session, actor, "backup.restore", entity_type="backup", entity_id=name,
           diff={"manifest_sha256": [None, manifest_sha256], "created_at": [None, created_at],
                 "replaced_head_seq": [seq, None], "replaced_head_hash": [head_hash, None]})
