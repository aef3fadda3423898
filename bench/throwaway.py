"""A throwaway database for a bench script: a temp SQLite file, or a fresh PostgreSQL
database (argument ``postgres`` or a server URL) that is dropped afterwards."""
import hashlib
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import flask_migrate
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp import create_app
from caseapp.config import normalise_database_url
from caseapp.extensions import db
from models import Decree, clock
from workflows.actor import Actor
from workflows.reference import load_reference_data
from workflows.users import create_user


def _server(argument: str) -> str:
    return normalise_database_url(
        "postgresql://postgres@127.0.0.1:5432/postgres" if argument == "postgres" else argument)


def _named(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def create(argument: str | None, name: str):
    """``(database URL, admin engine or None)``."""
    if not argument:
        return "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db"), None
    server = _server(argument)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return _named(server, name), admin


def drop(admin, name: str) -> None:
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _migrated(url: str):
    """An app context on ``url``, migrated to the head."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            flask_migrate.upgrade()
            yield
    finally:
        db.state(app).engine.dispose()


@contextmanager
def migrated_app(argument: str | None, name: str, *, keep: bool = False):
    """Inside an app context on a fresh, migrated throwaway database (see ``create``),
    yields its URL; the database is dropped afterwards unless ``keep``."""
    url, admin = create(argument, name)
    try:
        with _migrated(url):
            yield url
    finally:
        if not keep:
            drop(admin, name)


@contextmanager
def kept_app(argument: str | None, name: str):
    """Inside an app context on a PostgreSQL database ``migrated_app(..., keep=True)``
    left, migrated to the head; yields its URL."""
    url = _named(_server(argument or "postgres"), name)
    with _migrated(url):
        yield url


def signed_decree(session, *, sk_number: str, sk_date: date, head_id: int, approved: int,
                  waitlisted: int = 0, total: int, snapshot: str = "{}") -> Decree:
    """A decree as it stands once its signed number is entered, for a bench's set-up."""
    decree = Decree(status="signed", proposal_number=f"USULAN-{sk_date.year}-BENCH",
                    proposed_by_id=head_id, sk_number=sk_number, sk_date=sk_date,
                    fiscal_year=sk_date.year, approved_by_id=head_id, signed_at=clock.now(),
                    approved_count=approved, waitlisted_count=waitlisted,
                    total_commitment=total, snapshot=snapshot,
                    snapshot_sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest())
    session.add(decree)
    session.flush()
    return decree


def bench_staff(session) -> dict:
    """Reference data and a caseworker (``cw``), a head (``kadis``) and an admin (``it``)."""
    system = Actor.system("bench")
    load_reference_data(session, actor=system)
    return {name: Actor.for_user(create_user(
        session, username=name, full_name=name, password="Bench-Pass-2026", roles=[role],
        actor=system, must_change_password=False))
        for name, role in (("cw", "caseworker"), ("kadis", "head"), ("it", "admin"))}
