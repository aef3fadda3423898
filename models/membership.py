"""A participant's membership as BPJS Ketenagakerjaan sees it, beside our own lapse flag.

One row per worker (a continuing participant keeps one KPJ across programme years):
the latest status BPJS reported in a status file (AKTIF or NONAKTIF, paid-through
month, the date the file speaks for, the import run), and whether we count the
membership as lapsed (nonaktif): more than 3 consecutive unpaid months end a BPU
membership (Perdir 22/PERDIR.02/072022 via the PROBIS manual; BPJS FAQ; domain.md
§1.7), or BPJS itself reported NONAKTIF. A lapse leaves the application enrolled:
ending the cover for good is an exit (reason nonaktif_bpjs), decided by a person.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

BPJS_STATUSES = ("AKTIF", "NONAKTIF")
# unpaid: our own count of unpaid months; bpjs_nonaktif: a status file said NONAKTIF.
LAPSE_REASONS = ("unpaid", "bpjs_nonaktif")


class MembershipStatus(Base):
    __tablename__ = "membership_status"
    __table_args__ = (
        CheckConstraint("bpjs_status IS NULL OR bpjs_status IN ('AKTIF', 'NONAKTIF')",
                        name="known_bpjs_status"),
        CheckConstraint("bpjs_status IS NULL OR (bpjs_as_of IS NOT NULL "
                        "AND import_run_id IS NOT NULL)", name="bpjs_status_has_source"),
        CheckConstraint("lapse_reason IS NULL OR lapse_reason IN ('unpaid', 'bpjs_nonaktif')",
                        name="known_lapse_reason"),
        CheckConstraint("(lapsed AND lapsed_on IS NOT NULL AND lapse_reason IS NOT NULL) OR "
                        "(NOT lapsed AND lapse_reason IS NULL)", name="lapsed_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), unique=True)
    # The enrolled (or ended) application the status was last matched to.
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    bpjs_status: Mapped[str | None] = mapped_column(String(10))
    bpjs_paid_through: Mapped[date | None]  # first day of the month BPJS shows paid
    bpjs_as_of: Mapped[date | None]  # the day the status file speaks for
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"), index=True)
    lapsed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lapsed_on: Mapped[date | None]
    lapse_reason: Mapped[str | None] = mapped_column(String(20))
    reactivated_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __str__(self) -> str:
        return f"membership #{self.id}"
