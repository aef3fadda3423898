"""PostgreSQL: ``pg_dump --format=custom`` to back up, ``pg_restore`` in one transaction.

pg_dump reads everything in one repeatable-read snapshot, so the dump is consistent
while the application writes. That snapshot is exported from our own transaction
(``pg_export_snapshot()``, ``--snapshot``), so the revision and audit head written
into the manifest are read from exactly the data that was dumped.

Restore runs ``pg_restore --clean --if-exists --single-transaction`` on the configured
database: every object of the dump is dropped and created again and the data loaded
in one transaction, so any failure (a missing role, a lock not granted within
``lock_timeout`` because an app server still holds one, a dump made by a newer
pg_dump) leaves the database exactly as it was; restoring into a second database and
renaming it would need every connection closed and the configuration changed.
``--clean`` drops only what the dump holds, so the target must be empty or at the
backup's own revision (then both have the same tables); anything else is refused
first. ``--no-owner``: the objects belong to the role running the restore, which must
be the schema owner that runs ``flask db upgrade``; the dump's grants to the
application role come back with them.
"""
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from caseapp.backup import BackupRefused, snapshot_facts

_LOCK_TIMEOUT = "30s"


def client(name: str) -> str:
    """The path of pg_dump or pg_restore, or a refusal saying what to install."""
    path = shutil.which(name)
    if path is None:
        raise BackupRefused(
            f"{name} is not installed: install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: postgresql-client)")
    return path


def _libpq(engine: Engine) -> tuple[str, dict]:
    """A libpq URL without the password, and an environment carrying it (PGPASSWORD),
    so the password never shows in the process list."""
    environment = dict(os.environ)
    if engine.url.password:
        environment["PGPASSWORD"] = engine.url.password
    url = engine.url.set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False), environment


def _run(arguments: list[str], environment: dict) -> None:
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"{Path(arguments[0]).name} failed: {done.stderr.strip()}")


def snapshot(engine: Engine, target: Path) -> dict:
    """Dump the database to ``target`` (0600); the manifest's facts of the dump."""
    pg_dump = client("pg_dump")
    url, environment = _libpq(engine)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = snapshot_facts(lambda sql: connection.exec_driver_sql(sql).all())
            _run([pg_dump, "--format=custom", f"--snapshot={exported}", f"--file={target}",
                  f"--dbname={url}"], environment)
    target.chmod(0o600)
    return facts


def check_target(engine: Engine, revision: str) -> None:
    """Refuse a database that --clean could not clear completely."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        current = (connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                   .scalar() if "alembic_version" in tables else None)
    if tables and current != revision:
        raise BackupRefused(
            f"the database holds a schema at revision {current or 'unknown'}, the backup is "
            f"at {revision}: restore into an empty database (createdb) or one at {revision}")


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's objects and data with the dump's, in one transaction."""
    pg_restore = client("pg_restore")
    url, environment = _libpq(engine)
    environment["PGOPTIONS"] = " ".join(
        filter(None, [environment.get("PGOPTIONS"), f"-c lock_timeout={_LOCK_TIMEOUT}"]))
    _run([pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
          "--no-owner", f"--dbname={url}", str(source)], environment)
