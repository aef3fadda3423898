"""/healthz answers without the database or the session; /readyz says which check
fails (the database, its schema, the document folder, free space), with a 503 and a
generic reason, the detail going to the log only."""
import json
from pathlib import Path

import pytest
from sqlalchemy import event, text

from caseapp import create_app
from caseapp.extensions import db
from tests.conftest_config import app_config
from tests.helpers import login

CHECKS = {"database", "documents", "disk_space", "queue", "job_files"}
REASONS = {"unreachable", "schema not upgraded", "not writable", "low on free space",
           "free space unknown", "check failed"}


class Statements:
    """Counts the SQL statements the app's engine sends (on whatever connection)."""

    def __init__(self, app):
        self.engine, self.count = db.state(app).engine, 0

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _failed(response) -> dict:
    """The failing checks of a 503 answer, after checking it says nothing it should not."""
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failed" and set(body["checks"]) == CHECKS
    for outcome in body["checks"].values():
        assert set(outcome) <= {"status", "reason"}
        assert outcome["status"] == "ok" or outcome["reason"] in REASONS
    raw = response.get_data(as_text=True)
    for leak in ("/", "SELECT", "Error", "errno", "sqlite", "psycopg", "127.0.0.1"):
        assert leak not in raw, leak
    return {name: o["reason"] for name, o in body["checks"].items() if o["status"] != "ok"}


def test_healthz_reads_neither_database_nor_session(app, client, session):
    login(client, "cw1")
    with Statements(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert statements.count == 0
    assert "Set-Cookie" not in response.headers
    with Statements(app) as statements:  # the counter sees what the app sends
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 200
    assert statements.count > 0


def test_healthz_answers_and_readyz_refuses_without_a_database(backend, tmp_path):
    if backend == "sqlite":
        holder = tmp_path / "gone"
        url = f"sqlite:///{holder / 'caseapp.db'}"
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nobody listens there
    app = create_app(app_config(DATABASE_URL=url))
    if backend == "sqlite":  # the folder became a file: SQLite cannot open the database
        holder.rmdir()
        holder.write_text("")
    try:
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        assert _failed(client.get("/readyz")) == {"database": "unreachable"}
    finally:
        db.state(app).engine.dispose()


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok",
                                   "checks": {name: {"status": "ok"} for name in CHECKS}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_refuses_a_database_behind_the_migrations(client, session, capsys):
    session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    session.commit()  # the test's savepoint; the whole test is rolled back afterwards
    assert _failed(client.get("/readyz")) == {"database": "schema not upgraded"}
    assert "database at ['0001']" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_readyz_refuses_a_document_folder_it_cannot_write(app, client, monkeypatch, tmp_path,
                                                         capsys, kind):
    folder = tmp_path / "documents"
    if kind == "a file":
        folder.write_text("")
    monkeypatch.setitem(app.config, "DOCUMENT_DIR", str(folder))
    failed = _failed(client.get("/readyz"))
    assert failed["documents"] == "not writable"
    assert str(folder) in capsys.readouterr().err  # the detail is in the log


def test_readyz_leaves_no_file_in_the_document_folder(app, client):
    before = set(Path(app.config["DOCUMENT_DIR"]).iterdir())
    assert client.get("/readyz").status_code == 200
    assert set(Path(app.config["DOCUMENT_DIR"]).iterdir()) == before


def test_readyz_refuses_when_free_space_is_below_the_minimum(app, client, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "READY_MIN_FREE_BYTES", 1 << 62)
    assert _failed(client.get("/readyz")) == {"disk_space": "low on free space"}
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    warning, = [line for line in lines if line["logger"] == "caseapp.health"]
    assert warning["level"] == "WARNING" and "READY_MIN_FREE_BYTES" in warning["message"]


def test_a_check_added_later_is_run_and_its_failure_reported(tmp_path):
    """How the job queue adds its own: health.add_check(app, name, check)."""
    from caseapp import health

    app = create_app(app_config(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"))

    def queue():
        raise health.NotReady("no workers", "queue at redis://secret-host:6379")

    health.add_check(app, "queue", queue)
    response = app.test_client().get("/readyz")
    db.state(app).engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["checks"]["queue"] == {"status": "failed",
                                                      "reason": "no workers"}
    assert "secret-host" not in response.get_data(as_text=True)
