"""Registration with BPJS Ketenagakerjaan (wadah SG), monthly contributions and payments.

A registration batch keeps the exact bytes of the files sent, so a re-download
is byte-identical and its SHA-256 can be checked against what BPJS received.
"""
from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime


class RegistrationBatch(Base):
    __tablename__ = "registration_batch"
    __table_args__ = (
        CheckConstraint("status IN ('prepared', 'sent', 'cancelled')", name="known_status"),
        CheckConstraint("row_count > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_number: Mapped[str] = mapped_column(String(40), unique=True)
    fiscal_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="prepared")
    row_count: Mapped[int]
    # The tanggal_mulai the batch asked for: the month after it was made. BPJS's reply
    # must start cover in this month or later within the same year.
    coverage_from: Mapped[date]
    csv_content: Mapped[bytes] = mapped_column(LargeBinary)
    csv_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_content: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.batch_number


class RegistrationItem(Base):
    __tablename__ = "registration_item"
    __table_args__ = (UniqueConstraint("batch_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("registration_batch.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    no_urut: Mapped[int]


class PaymentBatch(Base):
    """Contributions paid for a block of 1, 3, 6 or 12 months, with SP2D and invoice."""

    __tablename__ = "payment_batch"
    __table_args__ = (
        CheckConstraint("months IN (1, 3, 6, 12)", name="block_of_months"),
        CheckConstraint("total >= 0 AND participant_count >= 0", name="not_negative"),
        CheckConstraint("status IN ('generated', 'paid', 'reconciled')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    first_month: Mapped[date]
    months: Mapped[int]
    participant_count: Mapped[int]
    total: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="generated")
    sp2d_number: Mapped[str | None] = mapped_column(String(80), unique=True)
    sp2d_date: Mapped[date | None]
    invoice_number: Mapped[str | None] = mapped_column(String(80))
    reconciliation_report: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContributionMonth(Base):
    """One participant's contribution for one month: due, paid or in arrears."""

    __tablename__ = "contribution_month"
    __audited__ = False  # generated in bulk by audited batch verbs (one event per batch)
    __table_args__ = (
        UniqueConstraint("application_id", "month"),
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint("status IN ('due', 'paid', 'arrears')", name="known_status"),
        Index("ix_contribution_month_month_status", "month", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    month: Mapped[date]  # first day of the month
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="due")
    payment_batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id"),
                                                         index=True)
