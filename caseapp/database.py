"""The engine and the request-scoped session, without Flask-SQLAlchemy.

Models stay plain SQLAlchemy; this module adds what each database needs to
behave the same under concurrency:

- SQLite: foreign keys on, WAL, a busy timeout, and every transaction opened
  with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented pysqlite recipe), because
  ``SELECT ... FOR UPDATE`` does not exist there.
- PostgreSQL: psycopg 3; row locks come from ``with_for_update()``.
"""
from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from models import Base
from workflows.audit import guard


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class _AppState:
    """One app's engine and what its sessions bind to (tests bind to one connection)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.bind = engine
        self.session_options: dict = {}


class _CurrentAppSessionFactory:
    """Makes sessions bound to the current app's database, so two apps in one
    process (tests, tools) never share an engine through this module-level object."""

    def __call__(self, **kwargs) -> Session:
        state = current_app.extensions["caseapp_db"]
        options = {"expire_on_commit": False, **state.session_options, **kwargs}
        return Session(bind=state.bind, **options)


class Database:
    """Flask extension: per-app engine, one request-scoped session proxy."""

    metadata = Base.metadata

    def __init__(self):
        self.session = scoped_session(_CurrentAppSessionFactory())
        guard.install(Session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["caseapp_db"].engine

    def state(self, app) -> _AppState:
        return app.extensions["caseapp_db"]

    def init_app(self, app) -> None:
        app.extensions["caseapp_db"] = _AppState(make_engine(app.config["DATABASE_URL"]))

        @app.teardown_appcontext
        def _remove_session(_exc):
            self.session.remove()
