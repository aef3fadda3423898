"""The job queue: a job's life (queued, run for its starter, ended with an outcome),
refusals and errors, who may follow a job, and the scheduled jobs. Jobs run at once
in the request here (JOB_QUEUE immediate); tests/test_jobs_worker.py runs a real
worker process."""
import io
import json
import logging
from functools import partial

from flask_login import login_user
from sqlalchemy import select

from caseapp.jobs import JobQueue, files, queue_ready
from caseapp.jobs.kinds import job_kind
from caseapp.jobs.periodic import run_scheduled, sign_checkpoint
from caseapp.jobs.queue import make_queue
from caseapp.jobs.runner import run_job
from caseapp.jobs.starting import start_job
from models import AuditCheckpoint, AuditEvent, ImportRun, Job, User
from tests.helpers import csrf_token, events_since, head_seq, job_result, login
from tests.test_imports import DTSEN_HEADER, dtsen_rows
from workflows.audit import record
from workflows.audit.checkpoints import generate_key
from workflows.jobs import queue_job
from workflows.messages import lazy_gettext as _l


def _csv(rows, header=DTSEN_HEADER) -> io.BytesIO:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _upload(client, path: str, content: io.BytesIO, name: str = "dtsen.csv", **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/imports/"),
                                   "file": (content, name), **fields},
                       content_type="multipart/form-data")


def _logout(client) -> None:
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})


def _last_job(session) -> Job:
    return session.execute(select(Job).order_by(Job.id.desc()).limit(1)).scalar_one()


def test_an_upload_runs_as_a_job_of_the_person_who_started_it(app, client, session):
    login(client, "cw1")
    before = head_seq(session)
    response = _upload(client, "/imports/dtsen", _csv(dtsen_rows(25)), as_of="2026-07-01")
    job = _last_job(session)
    assert (job.kind, job.status, job.file_name) == ("import.dtsen", "done", "dtsen.csv")
    run = session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)).scalar_one()
    assert (run.status, run.row_count) == ("applied", 25)
    assert job_result(client, response) == f"/imports/?run={run.id}"
    assert json.loads(job.outcome)["args"] == {"rows": 25, "id": run.id}
    # The job's steps and the work it did are the caseworker's, from the upload request.
    steps = events_since(session, before)
    assert [e.action for e in steps] == ["job.queued", "job.started", "import.applied",
                                         "job.finished"]
    assert {(e.actor_name, e.request_id) for e in steps} == {("cw1", job.request_id)}
    assert job.request_id and steps[0].entity_id == str(job.id)
    # The uploaded file does not outlive its job.
    with app.app_context():
        assert not any(files.folder().iterdir())


def test_a_refused_job_changes_nothing_and_says_why(app, client, session):
    login(client, "cw1")
    before = head_seq(session)
    response = _upload(client, "/imports/intake", io.BytesIO(b"nik\n1\n"), "usulan.csv",
                       channel="<b>lain</b>", year="2026")
    job = _last_job(session)
    assert job.status == "failed" and json.loads(job.outcome)["category"] == "error"
    assert session.execute(select(ImportRun)).first() is None
    assert job_result(client, response) == "/imports/"
    page = client.get("/imports/").get_data(as_text=True)
    assert "&lt;b&gt;lain&lt;/b&gt;" in page and "<b>lain</b>" not in page  # escaped
    failed = events_since(session, before)[-1]
    assert (failed.action, failed.reason) == ("job.failed", "Unknown intake channel %(value)s.")
    with app.app_context():
        assert not any(files.folder().iterdir())


@job_kind("test.breaks", _l("A job that breaks"), lambda params: ("jobs.index", {}), ("caseworker",))
def _breaks(ctx):
    ctx.session.add(User(username="half-written", full_name="x", password_hash="x"))
    ctx.session.flush()
    raise RuntimeError("disk on fire")


def test_an_unexpected_error_fails_the_job_without_its_half_done_work(
        app, client, session, caplog):
    login(client, "cw1")
    with app.test_request_context():
        login_user(session.execute(select(User).where(User.username == "cw1")).scalar_one())
        with caplog.at_level(logging.ERROR, logger="caseapp.jobs.runner"):
            job = start_job("test.breaks", {})
    job = session.get(Job, job.id, populate_existing=True)
    assert job.status == "failed"
    outcome = json.loads(job.outcome)
    assert outcome["message"].startswith("The job stopped on an unexpected error")
    assert "disk on fire" not in job.outcome  # the detail is for the log, not the page
    assert "disk on fire" in caplog.text
    assert session.execute(select(User).where(User.username == "half-written")).first() is None


def test_a_job_delivered_twice_runs_once(app, client, session):
    login(client, "cw1")
    _upload(client, "/imports/dtsen", _csv(dtsen_rows(3)), as_of="2026-07-01")
    job = _last_job(session)
    before = head_seq(session)
    with app.app_context():
        run_job(app, app.extensions["caseapp_jobs"].huey, job.id)
    assert head_seq(session) == before
    assert session.scalar(select(ImportRun.id).where(ImportRun.status == "applied")) is not None


def test_only_the_person_who_started_a_job_follows_it(client, session):
    login(client, "cw1")
    _upload(client, "/imports/dtsen", _csv(dtsen_rows(3)), as_of="2026-07-01")
    job = _last_job(session)
    assert client.get(f"/jobs/{job.id}/status").json["status"] == "done"
    assert str(job.id) in client.get("/jobs/").get_data(as_text=True)
    _logout(client)
    login(client, "cw2")
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/status"):
        assert client.get(path).status_code == 404, path
    assert f'href="/jobs/{job.id}"' not in client.get("/jobs/").get_data(as_text=True)
    _logout(client)
    assert client.get(f"/jobs/{job.id}/status").status_code == 302  # to the sign-in


def test_a_job_acts_with_the_account_as_it_is_when_the_job_runs(app, session, staff):
    job = queue_job(session, "import.dtsen", actor=staff["cw1"], roles=("caseworker",),
                    params={"as_of": "2026-07-01"})
    session.get(User, staff["cw1"].user_id).active = False
    session.commit()
    with app.app_context():
        run_job(app, app.extensions["caseapp_jobs"].huey, job.id)
    job = session.get(Job, job.id, populate_existing=True)
    assert job.status == "failed"
    assert json.loads(job.outcome)["message"] == (
        "The account that started this job is no longer active.")
    failed = session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
                             ).scalar_one()
    assert (failed.action, failed.actor_name) == ("job.failed", "system:job-import.dtsen")


def test_the_scheduler_marks_arrears_and_counts_the_lapse_as_jobs(app, session):
    huey = app.extensions["caseapp_jobs"].huey
    for kind, message in (("contributions.mark_arrears", "%(n)d month(s) marked as arrears."),
                          ("contributions.lapse_warnings", "%(n)d participant(s) at or near "
                                                            "the lapse, %(lapsed)d of them "
                                                            "lapsed.")):
        before = head_seq(session)
        job = session.get(Job, run_scheduled(app, huey, kind))
        assert (job.kind, job.status, job.started_by_id) == (kind, "done", None)
        assert json.loads(job.outcome)["message"] == message
        steps = events_since(session, before)
        assert {e.actor_name for e in steps} == {"system:scheduler"}
        assert steps[0].action == "job.queued" and steps[-1].action == "job.finished"
    counted = events_since(session, before)[2]
    assert counted.action == "contributions.lapse_counted"


def test_the_hourly_checkpoint_signs_only_when_due(app, session, staff, signing):
    generate_key(signing[0])
    record(session, staff["cw1"], "test.event")
    session.commit()
    assert sign_checkpoint(app) is True  # the first checkpoint: any event is due
    assert sign_checkpoint(app) is False  # nothing new since
    record(session, staff["cw1"], "test.event")
    session.commit()
    assert sign_checkpoint(app) is False  # one event, and the last checkpoint is recent
    checkpoints = session.execute(select(AuditCheckpoint)).scalars().all()
    assert len(checkpoints) == 1


def test_an_unreachable_queue_fails_the_job_at_once(app, client, session, monkeypatch):
    broken = make_queue({"JOB_QUEUE": "redis", "JOB_QUEUE_NAME": "caseapp-test-down",
                         "REDIS_URL": "redis://127.0.0.1:9/0"})  # nothing listens there
    real = app.extensions["caseapp_jobs"]
    monkeypatch.setitem(app.extensions, "caseapp_jobs",
                        JobQueue(broken, broken.task(name="run_job")(lambda job_id: None)))
    login(client, "cw1")
    response = _upload(client, "/imports/dtsen", _csv(dtsen_rows(3)), as_of="2026-07-01")
    monkeypatch.setitem(app.extensions, "caseapp_jobs", real)
    job = _last_job(session)
    assert job.status == "failed"
    assert json.loads(job.outcome)["message"].startswith("The job queue could not be reached")
    assert client.get(response.headers["Location"]).status_code == 200  # shows the outcome
    with app.app_context():
        assert not any(files.folder().iterdir())


def test_readiness_includes_the_queue(app, client, monkeypatch):
    assert client.get("/readyz").json["checks"]["queue"] == {"status": "ok"}
    broken = make_queue({"JOB_QUEUE": "redis", "JOB_QUEUE_NAME": "caseapp-test-down",
                         "REDIS_URL": "redis://127.0.0.1:9/0"})
    checks = [(name, check) for name, check in app.extensions["caseapp_ready_checks"]]
    monkeypatch.setitem(app.extensions, "caseapp_ready_checks", [
        (name, partial(queue_ready, broken) if name == "queue" else check)
        for name, check in checks])
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["queue"] == {"status": "failed", "reason": "queue unreachable"}
