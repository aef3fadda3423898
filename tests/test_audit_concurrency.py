"""Concurrent appends from real connections never fork or gap the chain."""
import threading

import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from models import AuditEvent
from tests.conftest import committed_app
from workflows.actor import Actor
from workflows.audit import record, verify_chain

THREADS, PER_THREAD = 8, 15


@pytest.fixture(scope="module")
def committed(backend, tmp_path_factory):
    with committed_app(backend, tmp_path_factory.mktemp("concurrency"), "chain") as app:
        yield app


def test_parallel_appends_keep_one_gap_free_chain(committed):
    barrier = threading.Barrier(THREADS)
    errors = []

    def append(worker: int) -> None:
        try:
            with committed.app_context():
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
    with committed.app_context():
        seqs = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
        assert seqs == list(range(1, THREADS * PER_THREAD + 1))
        assert db.session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash)))) == len(seqs)
        assert verify_chain(db.session).ok
