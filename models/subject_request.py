"""Requests of a data subject under UU PDP: access (Pasal 32), correction and
restriction of processing, each to be answered within 3x24 hours of receipt.

A request is keyed on the NIK: the subject may be a registered worker (``worker_id``
is then set) or only a person in an imported DTSEN or participant list.

CHECK constraints keep a row honest whatever the code does: a closed request
says who closed it and when, a refusal states its grounds (Pasal 33), the
deadline lies after the receipt, and only a granted restriction is lifted.
"""
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.worker import Worker

REQUEST_KINDS = ("access", "correction", "restriction")
REQUEST_STATES = ("open", "fulfilled", "refused")
REQUEST_CHANNELS = ("counter", "letter", "email", "phone")
RESPONSE_TIME = timedelta(hours=3 * 24)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class DataSubjectRequest(Base):
    __tablename__ = "data_subject_request"
    __personal_fields__ = frozenset({"nik", "requester_name", "description"})
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(REQUEST_KINDS)}", name="known_kind"),
        CheckConstraint(f"state IN {_in(REQUEST_STATES)}", name="known_state"),
        CheckConstraint(f"channel IN {_in(REQUEST_CHANNELS)}", name="known_channel"),
        CheckConstraint("kind = 'access' OR (description IS NOT NULL AND length(description) > 0)",
                        name="described"),
        CheckConstraint("due_at > received_at", name="due_after_received"),
        CheckConstraint("(state = 'open' AND resolved_at IS NULL AND resolved_by_id IS NULL) OR "
                        "(state <> 'open' AND resolved_at IS NOT NULL "
                        "AND resolved_by_id IS NOT NULL)", name="resolved_has_time_and_by"),
        CheckConstraint("state <> 'refused' OR (resolution_note IS NOT NULL "
                        "AND length(resolution_note) > 0)", name="refusal_has_grounds"),
        CheckConstraint("lifted_at IS NULL OR (kind = 'restriction' AND state = 'fulfilled' "
                        "AND lifted_by_id IS NOT NULL AND length(lift_note) > 0)",
                        name="only_a_granted_restriction_is_lifted"),
        Index("ix_data_subject_request_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    # The worker holding the NIK when the request was recorded; None for someone who is
    # only in imported data.
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10), default="open")
    requester_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    # What to correct or restrict (required for those kinds); optional for access.
    description: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # A granted restriction ends when it is lifted, with the reason (e.g. accuracy confirmed).
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    lift_note: Mapped[str | None] = mapped_column(Text)

    worker: Mapped[Worker | None] = relationship()

    def is_overdue(self, now: datetime) -> bool:
        return self.state == "open" and now > self.due_at

    def __str__(self) -> str:
        return f"#{self.id}"
