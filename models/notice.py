"""Notices to workers (SMS or WhatsApp): the worker's recorded consent, the notices the
stage changes queue (an outbox written in the same transaction as the change), and
each attempt to deliver one.

A notice never holds a NIK or KK: its text is rendered from a versioned template
(``template_code``, workflows/notices/templates.py) with the first name, the
application number and, for the card, the KPJ.
"""
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

NOTICE_CHANNELS = ("sms", "whatsapp")
NOTICE_STAGES = ("received", "approved", "kpj_issued", "lapse_risk", "ended",
                 "continue_self_payer")
NOTICE_STATUSES = ("queued", "sent", "failed", "skipped")
# Why a notice was not sent: no consent when it was queued, consent withdrawn before it
# went out.
SKIP_REASONS = ("no_consent", "withdrawn", "ended")
NOTICE_GATEWAYS = ("outbox", "http")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class NoticeConsent(Base):
    """A worker's consent to notices on one channel and number; a withdrawn consent
    stays as history, a new one is a new row (at most one open per worker, kept by the
    verb under the worker's lock)."""

    __tablename__ = "notice_consent"
    __personal_fields__ = frozenset({"phone"})
    __table_args__ = (
        CheckConstraint(f"channel IN {_in(NOTICE_CHANNELS)}", name="known_channel"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)",
                        name="withdrawn_by_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class WorkerNotice(Base):
    """One notice of one stage to the worker of one application."""

    __tablename__ = "worker_notice"
    # Queued inside the stage change (by INSERT ... SELECT in the set-wise verbs), whose
    # audit event is its record; every delivery outcome is an audit event of its own.
    __audited__ = False
    __personal_fields__ = frozenset({"phone", "text"})
    __table_args__ = (
        CheckConstraint(f"stage IN {_in(NOTICE_STAGES)}", name="known_stage"),
        CheckConstraint(f"status IN {_in(NOTICE_STATUSES)}", name="known_status"),
        CheckConstraint(f"skip_reason IS NULL OR skip_reason IN {_in(SKIP_REASONS)}",
                        name="known_skip_reason"),
        CheckConstraint("(status = 'skipped') = (skip_reason IS NOT NULL)",
                        name="skipped_has_reason"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The lapse-risk notice goes at most once per participant and month, every other
        # stage once per application: NULL periods are distinct to a unique constraint,
        # so a partial unique index holds the second rule.
        UniqueConstraint("application_id", "stage", "period"),
        Index("uq_worker_notice_once_per_stage", "application_id", "stage", unique=True,
              postgresql_where=text("period IS NULL"), sqlite_where=text("period IS NULL")),
        Index("ix_worker_notice_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    template_code: Mapped[str] = mapped_column(String(40))
    # The month a lapse-risk notice is for (its first day); none for the other stages.
    period: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="queued")
    skip_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What went out (or was tried): filled when the notice is first attempted.
    channel: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    @property
    def reference(self) -> str:
        """The id given to the provider, so a repeated delivery can be recognised."""
        return f"SIGAP-N{self.id}"


class NoticeAttempt(Base):
    """One try to hand a notice to the gateway, and how it went."""

    __tablename__ = "notice_attempt"
    __audited__ = False  # written with the audit event of the delivery outcome
    __table_args__ = (
        CheckConstraint(f"gateway IN {_in(NOTICE_GATEWAYS)}", name="known_gateway"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("worker_notice.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    gateway: Mapped[str] = mapped_column(String(10))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))
