"""A throwaway database for a bench script: a temp SQLite file, or a fresh PostgreSQL
database (argument ``postgres`` or a server URL) that is dropped afterwards."""
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp.config import normalise_database_url


def create(argument: str | None, name: str):
    """``(database URL, admin engine or None)``."""
    if not argument:
        return "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db"), None
    server = normalise_database_url(
        "postgresql://postgres@127.0.0.1:5432/postgres" if argument == "postgres" else argument)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False), admin


def drop(admin, name: str) -> None:
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
