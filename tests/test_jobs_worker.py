"""Jobs run by a real worker process (Huey's consumer) on a real queue: the SQLite
file of `make run`, and Redis for several machines. The page that started a job
answers at once; the job waits for the worker; its progress and outcome are read
from stores every process shares."""
import io
import os
import signal
import time

import pytest
import redis
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.jobs.progress import Progress, read
from caseapp.jobs.queue import make_queue
from models import AuditEvent, ImportRun, Job
from tests.conftest import committed_app
from tests.databases import BACKENDS, CI
from tests.factories import make_staff
from tests.helpers import csrf_token, login
from tests.job_worker import job_worker, worker_settings
from tests.test_imports import DTSEN_HEADER, dtsen_rows
from workflows.actor import Actor
from workflows.audit import verify_chain
from workflows.reference import load_reference_data

REDIS_URL = os.environ.get("CASEAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _setup(session):
    load_reference_data(session, actor=Actor.system("test-setup"))
    make_staff(session)


def _redis_or_skip() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        if CI:
            pytest.fail(f"no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def _csv(n: int) -> io.BytesIO:
    lines = [",".join(DTSEN_HEADER)] + [",".join(r) for r in dtsen_rows(n)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _wait_until_ended(client, job_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/jobs/{job_id}/status").json
        if status["ended"]:
            return status
        assert time.monotonic() < deadline, f"job {job_id} did not end: {status}"
        time.sleep(0.1)


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_import_waits_for_the_worker_which_runs_it(tmp_path, backend, queue):
    extra = {"REDIS_URL": _redis_or_skip()} if queue == "redis" else {}
    with committed_app(backend, tmp_path, "jobs", _setup,
                       **worker_settings(tmp_path, **extra)) as app:
        client = app.test_client()
        login(client, "cw1")
        response = client.post("/imports/dtsen", data={
            "csrf_token": csrf_token(client, "/imports/"), "as_of": "2026-07-01",
            "file": (_csv(2_000), "dtsen.csv")}, content_type="multipart/form-data")
        location = response.headers["Location"]
        job_id = int(location.rsplit("/", 1)[1])
        # No worker yet: the page answered at once and the job waits, shown as waiting.
        assert client.get(f"/jobs/{job_id}/status").json["status"] == "queued"
        assert 'data-testid="job-bar"' in client.get(location).get_data(as_text=True)
        with job_worker(app, tmp_path / "worker.log"):
            status = _wait_until_ended(client, job_id)
        assert status["status"] == "done"
        ended = client.get(location)
        with app.app_context():
            run = db.session.execute(select(ImportRun)).scalar_one()
            job = db.session.get(Job, job_id)
            assert (run.status, run.row_count, job.status) == ("applied", 2_000, "done")
            assert ended.headers["Location"] == f"/imports/?run={run.id}"
            events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_name)
                                        .where(AuditEvent.request_id == job.request_id)
                                        .order_by(AuditEvent.seq)).all()
            assert events == [("job.queued", "cw1"), ("job.started", "cw1"),
                              ("import.applied", "cw1"), ("job.finished", "cw1")]
            assert verify_chain(db.session).ok  # two processes appended to one chain
        assert not any((tmp_path / "job-files").iterdir())


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_progress_written_by_one_process_is_read_by_another(tmp_path, queue):
    """The bar is read by whichever app server the browser reaches, from the queue's
    store, not from the memory of the process running the job."""
    settings = {"JOB_QUEUE_NAME": f"caseapp-test-progress-{os.getpid()}",
                **worker_settings(tmp_path, **({"REDIS_URL": _redis_or_skip()}
                                                if queue == "redis" else {}))}
    settings["JOB_QUEUE_NAME"] += queue
    worker_side, page_side = make_queue(settings), make_queue(settings)
    progress = Progress(worker_side, 7, total=1_000, interval=0)
    assert read(page_side, 7) is None
    progress(250)
    assert read(page_side, 7) == {"done": 250, "total": 1_000}
    progress(900)
    assert read(page_side, 7) == {"done": 900, "total": 1_000}
    progress.clear()
    assert read(page_side, 7) is None


def test_a_stopped_worker_finishes_the_job_in_hand(tmp_path):
    """SIGTERM (systemd, a deploy, `make run`'s Ctrl+C) lets the job end; it is not cut."""
    with committed_app("sqlite", tmp_path, "jobs-stop", _setup, **worker_settings(tmp_path)) \
            as app:
        client = app.test_client()
        login(client, "cw1")
        response = client.post("/imports/dtsen", data={
            "csrf_token": csrf_token(client, "/imports/"), "as_of": "2026-07-01",
            "file": (_csv(100_000), "dtsen.csv")}, content_type="multipart/form-data")
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with job_worker(app, tmp_path / "worker.log") as worker:
            deadline = time.monotonic() + 60
            while client.get(f"/jobs/{job_id}/status").json["status"] == "queued":
                assert time.monotonic() < deadline, "the worker never took the job"
                time.sleep(0.05)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(120) == 0
        with app.app_context():
            job = db.session.get(Job, job_id)
            assert job.status == "done", job.outcome
            assert db.session.execute(select(ImportRun.row_count)).scalar_one() == 100_000
