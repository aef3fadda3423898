"""The year's appropriation and quota (Pasal 90 ayat 3: within the budget), the
ledger of every commitment and release, and the decrees (SK) that approve cases.

The counters on ``BudgetYear`` move only together with a ledger row, so the
committed total always equals the ledger sum; CHECK constraints are the last
line against overspending even if application code were wrong.
"""
from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.base import Base, UTCDateTime


class BudgetYear(Base):
    __tablename__ = "budget_year"
    __table_args__ = (
        CheckConstraint("appropriation >= 0 AND quota >= 0", name="not_negative"),
        CheckConstraint("committed >= 0 AND committed <= appropriation", name="within_budget"),
        CheckConstraint("places_used >= 0 AND places_used <= quota", name="within_quota"),
        CheckConstraint("realised >= 0", name="realised_not_negative"),
        CheckConstraint("premium_per_month > 0", name="positive_premium"),
        CheckConstraint("coverage_months BETWEEN 1 AND 12", name="months_1_12"),
        CheckConstraint("status IN ('open', 'closed')", name="known_status"),
    )

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dpa_reference: Mapped[str] = mapped_column(String(120))
    appropriation: Mapped[int] = mapped_column(BigInteger)
    quota: Mapped[int]
    premium_per_month: Mapped[int] = mapped_column(BigInteger)
    coverage_months: Mapped[int] = mapped_column(default=12)
    committed: Mapped[int] = mapped_column(BigInteger, default=0)
    places_used: Mapped[int] = mapped_column(default=0)
    realised: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # The year-close (workflows.year_close): when, by whom, what it gave back and what
    # unpaid months it handed to the next year as a liability.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    released_at_close: Mapped[int | None] = mapped_column(BigInteger)
    carried_to_next: Mapped[int | None] = mapped_column(BigInteger)

    quotas: Mapped[list["BudgetQuota"]] = relationship(back_populates="budget_year")

    @property
    def remaining(self) -> int:
        return self.appropriation - self.committed

    def __str__(self) -> str:
        return f"APBD {self.fiscal_year}"


class BudgetQuota(Base):
    """An optional split of the year's quota by kecamatan, kelurahan or category
    (domain.md §2.6: Pekalongan splits its quota by kelurahan in proportion to the DTKS
    population; a kelurahan key is the 10-digit Kemendagri code)."""

    __tablename__ = "budget_quota"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "dimension", "key"),
        CheckConstraint("dimension IN ('kecamatan', 'kelurahan', 'category')",
                        name="known_dimension"),
        CheckConstraint("used >= 0 AND used <= quota", name="within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("budget_year.fiscal_year"))
    dimension: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(20))
    quota: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)

    budget_year: Mapped[BudgetYear] = relationship(back_populates="quotas")

    def __str__(self) -> str:
        return f"{self.dimension} {self.key}"


class Decree(Base):
    """A Keputusan Wali Kota fixing the participants: first the head's proposal (usulan),
    a frozen list with its hash that Disnaker prints for the mayor; it becomes the
    decree (SK penetapan) only when the number and date of the signed decree are
    entered, and only then does it commit the budget."""

    __tablename__ = "decree"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'signed', 'withdrawn')", name="known_status"),
        CheckConstraint("status <> 'signed' OR (sk_number IS NOT NULL AND sk_date IS NOT NULL "
                        "AND approved_by_id IS NOT NULL AND signed_at IS NOT NULL)",
                        name="signed_has_number"),
        CheckConstraint("status <> 'withdrawn' OR length(withdraw_reason) > 0",
                        name="withdrawn_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    proposal_number: Mapped[str] = mapped_column(String(60), unique=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    sk_number: Mapped[str | None] = mapped_column(String(120), unique=True)
    sk_date: Mapped[date | None]
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("budget_year.fiscal_year"))
    # The head who entered the signed decree (and so approved its cases).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    approved_count: Mapped[int]
    waitlisted_count: Mapped[int]
    # Estimated at the proposal (cover from the month after it), exact once signed.
    total_commitment: Mapped[int] = mapped_column(BigInteger)
    # Canonical JSON of the approved and reserve lists as proposed and signed.
    snapshot: Mapped[str] = mapped_column(Text)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))

    @property
    def title(self) -> str:
        return f"SK {self.sk_number}" if self.status == "signed" else self.proposal_number

    def __str__(self) -> str:
        return self.title


class BudgetLedger(Base):
    __tablename__ = "budget_ledger"
    __audited__ = False  # written with the counters, inside audited approval/release verbs
    __table_args__ = (
        CheckConstraint("kind IN ('commit', 'release')", name="known_kind"),
        CheckConstraint("(kind = 'commit' AND amount >= 0 AND places >= 0) OR "
                        "(kind = 'release' AND amount <= 0 AND places <= 0)", name="signed"),
        Index("ix_budget_ledger_year_application", "fiscal_year", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("budget_year.fiscal_year"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    decree_id: Mapped[int | None] = mapped_column(ForeignKey("decree.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed rupiah
    places: Mapped[int]  # +1 commit, -1 release, 0 partial release
    months: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
