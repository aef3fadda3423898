"""The life of a background job: queued by a person, run for them, ended with an outcome.

Each step is an audit event on the job, acted by the person who started it (or the
scheduler), so the log shows who asked for long work and how it ended, next to the
events the work itself wrote under the same name and request id.
"""
import json
from dataclasses import asdict, dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from models import Job, User, clock
from workflows.actor import Actor
from workflows.audit.recorder import record
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import Message, lazy_gettext as _l


@dataclass(frozen=True)
class Outcome:
    """How a job ended, kept untranslated: ``message`` is an English msgid and ``args``
    its values, so each reader sees it in their own language."""

    message: str
    args: dict = field(default_factory=dict)
    category: str = "success"
    # The page that shows the result: an endpoint and its arguments (a worker has no
    # request to build a URL from).
    target: tuple[str, dict] | None = None

    @classmethod
    def of(cls, message, category: str = "success",
           target: tuple[str, dict] | None = None) -> "Outcome":
        """From a message made with ``_l`` (so it is extracted for translation)."""
        if isinstance(message, Message):
            args = {k: v if isinstance(v, (int, float)) else str(v)
                    for k, v in message.variables.items()}
            return cls(message.template, args, category, target)
        return cls(str(message), {}, category, target)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "Outcome | None":
        return None if not text else cls(**json.loads(text))


@dataclass(frozen=True)
class JobOutput:
    """A file a job made for the person who started it (written to the job file store
    before the job ends; the job row keeps where it is and what it is)."""

    file: str          # its name in the job file store
    name: str          # the name it is downloaded as
    mimetype: str
    sha256: str
    detail: dict = field(default_factory=dict)  # what its kind records when it is taken


def queue_job_allowed(actor: Actor, roles: tuple[str, ...]) -> None:
    """Only holders of ``roles`` start such a job; with none, only the scheduler."""
    allowed = actor.has_role(*roles) if roles else actor.user_id is None
    if not allowed:
        raise NotAllowed(_l("Your role may not start this job."))


def queue_job(session: Session, kind: str, *, actor: Actor, roles: tuple[str, ...],
              params: dict | None = None, input_file: str | None = None,
              file_name: str | None = None) -> Job:
    """A job waiting for the queue; the caller hands its id to the queue after commit."""
    queue_job_allowed(actor, roles)
    job = Job(kind=kind, status="queued", params=json.dumps(params or {}, sort_keys=True),
              input_file=input_file, file_name=file_name, started_by_id=actor.user_id,
              ip=actor.ip, request_id=actor.request_id, queued_at=clock.now())
    session.add(job)
    record(session, actor, "job.queued", entity=job,
           diff={"kind": [None, kind], "file_name": [None, file_name]})
    return job


def job_actor(session: Session, job: Job, system_name: str) -> Actor:
    """Who the job acts as: the person who started it, with the roles they hold now
    (a role taken away while the job waited is not used), from the request that asked."""
    if job.started_by_id is None:
        return Actor.system(system_name, request_id=job.request_id)
    user = session.get(User, job.started_by_id)
    if user is None or not user.active:
        raise NotAllowed(_l("The account that started this job is no longer active."))
    return Actor.for_user(user, ip=job.ip, request_id=job.request_id)


def start_job(session: Session, job: Job, *, actor: Actor, worker: str | None = None) -> None:
    """``worker``: the process running it (host:pid)."""
    if job.status != "queued":
        raise InvalidTransition(_l("This job has already run."))
    job.status, job.started_at, job.worker = "running", clock.now(), worker
    record(session, actor, "job.started", entity=job, diff={"status": ["queued", "running"]})


def finish_job(session: Session, job: Job, outcome: Outcome, *, actor: Actor,
               output: JobOutput | None = None) -> None:
    _end(session, job, "done", outcome, actor, output and {
        "output": [None, output.name], "sha256": [None, output.sha256]})
    if output is not None:
        job.output_file, job.output_name = output.file, output.name
        job.output_mimetype, job.output_sha256 = output.mimetype, output.sha256
        job.output_detail = json.dumps(output.detail, sort_keys=True)


def fail_job(session: Session, job: Job, outcome: Outcome, *, actor: Actor) -> None:
    _end(session, job, "failed", outcome, actor)


def _end(session, job, status, outcome: Outcome, actor, extra: dict | None = None) -> None:
    if job.status not in ("queued", "running"):
        raise InvalidTransition(_l("This job has already ended."))
    before, job.status = job.status, status
    job.finished_at, job.outcome = clock.now(), outcome.to_json()
    record(session, actor, f"job.{'finished' if status == 'done' else 'failed'}", entity=job,
           diff={"status": [before, status], **(extra or {})},
           reason=None if status == "done" else outcome.message)  # the values may be personal


def take_job_output(session: Session, job: Job, *, actor: Actor, roles: tuple[str, ...],
                    record_taken: Callable[[Session, Job, Actor], None]) -> str:
    """Hand the job's file to the person who started it, once: the row forgets the
    file (the caller sends it, then removes it) and ``record_taken`` writes the kind's
    event for the file leaving (``report.download``...), in this transaction. The
    file's store name is returned."""
    session.refresh(job, with_for_update=True)  # two clicks at once: one file
    if job.started_by_id is None or job.started_by_id != actor.user_id:
        raise NotAllowed(_l("Only the person who started a job may download its file."))
    queue_job_allowed(actor, roles)  # a role taken away meanwhile takes the file with it
    if job.output_name is None:
        raise InvalidInput(_l("This job made no file."))
    if job.output_taken_at is not None:
        raise InvalidTransition(_l("This file was already downloaded, and each file is given "
                                   "only once. Generate it again for another copy."))
    name, job.output_file, job.output_taken_at = job.output_file, None, clock.now()
    record_taken(session, job, actor)
    return name
