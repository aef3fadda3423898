"""Throwaway test databases: a file SQLite, and a fresh PostgreSQL database per run.

PostgreSQL comes from CASEAPP_TEST_POSTGRES_URL or a server on 127.0.0.1:5432;
without one the PostgreSQL half is skipped, except under CI=true where it fails.
"""
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from caseapp.config import normalise_database_url

CI = os.environ.get("CI") == "true"
# CASEAPP_TEST_BACKENDS narrows a run to some of them (make test's pinned days: PostgreSQL).
BACKENDS = tuple(os.environ.get("CASEAPP_TEST_BACKENDS", "sqlite,postgresql").split(","))
if not BACKENDS or not set(BACKENDS) <= {"sqlite", "postgresql"}:
    raise ValueError(f"CASEAPP_TEST_BACKENDS: sqlite and/or postgresql, not {BACKENDS}")
_DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres_server_url() -> str | None:
    url = normalise_database_url(os.environ.get("CASEAPP_TEST_POSTGRES_URL", _DEFAULT_PG))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return url
    except OperationalError:
        return None
    finally:
        engine.dispose()


def require_postgres() -> str:
    url = _postgres_server_url()
    if url is None:
        message = "no PostgreSQL server (set CASEAPP_TEST_POSTGRES_URL or run one on 127.0.0.1:5432)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


class ThrowawayDatabase:
    """Create a database for ``backend`` and drop it again."""

    def __init__(self, backend: str, tmp_dir, label: str):
        self.backend = backend
        self.name = f"caseapp_test_{label}_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_dir / (self.name + '.db')}"
            self._server = None
            return
        self._server = require_postgres()
        self.url = make_url(self._server).set(database=self.name).render_as_string(
            hide_password=False)
        engine = create_engine(self._server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()

    def drop(self) -> None:
        if self._server is None:
            return
        engine = create_engine(self._server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()
