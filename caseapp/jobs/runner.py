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
import os
import socket
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


def this_worker() -> str:
    """host:pid of this process, recorded on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(app, huey, job_id: int) -> None:
    with (nullcontext() if has_app_context() else app.app_context()), \
            db.session.session_factory() as session:
        _run(huey, session, job_id)


def _run(huey, session, job_id: int) -> None:
    # Locked (PostgreSQL; SQLite's write transaction already is), so a second delivery
    # of the same job waits here and then finds it started.
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.status != "queued":
        session.rollback()
        log.warning("job %s delivered again or unknown; not run", job_id)
        return
    if not g.get("request_id"):  # the worker's log lines carry the request that asked
        g.request_id = job.request_id
    kind, upload = kind_of(job.kind), job.input_file
    home = kind.home(json.loads(job.params))
    actor = Actor.system(f"job-{job.kind}", request_id=job.request_id)
    progress, context, kept = None, None, None
    try:
        actor = job_actor(session, job, "scheduler")  # jobs nobody started are scheduled
        start_job(session, job, actor=actor, worker=this_worker())
        session.commit()
        progress = Progress(huey, job.id, files.estimated_rows(upload, job.file_name)
                            if upload else None)
        context = JobContext(session, job, actor, progress)
        done = kind.run(context)
        finish_job(session, job, done.outcome, actor=actor, output=done.output)
        session.commit()
        kept = done.output and done.output.file
    except WorkflowError as exc:  # a refusal, or the person who asked may no longer act
        session.rollback()
        _fail(session, job_id, Outcome.of(exc.message, "error", home), actor)
    except Exception:
        session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        unexpected = _l("The job stopped on an unexpected error; nothing of it was saved. "
                        "IT staff can find it in the server log (job %(id)s).", id=job_id)
        _fail(session, job_id, Outcome.of(unexpected, "error", home), actor)
    finally:
        if progress is not None:
            progress.clear()
        files.remove(upload)
        for name in context.made if context else ():  # a file of a job that did not end well
            if name != kept:
                files.remove(name)


def _fail(session, job_id: int, outcome: Outcome, actor) -> None:
    """End the job as failed; should even that fail (the database gone), the job stays
    as it was, and the next worker start ends it (caseapp/jobs/recovery.py)."""
    try:
        fail_job(session, session.get(Job, job_id), outcome, actor=actor)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("job %s could not be recorded as failed", job_id)
