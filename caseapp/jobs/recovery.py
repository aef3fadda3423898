"""Jobs whose worker died under them: ended as failed, their uploads removed.

A worker stopped hard (Ctrl+C, a kill, the machine going down) leaves the job it was
running marked "running" forever, and the person's page waiting. Each worker records
itself on a job as host:pid; when a worker starts, and every hour, it ends the jobs
of its own host whose process is gone. Workers on other hosts clean up their own.
"""
import json
import logging
import os
import socket

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.jobs import files
from caseapp.jobs.kinds import kind_of
from models import Job
from workflows.actor import Actor
from workflows.jobs import Outcome, fail_job
from workflows.messages import lazy_gettext as _l

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def end_interrupted_jobs(app) -> int:
    """End this host's jobs whose worker process is gone; how many."""
    host, ended = socket.gethostname(), 0
    with app.app_context(), db.session.session_factory() as session:
        for job in session.scalars(select(Job).where(
                Job.status == "running", Job.worker.like(f"{host}:%")).with_for_update()):
            if _alive(int(job.worker.rsplit(":", 1)[1])):
                continue
            outcome = Outcome.of(_l("The job was interrupted: its worker stopped before "
                                    "it ended, and nothing of it was saved. Start it "
                                    "again."), "error",
                                 kind_of(job.kind).home(json.loads(job.params)))
            fail_job(session, job, outcome, actor=Actor.system("job-recovery"))
            files.remove(job.input_file)
            ended += 1
        session.commit()
    if ended:
        log.warning("%d job(s) left running by a stopped worker ended as failed", ended)
    return ended
