"""Making a backup: checkpoint file, database snapshot, documents, public key, manifest.

The order keeps the parts consistent with each other while the application runs:

1. the checkpoint file first: every line in it signs a seq the database already
   holds, so it can only be older than the snapshot, never ahead of it (a line ahead
   would read as a removed tail); checkpoints signed later are in the snapshot's
   ``audit_checkpoint`` table anyway;
2. the database snapshot (sqlite.py, postgres.py);
3. the documents after it: a document's file is written before the row naming it
   is committed, so every document the snapshot names is already on disk (later
   uploads come along as unreferenced files, which is harmless);
4. the public key, then the manifest, then the rename from the hidden
   ``.partial`` folder to the backup's name.

The audit event is recorded last, in the live log, outside the snapshot: it carries
the manifest's SHA-256, so an auditor can tell this backup from any other.
"""
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from caseapp.audit_keys import trusted_key
from caseapp.backup import (CHECKPOINTS, DATABASE_FILES, DOCUMENTS, PUBLIC_KEY, BackupRefused,
                            backend_of, postgres, sqlite)
from caseapp.backup.manifest import copy_in, entry, write_manifest, write_text_in
from caseapp.extensions import db
from models import clock
from workflows.actor import Actor
from workflows.backups import record_backup

METHODS = {"sqlite": sqlite, "postgresql": postgres}


@dataclass(frozen=True)
class Created:
    path: Path
    manifest_sha256: str
    files: int
    size_bytes: int
    head_seq: int
    public_key: str | None


def _documents(store: Path, work: Path) -> list[dict]:
    """Every finished file of the store (an upload still being written ends in .part)."""
    if not store.is_dir():
        return []
    return [copy_in(path, work, f"{DOCUMENTS}/{path.relative_to(store).as_posix()}")
            for path in sorted(store.rglob("*"))
            if path.is_file() and not path.is_symlink() and path.suffix != ".part"]


def _fill(work: Path, backend: str) -> tuple[dict, list[dict], str | None]:
    config = current_app.config
    checkpoints = Path(config["AUDIT_CHECKPOINT_FILE"])
    files = [copy_in(checkpoints, work, CHECKPOINTS) if checkpoints.is_file()
             else write_text_in(work, CHECKPOINTS, "")]
    database = DATABASE_FILES[backend]
    facts = METHODS[backend].snapshot(db.engine, work / database)
    files.append(entry(work, database))
    files += _documents(Path(config["DOCUMENT_DIR"]), work)
    public_key = trusted_key()
    if public_key:
        files.append(write_text_in(work, PUBLIC_KEY, public_key + "\n"))
    return facts, files, public_key


def create_backup(parent: Path, *, actor: Actor) -> Created:
    """Write a complete backup folder under ``parent`` and record it; BackupRefused if
    it cannot be made (nothing is left behind then)."""
    backend = backend_of(current_app.config["DATABASE_URL"])
    store = Path(current_app.config["DOCUMENT_DIR"]).resolve()
    if parent.resolve().is_relative_to(store):
        raise BackupRefused("a backup inside the document store would be backed up with it")
    created_at = clock.now()
    final = parent / f"caseapp-backup-{created_at:%Y%m%dT%H%M%S}Z"
    if final.exists():
        raise BackupRefused(f"{final} exists already")
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db.session.remove()  # a transaction left open (finding --as) would hold SQLite's lock
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=parent))
    try:
        facts, files, public_key = _fill(work, backend)
        digest = write_manifest(work, {"created_at": created_at.isoformat(),
                                       "backend": backend, **facts}, files)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    done = Created(final, digest, len(files), sum(f["size"] for f in files),
                   facts["audit_head"]["seq"], public_key)
    record_backup(db.session, name=final.name, manifest_sha256=digest, files=done.files,
                  size_bytes=done.size_bytes, head_seq=done.head_seq, actor=actor)
    db.session.commit()
    return done
