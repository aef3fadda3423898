"""A worker's consent to notices by SMS or WhatsApp: given, on which number, recorded by
whom, and withdrawn.

UU PDP Pasal 20 (domain.md §6): the programme's own processing rests on public
service, but messages to a private phone are sent only with the worker's explicit
consent, which they may withdraw at any time. Without an open consent no notice
goes out (it is logged as skipped). Each change is an audit event; the phone
number is masked in the log.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Role, Worker, clock
from models.notice import NOTICE_CHANNELS, NoticeConsent
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.messages import lazy_gettext as _l
from workflows.worker_corrections import PHONE, PHONE_RULE


def open_consent(session: Session, worker_id: int) -> NoticeConsent | None:
    """The worker's consent in force, if any."""
    return session.execute(select(NoticeConsent).where(
        NoticeConsent.worker_id == worker_id, NoticeConsent.withdrawn_at.is_(None))
        .order_by(NoticeConsent.id.desc()).limit(1)).scalar_one_or_none()


def consent_history(session: Session, worker_id: int) -> list[NoticeConsent]:
    return list(session.execute(select(NoticeConsent).where(
        NoticeConsent.worker_id == worker_id).order_by(NoticeConsent.id.desc())).scalars())


def _require_caseworker(actor: Actor) -> None:
    """Whoever takes a worker in (a caseworker, a partner at intake) asks for consent."""
    if not actor.has_role(Role.CASEWORKER, Role.PARTNER):
        raise NotAllowed(_l("Only caseworkers record a worker's consent to notices."))


def _withdraw(session: Session, consent: NoticeConsent, actor: Actor, reason: str | None):
    consent.withdrawn_at, consent.withdrawn_by_id = clock.now(), actor.user_id
    record_change(session, actor, "notice.consent_withdrawn", consent, reason=reason,
                  extra={"worker_id": [None, consent.worker_id]})


def record_consent(session: Session, worker: Worker, *, channel: str, phone: str | None,
                   actor: Actor) -> NoticeConsent:
    """The worker agrees to notices on ``channel`` at ``phone``; a consent on another
    channel or number is withdrawn by it."""
    _require_caseworker(actor)
    if channel not in NOTICE_CHANNELS:
        raise InvalidInput(_l("Choose SMS or WhatsApp."))
    phone = (phone or "").strip()
    if not PHONE.match(phone):
        raise InvalidInput(PHONE_RULE)
    session.refresh(worker, with_for_update=True)  # two clicks: the second sees the first
    current = open_consent(session, worker.id)
    if current is not None and (current.channel, current.phone) == (channel, phone):
        raise Repeated(_l("This consent is already recorded; nothing changed."))
    if current is not None:
        _withdraw(session, current, actor, "replaced by a new consent")
    consent = NoticeConsent(worker_id=worker.id, channel=channel, phone=phone,
                            given_at=clock.now(), recorded_by_id=actor.user_id)
    session.add(consent)
    session.flush()
    record_change(session, actor, "notice.consent_given", consent, created=True)
    return consent


def withdraw_consent(session: Session, worker: Worker, *, actor: Actor) -> NoticeConsent:
    """The worker no longer wants notices; queued ones are then skipped, not sent."""
    _require_caseworker(actor)
    session.refresh(worker, with_for_update=True)
    current = open_consent(session, worker.id)
    if current is None:
        raise Repeated(_l("The worker has no consent to withdraw; nothing changed."))
    _withdraw(session, current, actor, None)
    return current
