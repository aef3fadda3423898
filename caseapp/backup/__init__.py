"""Backups of one installation (`flask backup create|restore`).

A backup is a directory, not an archive: restore checks each file where it lies
against the manifest (no unpacking of member names someone else chose), the
operator can copy it with rsync or pack it with tar for off-site storage, and it is
written under a hidden ``.partial`` name and renamed only when complete, so an
interrupted run never looks like a backup. Its layout:

    manifest.json              created_at, backend, alembic revision, audit head, files
    database.sqlite3 | database.pgdump
    audit-checkpoints.jsonl    the checkpoint export file (empty when none was signed)
    audit-public-key.txt       the checkpoints' public key (hex), when this host knows it
    documents/...              the document store

Never the private signing key: see README, "Backups and restore".
"""
from sqlalchemy.engine import make_url

FORMAT = "caseapp-backup/1"
MANIFEST = "manifest.json"
CHECKPOINTS = "audit-checkpoints.jsonl"
PUBLIC_KEY = "audit-public-key.txt"
DOCUMENTS = "documents"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupRefused(Exception):
    """A backup that cannot be made or restored as asked; nothing was changed."""


def backend_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in DATABASE_FILES:
        raise BackupRefused(f"no backup method for a {backend} database")
    return backend


def snapshot_facts(rows) -> dict:
    """What the manifest says of a snapshot, read from the snapshot itself (``rows(sql)``
    returns a query's rows), so they cannot disagree with it."""
    [(revision,)] = rows("SELECT version_num FROM alembic_version")
    [(seq, head_hash)] = rows("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
    return {"alembic_revision": revision, "audit_head": {"seq": seq, "hash": head_hash}}
