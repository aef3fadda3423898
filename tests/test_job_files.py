"""Files made by jobs (reports, evidence packs): the job's page fetches the file at once,
only the person who started the job gets it, once; a job that fails leaves no file, and
files nobody fetched go after a day. Jobs run at once in the request here."""
import hashlib
import json
import os
from datetime import datetime, timezone

from sqlalchemy import select

from caseapp.jobs import files
from caseapp.jobs.kinds import job_kind
from caseapp.jobs.periodic import tidy_up
from caseapp.jobs.runner import run_job
from caseapp.reports.jobs import job_name, report_params
from caseapp.reports.service import ROLES
from models import AuditEvent, Job
from tests.helpers import csrf_token, events_since, head_seq, job_file, login
from tests.report_helpers import diff_of, translated
from workflows.errors import InvalidInput
from workflows.jobs import queue_job
from workflows.messages import lazy_gettext as _l

PERIOD = {"from": "2026-01-01", "to": "2026-07-10"}


def _program_report(client):
    return client.post("/reports/program", data={
        "csrf_token": csrf_token(client, "/reports/"), "format": "xlsx", **PERIOD})


def _job(session, response) -> Job:
    session.expire_all()
    return session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))


def _stored(app) -> list[str]:
    with app.app_context():
        return sorted(path.name for path in files.folder().iterdir())


def test_the_job_page_fetches_the_file_once_and_only_for_its_starter(app, client, session):
    login(client, "head")
    started = _program_report(client)
    job = _job(session, started)
    assert (job.kind, job.status, job.output_name) == (
        "report.program", "done", "laporan-pelaksanaan_2026-01-01_2026-07-10.xlsx")
    assert _stored(app) == [job.output_file] and job.output_file.startswith("out-")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    # The page's script submits this form once on load; no inline script (CSP).
    assert f'<form method="post" action="/jobs/{job.id}/file" data-auto-download' in page
    assert "js/job.js" in page and "<script>" not in page

    other = app.test_client()
    login(other, "audit1")  # may generate the same report, but this file is not theirs
    token = csrf_token(other, "/reports/")
    assert other.post(f"/jobs/{job.id}/file", data={"csrf_token": token}).status_code == 404
    assert other.get(f"/jobs/{job.id}").status_code == 404

    seq = head_seq(session)
    taken = job_file(client, started)
    assert taken.status_code == 200 and taken.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename={job.output_name}' in taken.headers["Content-Disposition"]
    assert hashlib.sha256(taken.data).hexdigest() == job.output_sha256
    generated = session.execute(select(AuditEvent).where(
        AuditEvent.action == "report.generate")).scalar_one()
    assert diff_of(generated)["sha256"] == job.output_sha256
    download, = events_since(session, seq)
    assert (download.action, download.actor_name) == ("report.download", "head")
    assert diff_of(download)["destination"] == "http"
    assert _stored(app) == []  # single use: the file is gone once sent
    job = _job(session, started)
    assert job.output_file is None and job.output_taken_at is not None

    # Again: refused, saying it was taken and to generate it again; the page no longer
    # fetches anything by itself.
    again = client.post(f"/jobs/{job.id}/file", data={"csrf_token": csrf_token(client, "/")})
    assert again.status_code == 409 and again.mimetype == "text/html"
    text = again.get_data(as_text=True)
    assert translated(app, "This file was already downloaded, and each file is given only "
                           "once. Generate it again for another copy.") in text
    assert "data-auto-download" not in text
    refused = events_since(session, seq)[1:]
    assert [(e.action, e.entity_type, e.entity_id) for e in refused] == [
        ("jobs.download.refused", "background_job", str(job.id))]  # in the job's history
    assert 'data-testid="job-file-taken"' in client.get(f"/jobs/{job.id}").get_data(
        as_text=True)


def test_a_file_kept_past_a_day_is_removed_and_the_page_says_so(app, client, session):
    login(client, "head")
    started = _program_report(client)
    job = _job(session, started)
    with app.app_context():
        path = files.path_of(job.output_file)
        upload, upload_path = files.new_file()  # an upload waiting for its job: kept
    with app.app_context():
        day_old = files.store_now() - 24 * 3600 - 60
    for old in (path, upload_path):
        os.utime(old, (day_old, day_old))
    with app.app_context():
        fresh, _fresh_path = files.new_output()
    assert tidy_up(app) == 1
    assert _stored(app) == sorted([upload, fresh])
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "data-auto-download" not in page and 'data-testid="job-file-gone"' in page
    seq = head_seq(session)
    gone = client.post(f"/jobs/{job.id}/file", data={"csrf_token": csrf_token(client, "/")})
    assert gone.status_code == 410
    assert events_since(session, seq) == []  # nothing left, nothing recorded as taken
    # It runs hourly, in the worker's schedule.
    huey = app.extensions["caseapp_jobs"].huey
    due = [task.name for task in huey.read_periodic(datetime(2026, 7, 10, 3, 35,
                                                             tzinfo=timezone.utc))]
    assert "scheduled-old-outputs" in due


def test_a_report_the_job_refuses_leaves_no_file(app, client, session, staff):
    """The page checks the request before queueing it; the job checks it again when it
    runs (here: queued without the page, with too short a purpose)."""
    before = head_seq(session)
    job = queue_job(session, job_name("decree"), actor=staff["head"], roles=ROLES["decree"],
                    params=report_params("csv", {"sk_number": "SK-TIDAK-ADA"}, "singkat"))
    session.commit()
    with app.app_context():
        run_job(app, app.extensions["caseapp_jobs"].huey, job.id)
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status == "failed" and job.output_name is None
    assert json.loads(job.outcome)["message"].startswith("State the purpose of this export")
    assert [e.action for e in events_since(session, before)] == [
        "job.queued", "job.started", "job.failed"]  # no report.generate
    assert _stored(app) == []
    login(client, "head")
    assert client.get(f"/jobs/{job.id}").headers["Location"] == "/reports/"  # with the reason


@job_kind("test.writes_then_fails", _l("A job that breaks after writing its file"),
          lambda params: ("jobs.index", {}), ("head",))
def _writes_then_fails(ctx):
    ctx.keep_output(b"half a report", "laporan.pdf", "application/pdf")
    raise InvalidInput(_l("Unknown report."))


@job_kind("test.file_then_unexpected", _l("A job that breaks after writing its file"),
          lambda params: ("jobs.index", {}), ("head",))
def _file_then_unexpected(ctx):
    ctx.keep_output(b"half a report", "laporan.pdf", "application/pdf")
    raise RuntimeError("renderer crashed")


def test_a_job_that_fails_after_writing_its_file_removes_it(app, session, staff):
    huey = app.extensions["caseapp_jobs"].huey
    for kind in ("test.writes_then_fails", "test.file_then_unexpected"):
        job = queue_job(session, kind, actor=staff["head"], roles=("head",))
        session.commit()
        with app.app_context():
            run_job(app, huey, job.id)
        session.expire_all()
        job = session.get(Job, job.id)
        assert (job.status, job.output_file, job.output_name) == ("failed", None, None), kind
        assert _stored(app) == [], kind
