"""SQLite's one write lock (caseapp/database.py): pages that only read do not wait
for it, and a page that reads and then records the read still gets it, in turn."""
import threading
import time

import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from models import AuditEvent
from tests.conftest import committed_app
from tests.factories import make_application, make_staff
from tests.helpers import login
from workflows.actor import Actor
from workflows.reference import load_reference_data


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        make_application(session, make_staff(session)["cw1"])

    with committed_app("sqlite", tmp_path_factory.mktemp("tx"), "tx", setup) as app:
        yield app


class _Writer:
    """Another connection holding the write lock until told (or ``hold`` seconds)."""

    def __init__(self, app, hold: float):
        self.locked, self.release = threading.Event(), threading.Event()
        self.held_to_the_end = False

        def run():
            with db.state(app).engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE
                self.locked.set()
                self.held_to_the_end = not self.release.wait(timeout=hold)
                connection.rollback()

        self.thread = threading.Thread(target=run)

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *_exc):
        self.release.set()
        self.thread.join(timeout=30)


def test_a_page_that_only_reads_does_not_wait_for_a_writer(live):
    client = live.test_client()
    login(client, "cw1")
    with _Writer(live, hold=10) as writer:
        assert client.get("/imports/").status_code == 200
        assert not writer.release.is_set()
        writer.release.set()
    assert not writer.held_to_the_end  # the page answered while the lock was held


def test_a_page_that_records_a_read_waits_its_turn_and_records_once(live):
    client = live.test_client()
    login(client, "cw1")
    with live.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "application.view"))
    with _Writer(live, hold=1):
        started = time.monotonic()
        assert client.get("/cases/1").status_code == 200
        assert time.monotonic() - started >= 0.5  # it waited for the writer to finish
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "application.view")) == before + 1
