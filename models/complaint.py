"""Complaints (pengaduan) and objections (sanggahan) from people left out of the
programme or unhappy with a decision, each answered within 14 days (issue 15).

The 14 calendar days follow the complaint-handling norm of public services: Perpres
76/2013 on Pengelolaan Pengaduan Pelayanan Publik and PermenPANRB 62/2018 (SP4N-LAPOR!)
give the unit at most 14 working days; the office chose 14 calendar days, the stricter
reading, so the due day is plain date arithmetic that holds across months and years.

CHECK constraints keep a row honest: an answered or closed complaint says who answered
and when, the due day is 14 days after receipt, and a NIK has 16 digits.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

COMPLAINT_KINDS = ("pengaduan", "sanggahan")
COMPLAINT_STATES = ("open", "answered", "closed")
ANSWER_DAYS = 14
ANSWER_TIME = timedelta(days=ANSWER_DAYS)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Complaint(Base):
    __tablename__ = "complaint"
    __personal_fields__ = frozenset({"nik", "complainant_name", "contact", "text"})
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(COMPLAINT_KINDS)}", name="known_kind"),
        CheckConstraint(f"status IN {_in(COMPLAINT_STATES)}", name="known_status"),
        CheckConstraint("nik IS NULL OR length(nik) = 16", name="nik_16_digits"),
        CheckConstraint("length(text) > 0", name="has_text"),
        CheckConstraint("(status = 'open' AND answered_at IS NULL AND answered_on IS NULL "
                        "AND answered_by_id IS NULL AND answer IS NULL) OR "
                        "(status <> 'open' AND answered_at IS NOT NULL AND answered_on IS NOT NULL "
                        "AND answered_by_id IS NOT NULL AND length(answer) > 0)",
                        name="answered_has_answer"),
        CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_has_time"),
        Index("ix_complaint_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    complainant_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(index=True)
    due_on: Mapped[date]
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day (WIB) of the answer, the one the 14 days are measured by.
    answered_on: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def days_left(self, today: date) -> int:
        """Days until the due day (0 on it, negative once past)."""
        return (self.due_on - today).days

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and today > self.due_on

    def __str__(self) -> str:
        return self.number
