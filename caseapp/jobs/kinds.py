"""What each kind of job does: one function per kind, registered where its pages live
(caseapp/imports/jobs.py, caseapp/bpjs/jobs.py, ...), run by caseapp/jobs/runner.py.

A kind's function gets a ``JobContext`` (its own session, the job, the person it acts
for, the arguments, the progress callback), calls one workflow verb and returns how
it ended; the runner commits, or rolls back on a refusal.
"""
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from caseapp.jobs import files
from models import Job
from workflows.actor import Actor
from workflows.jobs import Outcome


@dataclass
class JobContext:
    session: Session
    job: Job
    actor: Actor
    progress: Callable[[int], None]

    @property
    def params(self) -> dict:
        return json.loads(self.job.params)

    def open_input(self):
        return files.path_of(self.job.input_file).open("rb")


@dataclass(frozen=True)
class Done:
    """A kind's result: how it ended."""

    outcome: Outcome


@dataclass(frozen=True)
class Kind:
    label: object  # a lazy message, shown on the jobs page
    run: Callable[[JobContext], Done]
    # Where the person goes when it failed: (endpoint, values from the params).
    home: Callable[[dict], tuple[str, dict]]
    # Who may start it (checked before it is queued, and by the verb again when it
    # runs); none: only the scheduler.
    roles: tuple[str, ...]


_KINDS: dict[str, Kind] = {}


def job_kind(name: str, label, home: Callable[[dict], tuple[str, dict]],
             roles: tuple[str, ...] = ()):
    def register(run: Callable[[JobContext], Done]):
        _KINDS[name] = Kind(label, run, home, tuple(str(r) for r in roles))
        return run
    return register


def kind_of(name: str) -> Kind:
    return _KINDS[name]
