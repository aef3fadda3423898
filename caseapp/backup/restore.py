"""Restoring a backup: every check first, then the database, checkpoint file, documents.

Nothing is touched until the backup has passed every check: the manifest's files,
sizes, hashes and names (manifest.py), then here the layout, the backend, a
revision this release knows, a public key that agrees with the one this host
trusts, and for PostgreSQL a target that ``--clean`` can clear completely. The
database goes first because it is the step that can still fail as a whole (one
transaction); the checkpoint file and the document store then become the backup's
(documents the backup does not hold belong to rows the restore discarded and are
removed). The restore's own audit event goes into the restored log.
"""
import os
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect

from caseapp.audit_keys import trusted_key
from caseapp.backup import (CHECKPOINTS, DATABASE_FILES, DOCUMENTS, PUBLIC_KEY, BackupRefused,
                            backend_of, postgres, sqlite)
from caseapp.backup.create import METHODS
from caseapp.backup.manifest import checked_manifest, copy_in
from caseapp.extensions import db
from workflows.actor import Actor
from workflows.backups import record_restore


@dataclass(frozen=True)
class CheckedBackup:
    root: Path
    manifest: dict
    manifest_sha256: str
    backend: str
    public_key: str | None
    replaced_head: tuple[int, str] | None  # the target's audit head now (None: empty)


def _check_layout(names: set[str], backend: str) -> None:
    """The files of a ``backend`` backup, no fewer and no others (check_backup has
    already refused another backend's manifest)."""
    if missing := sorted({DATABASE_FILES[backend], CHECKPOINTS} - names):
        raise BackupRefused(f"the backup has no {', '.join(missing)}")
    known = {DATABASE_FILES[backend], CHECKPOINTS, PUBLIC_KEY}
    if stray := sorted(n for n in names - known if not n.startswith(f"{DOCUMENTS}/")):
        raise BackupRefused(f"not part of a backup: {', '.join(stray[:5])}")


def _known_revisions() -> set[str]:
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    return {script.revision for script in scripts.walk_revisions()}


def _public_key(root: Path, names: set[str]) -> str | None:
    if PUBLIC_KEY not in names:
        return None
    key = (root / PUBLIC_KEY).read_text(encoding="ascii", errors="replace").strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise BackupRefused(f"{PUBLIC_KEY} does not hold an Ed25519 public key")
    return key


def _current_head(backend: str) -> tuple[int, str] | None:
    if backend == "sqlite" and not sqlite.database_file(db.engine).exists():
        return None  # checking must not leave an empty database file behind
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("audit_chain_head"):
            return None
        row = connection.exec_driver_sql(
            "SELECT seq, hash FROM audit_chain_head WHERE id = 1").one_or_none()
    return None if row is None else (row.seq, row.hash)


def check_backup(root: Path) -> CheckedBackup:
    """The backup, once it may be restored here; BackupRefused naming why not."""
    manifest, manifest_sha256 = checked_manifest(root)
    backend = backend_of(current_app.config["DATABASE_URL"])
    if manifest.get("backend") != backend:
        raise BackupRefused(f"a backup of a {manifest.get('backend')} database; this "
                            f"installation runs {backend}")
    names = {item["path"] for item in manifest["files"]}
    _check_layout(names, backend)
    revision = manifest.get("alembic_revision")
    if revision not in _known_revisions():
        raise BackupRefused(f"database revision {revision!r} is unknown to this release "
                            "(a backup from a newer release? upgrade the application first)")
    public_key, trusted = _public_key(root, names), trusted_key()
    if public_key and trusted and public_key != trusted:
        raise BackupRefused(f"the backup's checkpoints are signed with key {public_key}; "
                            f"this installation trusts {trusted}")
    if backend == "postgresql":
        postgres.client("pg_restore")
        postgres.check_target(db.engine, revision)
    return CheckedBackup(root, manifest, manifest_sha256, backend, public_key,
                         _current_head(backend))


def _put(source: Path, target: Path) -> None:
    """Copy into place under a temporary name, then rename: a file is whole or absent."""
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    copy_in(source, target.parent, part.name)
    os.replace(part, target)


def _restore_documents(backup: CheckedBackup, store: Path) -> None:
    prefix = f"{DOCUMENTS}/"
    keep = set()
    for item in backup.manifest["files"]:
        if item["path"].startswith(prefix):
            target = store / item["path"][len(prefix):]
            _put(backup.root / item["path"], target)
            keep.add(target)
    for path in list(store.rglob("*")):
        if path not in keep and (path.is_file() or path.is_symlink()):
            path.unlink()


def restore_backup(backup: CheckedBackup, *, actor: Actor) -> None:
    """Put the checked backup in place and record that it was; then run `flask audit
    verify` (the command does) before trusting the result."""
    config = current_app.config
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours holds the old database open
    METHODS[backup.backend].restore(db.engine, backup.root / DATABASE_FILES[backup.backend])
    db.engine.dispose()
    flask_migrate.upgrade()  # a backup of an earlier release gets this release's schema
    _put(backup.root / CHECKPOINTS, Path(config["AUDIT_CHECKPOINT_FILE"]))
    store = Path(config["DOCUMENT_DIR"])
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    _restore_documents(backup, store)
    record_restore(db.session, name=backup.root.resolve().name,
                   manifest_sha256=backup.manifest_sha256,
                   created_at=backup.manifest["created_at"],
                   replaced_head=backup.replaced_head, actor=actor)
    db.session.commit()
