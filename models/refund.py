"""The refund ledger: contributions paid for months after a membership ended, which
BPJS Ketenagakerjaan owes back to the city (domain.md §1.7, PROBIS 908: refunds to
"instansi pemerintah yang mengelola pekerja rentan dilakukan berdasarkan
kesepakatan"). One line per application and month, owed until the refund is recorded."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

REFUND_STATUSES = ("owed", "refunded")


class RefundLine(Base):
    __tablename__ = "refund_line"
    __table_args__ = (
        UniqueConstraint("application_id", "month"),
        CheckConstraint("status IN ('owed', 'refunded')", name="known_status"),
        CheckConstraint("amount > 0", name="positive_amount"),
        # A refunded line has the whole receipt; an owed one none of it.
        CheckConstraint("(status = 'owed' AND refunded_amount IS NULL AND refunded_on IS NULL "
                        "AND bpjs_reference IS NULL) OR (status = 'refunded' AND "
                        "refunded_amount IS NOT NULL AND refunded_on IS NOT NULL AND "
                        "bpjs_reference IS NOT NULL)", name="refund_complete"),
        CheckConstraint("refunded_amount IS NULL OR (refunded_amount > 0 AND "
                        "refunded_amount <= amount)", name="refund_within_line"),
        Index("ix_refund_line_status_month", "status", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    month: Mapped[date]  # first day of the month paid for but not owed
    amount: Mapped[int] = mapped_column(BigInteger)  # rupiah paid for it
    payment_batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id"))
    fiscal_year: Mapped[int]  # the budget year that paid it (the batch's)
    exit_reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="owed")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # The refund BPJS paid back, as recorded from its transfer or letter.
    refunded_amount: Mapped[int | None] = mapped_column(BigInteger)
    refunded_on: Mapped[date | None]
    bpjs_reference: Mapped[str | None] = mapped_column(String(80))
    refund_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    refund_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
