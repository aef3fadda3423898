"""Dated money references: UMK per year and BPU contribution components.

Both change by regulation, so they are rows with a legal basis, never constants.
"""
from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class UmkRate(Base):
    """Upah Minimum Kota Bekasi for a calendar year, in whole rupiah."""

    __tablename__ = "umk_rate"
    __table_args__ = (CheckConstraint("amount > 0", name="positive_amount"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(BigInteger)
    legal_basis: Mapped[str] = mapped_column(Text)

    def __str__(self) -> str:
        return f"UMK {self.year}"


class ContributionComponent(Base):
    """One BPU programme's monthly contribution (JKK, JKM) from a date on."""

    __tablename__ = "contribution_component"
    __table_args__ = (
        UniqueConstraint("program", "effective_from"),
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint("program IN ('JKK', 'JKM', 'JHT')", name="known_program"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(3))
    effective_from: Mapped[date]
    amount: Mapped[int] = mapped_column(BigInteger)
    income_basis: Mapped[int] = mapped_column(BigInteger)
    legal_basis: Mapped[str] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.program} {self.effective_from}"
