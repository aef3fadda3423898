"""Background jobs: the queue, the kinds of work it runs, the pages that follow a job.

init_app builds the app's queue (caseapp/jobs/queue.py), registers the task that
runs any job and the periodic tasks, and keeps them in ``app.extensions``; pages
start jobs with caseapp/jobs/starting.py. A worker process runs them:
``python -m caseapp.jobs.worker`` (started by `make run`).
"""
import importlib
from dataclasses import dataclass
from functools import partial

from caseapp import health
from caseapp.jobs import files, periodic
from caseapp.jobs.queue import make_queue
from caseapp.jobs.runner import run_job

KIND_MODULES = ("caseapp.audit_workspace.jobs", "caseapp.bpjs.jobs", "caseapp.contributions.jobs",
                "caseapp.imports.jobs", "caseapp.reports.jobs", "caseapp.notices.jobs",
                "caseapp.membership.jobs")


@dataclass(frozen=True)
class JobQueue:
    huey: object
    run_task: object  # calling it with a job id puts the job on the queue


def init_app(app) -> None:
    huey = make_queue(app.config)
    run_task = huey.task(name="run_job")(lambda job_id: run_job(app, huey, job_id))
    periodic.register(app, huey)
    app.extensions["caseapp_jobs"] = JobQueue(huey, run_task)
    health.add_check(app, "queue", partial(queue_ready, huey))
    health.add_check(app, "job_files", lambda: health.takes_files(files.folder()))
    for module in KIND_MODULES:  # each area's kinds register themselves on import
        importlib.import_module(module)


def queue_ready(huey) -> None:
    """For /readyz: the queue's store answers (Redis reachable, the SQLite file readable)."""
    try:
        huey.pending_count()
    except Exception as exc:
        raise health.NotReady("queue unreachable", repr(exc)) from exc
