"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test
inside a transaction that is rolled back afterwards."""
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy.orm import Session

from caseapp import create_app
from caseapp.extensions import db
from models import clock
from tests.conftest_config import FIXTURE_DAY, SESSION_TODAY, app_config
from tests.databases import BACKENDS, ThrowawayDatabase
from tests.factories import STAFF, make_staff
from workflows.actor import Actor
from workflows.reference import load_reference_data

pytest_plugins = ["tests.browser_helpers"]


@pytest.fixture(scope="session", autouse=True)
def session_day():
    """The suite runs on today, or on the day CASEAPP_TEST_TODAY names."""
    if SESSION_TODAY is None:
        yield
        return
    with clock.pinned(SESSION_TODAY):
        yield


@pytest.fixture(autouse=True)
def fixture_day(request):
    """Every test reads FIXTURE_DAY from the clock, or the day its `day` marker names;
    those marked `calendar` must hold on whatever day the session runs."""
    if request.node.get_closest_marker("calendar"):
        yield
        return
    marker = request.node.get_closest_marker("day")
    with clock.pinned(marker.args[0] if marker else FIXTURE_DAY):
        yield


def build_app(database_url: str, **extra):
    """An app on a migrated database holding reference data and the standard staff."""
    app = create_app(app_config(DATABASE_URL=database_url, **extra))
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_data(db.session, actor=Actor.system("test-setup"))
        make_staff(db.session)
        db.session.commit()
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database(backend, tmp_path_factory):
    test_db = ThrowawayDatabase(backend, tmp_path_factory.mktemp("db"), "main")
    yield test_db
    test_db.drop()


@pytest.fixture(scope="session")
def app(database):
    app = build_app(database.url)
    yield app
    db.state(app).engine.dispose()


@contextmanager
def committed_app(backend: str, tmp_dir, label: str, setup=None, **config):
    """An app on its own throwaway database whose transactions really commit
    (for concurrency tests and the live server of the browser tests)."""
    test_db = ThrowawayDatabase(backend, tmp_dir, label)
    app = create_app(app_config(DATABASE_URL=test_db.url, **config))
    with app.app_context():
        flask_migrate.upgrade()
        if setup is not None:
            setup(db.session)
            db.session.commit()
    try:
        yield app
    finally:
        db.state(app).engine.dispose()
        test_db.drop()


@contextmanager
def rolled_back_session(app):
    """A test session and the app's own sessions on one connection, rolled back at the end.

    Commits (in the test or in requests) only release savepoints. No app context
    is held open, so each request gets a fresh one as in production.
    """
    state = db.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    state.bind = connection
    state.session_options = {"join_transaction_mode": "create_savepoint"}
    test_session = Session(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
    try:
        yield test_session
    finally:
        test_session.close()
        outer.rollback()
        connection.close()
        state.bind, state.session_options = state.engine, {}


@pytest.fixture
def session(app):
    with rolled_back_session(app) as test_session:
        yield test_session
    # The job files the test's jobs made (reports nobody fetched) go with its rows.
    for left in Path(app.config["JOB_FILE_DIR"]).glob("*"):
        left.unlink()


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture
def staff(session):
    """Actor per standard test account (see tests.factories.STAFF)."""
    from sqlalchemy import select
    from models import User

    users = session.execute(select(User).where(User.username.in_(STAFF))).scalars()
    return {u.username: Actor.for_user(u, ip="127.0.0.1", request_id="test") for u in users}


@pytest.fixture
def signing(app, tmp_path, monkeypatch):
    """An empty place for the audit signing key and the checkpoint export file: no key
    there until `flask audit keygen`. Returns (key path, export path)."""
    key, export = tmp_path / "key.pem", tmp_path / "checkpoints.jsonl"
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY", str(key))
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_FILE", str(export))
    return key, export
