"""Concurrent appends from real connections never fork or gap the chain."""
import threading

import flask_migrate
import pytest
from sqlalchemy import func, select

from caseapp import create_app
from caseapp.extensions import db
from models import AuditEvent
from tests.conftest import TEST_CONFIG
from tests.databases import ThrowawayDatabase
from workflows.actor import Actor
from workflows.audit import record, verify_chain

THREADS, PER_THREAD = 8, 15


@pytest.fixture(scope="module")
def committed_app(backend, tmp_path_factory):
    """An app on its own database whose transactions really commit."""
    test_db = ThrowawayDatabase(backend, tmp_path_factory.mktemp("concurrency"), "chain")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": test_db.url})
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    db.state(app).engine.dispose()
    test_db.drop()


def test_parallel_appends_keep_one_gap_free_chain(committed_app):
    barrier = threading.Barrier(THREADS)
    errors = []

    def append(worker: int) -> None:
        try:
            with committed_app.app_context():
                barrier.wait()
                for i in range(PER_THREAD):
                    record(db.session, Actor.system(f"thread-{worker}"), "test.concurrent",
                           entity_type="thread", entity_id=f"{worker}-{i}")
                    db.session.commit()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with committed_app.app_context():
        seqs = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
        assert seqs == list(range(1, THREADS * PER_THREAD + 1))
        assert db.session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash)))) == len(seqs)
        assert verify_chain(db.session).ok
