"""Kota Bekasi's kecamatan and kelurahan, keyed by Kemendagri code without dots."""
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class Kecamatan(Base):
    __tablename__ = "kecamatan"
    __table_args__ = (CheckConstraint("length(code) = 6", name="code_6_digits"),)

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    kelurahan: Mapped[list["Kelurahan"]] = relationship(back_populates="kecamatan")

    def __str__(self) -> str:
        return self.name


class Kelurahan(Base):
    __tablename__ = "kelurahan"
    __table_args__ = (CheckConstraint("length(code) = 10", name="code_10_digits"),)

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")

    def __str__(self) -> str:
        return self.name
