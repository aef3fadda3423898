"""A worker (pekerja rentan) as known from the KTP and the intake form."""
from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, false,
                        func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.base import Base, UTCDateTime
from models.region import Kelurahan

CATEGORIES = ("pedagang", "pekerja_lepas", "wiraswasta", "rentan_lainnya")


class Worker(Base):
    __tablename__ = "worker"
    __personal_fields__ = frozenset(
        {"nik", "kk_number", "full_name", "birth_place", "birth_date", "address", "phone",
         "monthly_income"}
    )
    __table_args__ = (
        CheckConstraint("length(nik) = 16", name="nik_16_digits"),
        CheckConstraint("length(kk_number) = 16", name="kk_16_digits"),
        CheckConstraint("sex IN ('L', 'P')", name="sex_l_or_p"),
        CheckConstraint(
            "category IN (" + ", ".join(f"'{c}'" for c in CATEGORIES) + ")",
            name="known_category",
        ),
        CheckConstraint("monthly_income >= 0", name="income_not_negative"),
        Index("ix_worker_kelurahan_code_id", "kelurahan_code", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_place: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(index=True)
    sex: Mapped[str] = mapped_column(String(1))
    address: Mapped[str] = mapped_column(Text)
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    # Indexed with the id (below): a partner's kelurahan read off the index alone.
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    phone: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    occupation: Mapped[str] = mapped_column(String(100))
    monthly_income: Mapped[int] = mapped_column(BigInteger)
    # Priority factors of the policy (ranking after desil).
    female_head_of_household: Mapped[bool] = mapped_column(Boolean, default=False,
                                                           server_default=false())
    disability: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    kelurahan: Mapped[Kelurahan] = relationship()

    def __str__(self) -> str:
        return self.full_name


# A contains-search on the name (reports/search.by_name) is served on PostgreSQL by a
# trigram index on lower(full_name) (migration 0025); SQLite has none and scans.
Index("ix_worker_full_name_trgm", func.lower(Worker.full_name).label("full_name_lower"),
      postgresql_using="gin", postgresql_ops={"full_name_lower": "gin_trgm_ops"})
