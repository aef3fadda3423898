"""Delivering queued notices: which are due, taking one for sending, recording how the
attempt went, retrying with backoff and giving up, and the retry a person asks for.

The send job (caseapp/notices/jobs.py) takes a notice (``claim``: renders its text,
counts the attempt and leases it for a while so a second job leaves it alone) and
commits before it calls the gateway, so no transaction waits on the network; then
it records the result (``record_delivery``). A job that dies in between leaves the
lease to run out and the notice is tried again: delivery is at least once, and the
``reference`` sent with each message lets the provider drop a repeat.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import Application, Role, Worker, clock
from models.notice import NoticeAttempt, WorkerNotice
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidTransition, NotAllowed, Repeated
from workflows.messages import lazy_gettext as _l
from workflows.notices.consent import open_consent
from workflows.notices.templates import UnsafeText, render

MAX_ATTEMPTS = 5
# Minutes to wait after the 1st, 2nd, ... failed attempt: a provider outage of a few
# hours is ridden out; then the notice is given up and shown as failed.
BACKOFF_MINUTES = (5, 15, 60, 240)
LEASE = timedelta(minutes=10)
BATCH = 500


@dataclass(frozen=True)
class Outgoing:
    """One message as the gateway gets it (no NIK, no full name)."""

    notice_id: int
    to: str
    channel: str
    text: str
    reference: str


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def _require_sender(actor: Actor) -> None:
    if not (actor.has_role(Role.CASEWORKER) or actor.is_system):
        raise NotAllowed(_l("Only caseworkers or the scheduled job send notices."))


def _due(now: datetime):
    return (WorkerNotice.status == "queued", WorkerNotice.next_attempt_at <= now)


def due_notice_ids(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    return list(session.execute(select(WorkerNotice.id).where(*_due(now))
                                .order_by(WorkerNotice.next_attempt_at, WorkerNotice.id)
                                .limit(limit)).scalars())


def notices_due(session: Session, now: datetime) -> bool:
    return bool(session.scalar(select(exists().where(*_due(now)))))


def _event(session: Session, actor: Actor, action: str, notice: WorkerNotice, diff: dict,
           reason: str | None = None) -> None:
    record(session, actor, action, entity=notice, reason=reason, diff={
        "application_id": [None, notice.application_id], "stage": [None, notice.stage],
        "template": [None, notice.template_code], **diff})


SKIPPED_BECAUSE = {"withdrawn": "consent withdrawn",
                   "ended": "the membership ended before it was sent"}
# What is still worth telling once the membership has ended (or the worker died).
AFTER_THE_END = ("ended", "continue_self_payer")


def _skip(session: Session, notice: WorkerNotice, actor: Actor, why: str) -> str:
    notice.status, notice.skip_reason, notice.next_attempt_at = "skipped", why, None
    _event(session, actor, "notice.skipped", notice, {"status": ["queued", "skipped"]},
           reason=SKIPPED_BECAUSE[why])
    return "skipped"


def _give_up(session: Session, notice: WorkerNotice, actor: Actor, error: str) -> str:
    notice.status, notice.next_attempt_at, notice.last_error = "failed", None, error
    _event(session, actor, "notice.gave_up", notice, {"status": ["queued", "failed"]},
           reason=error)
    return "failed"


def _render(session: Session, notice: WorkerNotice) -> str:
    application = session.get(Application, notice.application_id)
    worker = session.get(Worker, notice.worker_id)
    return render(notice.template_code, full_name=worker.full_name,
                  application_id=application.id, kpj=application.kpj,
                  month=application.exit_month)


def claim(session: Session, notice_id: int, *, actor: Actor,
          max_attempts: int = MAX_ATTEMPTS) -> Outgoing | str:
    """Take a due notice for sending: the message, or what became of it instead
    ("skipped": consent withdrawn or membership ended meanwhile; "failed": its text
    cannot be sent, or ``max_attempts`` leases ran out with no outcome recorded, as when
    the sender died mid-send each time; "gone": not due any more, e.g. another job took
    it)."""
    _require_sender(actor)
    now = clock.now()
    notice = session.get(WorkerNotice, notice_id, with_for_update=True)
    if notice is None or notice.status != "queued" or notice.next_attempt_at is None \
            or notice.next_attempt_at > now:
        return "gone"
    if notice.attempts >= max_attempts:
        return _give_up(session, notice, actor,
                        f"no outcome recorded after {notice.attempts} attempt(s)")
    consent = open_consent(session, notice.worker_id)
    if consent is None:
        return _skip(session, notice, actor, "withdrawn")
    if notice.stage not in AFTER_THE_END and session.get(
            Application, notice.application_id).state == "terminated":
        return _skip(session, notice, actor, "ended")
    try:
        text = _render(session, notice)
    except UnsafeText:
        return _give_up(session, notice, actor, "text would hold a 16-digit number; not sent")
    notice.attempts += 1
    notice.next_attempt_at = now + LEASE
    notice.channel, notice.phone, notice.text = consent.channel, consent.phone, text
    session.flush()
    return Outgoing(notice.id, consent.phone, consent.channel, text, notice.reference)


def record_delivery(session: Session, notice_id: int, *, gateway: str, error: str | None,
                    actor: Actor, max_attempts: int = MAX_ATTEMPTS) -> WorkerNotice:
    """The attempt's result: sent; or failed, to be tried again after the backoff, or
    given up after ``max_attempts``."""
    _require_sender(actor)
    now = clock.now()
    notice = session.get(WorkerNotice, notice_id, with_for_update=True)
    session.add(NoticeAttempt(notice_id=notice.id, at=now, gateway=gateway,
                              ok=error is None, error=error and error[:500]))
    if notice.status != "queued":  # a late outcome of an expired lease: kept as history only
        session.flush()
        return notice
    attempt = {"attempt": [None, notice.attempts], "gateway": [None, gateway]}
    if error is None:
        notice.status, notice.sent_at = "sent", now
        notice.next_attempt_at, notice.last_error = None, None
        _event(session, actor, "notice.sent", notice, {"status": ["queued", "sent"], **attempt})
    elif notice.attempts >= max_attempts:
        notice.status, notice.next_attempt_at, notice.last_error = "failed", None, error[:500]
        _event(session, actor, "notice.gave_up", notice,
               {"status": ["queued", "failed"], **attempt}, reason=error[:500])
    else:
        notice.next_attempt_at, notice.last_error = now + backoff(notice.attempts), error[:500]
        _event(session, actor, "notice.send_failed", notice,
               {"next_attempt_at": [None, notice.next_attempt_at.isoformat()], **attempt},
               reason=error[:500])
    session.flush()
    return notice


def retry_notice(session: Session, notice: WorkerNotice, *, actor: Actor) -> WorkerNotice:
    """A person sends a given-up notice again now, with a fresh round of attempts."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers retry notices."))
    session.refresh(notice, with_for_update=True)
    if notice.status == "queued":
        raise Repeated(_l("Notice %(id)s is already waiting to be sent; nothing changed.",
                          id=notice.id))
    if notice.status != "failed":
        raise InvalidTransition(_l("Only a notice that failed can be retried."))
    notice.status, notice.attempts, notice.next_attempt_at = "queued", 0, clock.now()
    _event(session, actor, "notice.retry", notice, {"status": ["failed", "queued"]})
    return notice
