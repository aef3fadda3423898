"""SQLite: snapshot and restore through SQLite's online backup API.

``Connection.backup`` copies the database page by page inside one read transaction,
so the copy is consistent while the application keeps writing (WAL lets it), and
includes what sits in the WAL. The copy is switched to a rollback journal so the
file stands alone. Restoring goes the same way in reverse: the backup API writes
into the live file as one transaction through SQLite's own locking, so other
processes never see half a database and no stale -wal file is replayed over it.
"""
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import Engine

from caseapp.backup import BackupRefused, snapshot_facts
from caseapp.private_files import sqlite_file

_BUSY_SECONDS = 30


def database_file(engine: Engine) -> Path:
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is None:
        raise BackupRefused("an in-memory SQLite database cannot be backed up or restored")
    return path


def snapshot(engine: Engine, target: Path) -> dict:
    """Copy the database to ``target`` (0600); the manifest's facts of the copy."""
    live = database_file(engine)
    if not live.is_file():  # connecting would create an empty one
        raise BackupRefused(f"there is no database at {live}")
    with closing(sqlite3.connect(live, timeout=_BUSY_SECONDS)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        facts = snapshot_facts(lambda sql: copy.execute(sql).fetchall())
    target.chmod(0o600)
    return facts


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with ``source`` in one transaction."""
    target = database_file(engine)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as backup, \
            closing(sqlite3.connect(target, timeout=_BUSY_SECONDS)) as live:
        backup.backup(live)
    target.chmod(0o600)
