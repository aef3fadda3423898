"""Files this app writes are readable by its own user only.

The SQLite database (and its -wal/-shm), the documents, the secret key and the
checkpoint file hold personal data or secrets, so the process creates files 0600 and
folders 0700 (umask 077), and the folders it keeps them in are made 0700 at start
even when an older install or a copy left them open.
"""
import os
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_UMASK = 0o077


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database or one in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def keep_private(config: dict, instance_path: str) -> None:
    os.umask(PRIVATE_UMASK)
    database = sqlite_file(config["DATABASE_URL"])
    folders = {Path(instance_path), Path(config["DOCUMENT_DIR"]),
               Path(config["AUDIT_CHECKPOINT_FILE"]).parent}
    if database is not None:
        folders.add(database.parent)
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid == os.getuid():
            folder.chmod(0o700)
    files = [Path(config["AUDIT_CHECKPOINT_FILE"])]
    if database is not None:
        files += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    for path in files:
        if path.exists() and path.stat().st_uid == os.getuid():
            path.chmod(0o600)
