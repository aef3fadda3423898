"""The engine and the request-scoped session, without Flask-SQLAlchemy.

Models stay plain SQLAlchemy; this module adds what each database needs to
behave the same under concurrency:

- SQLite: foreign keys on, WAL, ``synchronous=FULL`` (every commit is on disk
  before the request that made it answers), a busy timeout. SQLite has one
  writer at a time and no ``SELECT ... FOR UPDATE``; the verbs serialise by
  taking the write lock when their transaction begins. So:

  * a transaction that may write begins ``BEGIN IMMEDIATE`` (SQLAlchemy's
    documented pysqlite recipe): it waits for the lock before its first read,
    and a read-then-write verb never works on a stale snapshot. This is the
    default: verbs, CLI commands, jobs and every POST.
  * GET and HEAD requests only read (``BEGIN``, deferred): they take no lock
    and never wait for a writer. A deferred transaction that then writes (a GET
    that records a read of personal data) must upgrade; SQLite refuses that at
    once ("database is locked") when another writer holds the lock or committed
    since the snapshot, so such a GET is rolled back and run once more, this
    time ``IMMEDIATE`` (``_retry_as_writer``): it waits its turn, never fails
    silently and never writes from a stale snapshot.
  * Slow work in a writing request happens before its write transaction: an
    upload ends the transaction that loaded the user (nothing is written yet)
    and reads the whole file with none open (workflows/imports/runs.py); the
    sign-in checks the password (argon2) inside ``reading()``, ends that
    transaction, and takes the lock only to record the attempt.
- PostgreSQL: psycopg 3; row locks come from ``with_for_update()``.

Statement parameters (a NIK, a name) are left out of SQLAlchemy's error messages
(``hide_parameters``), so an error that reaches a log line does not carry them.
"""
import contextvars
from contextlib import contextmanager

from flask import current_app, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session

from models import Base
from workflows.audit import guard

_WRITER, _READER = "BEGIN IMMEDIATE", "BEGIN"
_begin = contextvars.ContextVar("sqlite_begin", default=_WRITER)
READ_METHODS = ("GET", "HEAD")


@contextmanager
def reading():
    """SQLite transactions begun inside begin deferred (read-only work, no write lock).

    End the transaction (commit) before writing: a write inside it would have to
    upgrade, which SQLite may refuse.
    """
    token = _begin.set(_READER)
    try:
        yield
    finally:
        _begin.reset(token)


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL's commit is durable only with FULL (some builds default WAL to NORMAL).
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql(_begin.get())

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

        app.before_request(_read_requests_defer)
        app.teardown_request(_end_deferral)
        app.register_error_handler(OperationalError, _retry_as_writer(app, self))


def _read_requests_defer() -> None:
    """GET and HEAD requests read; their transactions take no write lock."""
    if request.method in READ_METHODS:
        request.environ["caseapp.begin_token"] = _begin.set(_READER)


def _end_deferral(_exc) -> None:
    token = request.environ.pop("caseapp.begin_token", None)
    if token is not None:
        _begin.reset(token)


def _retry_as_writer(app, database: "Database"):
    """A GET whose deferred transaction could not upgrade to write runs again as a writer."""

    def handler(error: OperationalError):
        if ("database is locked" not in str(error.orig) or _begin.get() != _READER
                or request.environ.get("caseapp.retried")):
            raise error
        database.session.rollback()
        request.environ["caseapp.retried"] = True
        _begin.set(_WRITER)  # reset to the default by _end_deferral
        try:
            answer = app.dispatch_request()
        except Exception as again:  # a refusal's page, as on the first run
            answer = app.handle_user_exception(again)
        return app.make_response(answer)

    return handler
