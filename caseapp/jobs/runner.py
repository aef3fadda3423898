"""Running one job in a worker (or at once, in the request, in immediate mode).

The job has its own session and commits at its edges: started, then the verb's work
and the job's end together, so an outcome says "done" only with the work it
describes. A refusal rolls the work back and ends the job as failed with the
reason; an unexpected error the same, with a generic message (the details go to the
log, never to the page); a file the job made is removed unless it ended done. A job
delivered twice runs once.
"""
import json
import logging
from contextlib import nullcontext

from flask import g, has_app_context

from caseapp.extensions import db
from caseapp.jobs import files
from caseapp.jobs.kinds import JobContext, kind_of
from caseapp.jobs.progress import Progress
from models import Job
from workflows.actor import Actor
from workflows.errors import WorkflowError
from workflows.jobs import Outcome, fail_job, finish_job, job_actor, start_job
from workflows.messages import lazy_gettext as _l

log = logging.getLogger(__name__)


def run_job(app, huey, job_id: int) -> None:
    with nullcontext() if has_app_context() else app.app_context():
        session = db.session.session_factory()
        try:
            _run(huey, session, job_id)
        finally:
            session.close()


def _run(huey, session, job_id: int) -> None:
    job = session.get(Job, job_id)
    if job is None or job.status != "queued":
        log.warning("job %s delivered again or unknown; not run", job_id)
        return
    if not g.get("request_id"):  # the worker's log lines carry the request that asked
        g.request_id = job.request_id
    kind = kind_of(job.kind)
    home = kind.home(json.loads(job.params))
    try:
        actor = job_actor(session, job, "scheduler")  # jobs nobody started are scheduled
        start_job(session, job, actor=actor)
        session.commit()
    except WorkflowError as exc:  # the person who asked may no longer act
        session.rollback()
        _fail(session, job, Outcome.of(exc.message, "error", home),
              Actor.system(f"job-{job.kind}", request_id=job.request_id))
        files.remove(job.input_file)
        return
    progress = Progress(huey, job.id, files.estimated_rows(job.input_file, job.file_name)
                        if job.input_file else None)
    context, kept = JobContext(session, job, actor, progress), None
    try:
        done = kind.run(context)
        finish_job(session, job, done.outcome, actor=actor, output=done.output)
        session.commit()
        kept = done.output and done.output.file
    except WorkflowError as exc:
        session.rollback()
        _fail(session, job, Outcome.of(exc.message, "error", home), actor)
    except Exception:
        session.rollback()
        log.exception("job %s (%s) failed", job.id, job.kind)
        unexpected = _l("The job stopped on an unexpected error; nothing of it was saved. "
                        "IT staff can find it in the server log (job %(id)s).", id=job.id)
        _fail(session, job, Outcome.of(unexpected, "error", home), actor)
    finally:
        progress.clear()
        files.remove(job.input_file)
        for name in context.made:  # a file of a job that did not end well goes too
            if name != kept:
                files.remove(name)


def _fail(session, job: Job, outcome: Outcome, actor) -> None:
    job = session.get(Job, job.id)
    fail_job(session, job, outcome, actor=actor)
    session.commit()
