"""What each kind of job does: one function per kind, registered where its pages live
(caseapp/imports/jobs.py, caseapp/bpjs/jobs.py, ...), run by caseapp/jobs/runner.py.

A kind's function gets a ``JobContext`` (its own session, the job, the person it acts
for, the arguments, the progress callback), calls one workflow verb and returns how
it ended; the runner commits, or rolls back on a refusal. A kind that makes a file
(a report) keeps it with ``ctx.keep_output`` and returns it in ``Done``; the person
who started the job downloads it once (caseapp/jobs/views.py), when the kind's
``downloaded`` records it leaving.
"""
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from caseapp.jobs import files
from models import Job
from workflows.actor import Actor
from workflows.jobs import JobOutput, Outcome


@dataclass
class JobContext:
    session: Session
    job: Job
    actor: Actor
    progress: Callable[[int], None]
    made: list[str] = field(default_factory=list)  # files kept; removed if the job fails

    @property
    def params(self) -> dict:
        return json.loads(self.job.params)

    def open_input(self):
        return files.path_of(self.job.input_file).open("rb")

    def keep_output(self, content: bytes, name: str, mimetype: str,
                    detail: dict | None = None) -> JobOutput:
        """Write the job's file (private, in the job file store) for its starter."""
        store_name, path = files.new_output()
        self.made.append(store_name)
        path.write_bytes(content)
        return JobOutput(store_name, name, mimetype, hashlib.sha256(content).hexdigest(),
                         detail or {})


@dataclass(frozen=True)
class Done:
    """A kind's result: how it ended, and the file it made, if any."""

    outcome: Outcome
    output: JobOutput | None = None


@dataclass(frozen=True)
class Kind:
    label: object  # a lazy message, shown on the jobs page
    run: Callable[[JobContext], Done]
    # Where the person goes when it failed: (endpoint, values from the params).
    home: Callable[[dict], tuple[str, dict]]
    # Who may start it (checked before it is queued, and by the verb again when it
    # runs); none: only the scheduler.
    roles: tuple[str, ...]
    # For a kind that makes a file: records the file leaving, when its starter takes
    # it (workflows.jobs.take_job_output).
    downloaded: Callable[[Session, Job, Actor], None] | None = None
    # What the bar counts (a lazy message such as "Pages rendered:"); rows by default.
    counts: object = None


_KINDS: dict[str, Kind] = {}


def job_kind(name: str, label, home: Callable[[dict], tuple[str, dict]],
             roles: tuple[str, ...] = (), *,
             downloaded: Callable[[Session, Job, Actor], None] | None = None, counts=None):
    def register(run: Callable[[JobContext], Done]):
        _KINDS[name] = Kind(label, run, home, tuple(str(r) for r in roles), downloaded, counts)
        return run
    return register


def kind_of(name: str) -> Kind:
    return _KINDS[name]
