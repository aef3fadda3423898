"""Starting a job from a page: keep the upload, record the job, hand it to the queue.

The job row is committed before the queue hears of it (a worker must find it);
should the queue be unreachable the job ends at once as failed, so no job waits
forever and the file is not left behind.
"""
import logging

from flask import current_app, jsonify, redirect, request, url_for

from caseapp.actor import current_actor
from caseapp.extensions import db
from caseapp.jobs import files
from caseapp.jobs.kinds import kind_of
from models import Job
from workflows.jobs import Outcome, fail_job, queue_job, queue_job_allowed
from workflows.messages import lazy_gettext as _l

log = logging.getLogger(__name__)
QUEUE_DOWN = _l("The job queue could not be reached, so the job was not started; "
                "try again in a few minutes.")


def start_upload_job(kind: str, upload, params: dict) -> Job:
    """Raises NotAllowed, keeping nothing, when the person may not start ``kind``."""
    roles = kind_of(kind).roles
    actor = current_actor()
    queue_job_allowed(actor, roles)
    name = files.keep_upload(upload.stream)
    try:
        job = queue_job(db.session, kind, actor=actor, params=params, roles=roles,
                        input_file=name, file_name=upload.filename)
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.remove(name)
        raise
    return dispatch(job)


def start_job(kind: str, params: dict) -> Job:
    job = queue_job(db.session, kind, actor=current_actor(), params=params,
                    roles=kind_of(kind).roles)
    db.session.commit()
    return dispatch(job)


def dispatch(job: Job) -> Job:
    try:
        current_app.extensions["caseapp_jobs"].run_task(job.id)
    except Exception:  # Redis down or its file unwritable: say so, keep nothing waiting
        log.exception("could not put job %s on the queue", job.id)
        job = db.session.get(Job, job.id, populate_existing=True)
        if job.status == "queued":
            fail_job(db.session, job, Outcome.of(QUEUE_DOWN, "error"),
                     actor=current_actor())
            db.session.commit()
            files.remove(job.input_file)
    return job


def from_script() -> bool:
    """The upload page's script posted the form (static/js/upload.js)."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def go_to(location: str, status: int = 200):
    """Answer a form post: a redirect, or for the upload script the place to go (it
    follows ``location`` itself, so a flashed message is not used up on the way)."""
    return (jsonify(location=location), status) if from_script() else redirect(location)


def follow(job: Job):
    """Answer the page that started ``job``: go to the page that follows it."""
    return go_to(url_for("jobs.show", job_id=job.id))
