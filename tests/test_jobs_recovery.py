"""What happens to a job when things around it fail: its worker died under it, its
upload is gone, the person lost the role meanwhile, or nobody is at the screen."""
import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.jobs import files
from caseapp.jobs.recovery import end_interrupted_jobs
from caseapp.jobs.runner import run_job
from models import Job, UserSession, clock
from tests.helpers import events_since, head_seq, login
from workflows.actor import Actor
from workflows.errors import NotAllowed
from workflows.jobs import queue_job, start_job, take_job_output


def _last_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _running(session, staff, worker: str, input_file: str | None = None) -> Job:
    job = queue_job(session, "import.dtsen", actor=staff["cw1"], roles=("caseworker",),
                    params={"as_of": "2026-07-01"}, input_file=input_file,
                    file_name="dtsen.csv")
    start_job(session, job, actor=staff["cw1"], worker=worker)
    session.commit()
    return job


def test_a_restarted_worker_ends_the_jobs_its_dead_predecessor_left_running(
        app, session, staff):
    host = socket.gethostname()
    with app.app_context():
        upload, _path = files.new_file()
    dead = _running(session, staff, f"{host}:{_last_pid()}", upload)
    alive = _running(session, staff, f"{host}:{os.getpid()}")
    elsewhere = _running(session, staff, f"another-host:{_last_pid()}")
    before = head_seq(session)
    assert end_interrupted_jobs(app) == 1
    for job, status in ((dead, "failed"), (alive, "running"), (elsewhere, "running")):
        assert session.get(Job, job.id, populate_existing=True).status == status
    outcome = json.loads(session.get(Job, dead.id).outcome)
    assert outcome["message"].startswith("The job was interrupted")
    assert outcome["target"] == ["imports.index", {}]
    [ended] = events_since(session, before)
    assert (ended.action, ended.actor_name) == ("job.failed", "system:job-recovery")
    with app.app_context():
        assert not files.path_of(upload).exists()  # the personal data does not stay behind


def test_a_job_whose_upload_is_gone_fails_instead_of_hanging(app, session, staff):
    job = queue_job(session, "import.dtsen", actor=staff["cw1"], roles=("caseworker",),
                    params={"as_of": "2026-07-01"}, input_file="0" * 32,
                    file_name="dtsen.csv")
    session.commit()
    with app.app_context():
        run_job(app, app.extensions["caseapp_jobs"].huey, job.id)
    job = session.get(Job, job.id, populate_existing=True)
    assert job.status == "failed"
    assert json.loads(job.outcome)["message"].startswith("The job stopped on an unexpected")


def test_polling_a_job_does_not_keep_an_unattended_session_alive(app, client, session, staff):
    login(client, "cw1")
    job = queue_job(session, "import.dtsen", actor=staff["cw1"], roles=("caseworker",),
                    params={"as_of": "2026-07-01"})
    session.commit()
    row = session.execute(select(UserSession).where(UserSession.ended_at.is_(None))
                          .order_by(UserSession.id.desc()).limit(1)).scalar_one()
    seen = row.last_seen_at
    with clock.pinned(clock.now() + timedelta(minutes=10)):
        assert client.get(f"/jobs/{job.id}/status").status_code == 200
    assert session.get(UserSession, row.id, populate_existing=True).last_seen_at == seen
    with clock.pinned(clock.now() + timedelta(minutes=10)):
        client.get("/jobs/")  # the person opening a page does count
    assert session.get(UserSession, row.id, populate_existing=True).last_seen_at > seen


def test_readiness_checks_the_job_file_store(app, client, monkeypatch, tmp_path):
    assert client.get("/readyz").json["checks"]["job_files"] == {"status": "ok"}
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setitem(app.config, "JOB_FILE_DIR", str(blocked))
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["checks"]["job_files"]["status"] == "failed"
    assert str(blocked) not in answer.get_data(as_text=True)


def test_a_file_is_not_handed_to_someone_whose_role_was_taken_away(session, staff):
    job = queue_job(session, "report.program", actor=staff["head"], roles=("head",),
                    params={})
    session.commit()
    former_head = Actor(staff["head"].user_id, "head", ("caseworker",))
    with pytest.raises(NotAllowed):
        take_job_output(session, job, actor=former_head, roles=("head",),
                        record_taken=lambda *_: None)
