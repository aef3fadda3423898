"""Partner accounts (issue 15): kelurahan operators and partner offices that take
workers in for the programme, each limited to one area or one intake channel.

Kota Bekasi's SIGAP data is verified with Dinsos, Dinas Koperasi & UMKM, Dinas
Perhubungan and the ojol platform partners (domain.md §2.1, onlinebekasi.com/?p=10401);
kelurahan propose workers in Pekalongan and Balikpapan (domain.md §2.3, §2.5 step 3).
A partner sees and takes in only the cases of its scope: a kelurahan, a kecamatan,
or the applications that came in through its own office (``ApplicationPartner``).
"""
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

SCOPE_KINDS = ("kelurahan", "kecamatan", "office")
# The partner offices (intake channels of their own). The ojol aplikator are listed one by
# one so that a company sees only its own drivers; a new one is a migration, as a new
# channel of intake is a decision of the office, not an admin's free text.
PARTNER_OFFICES = ("dinsos", "dinkop_umkm", "dishub", "ojol_gojek", "ojol_grab",
                   "ojol_maxim", "ojol_lainnya")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class PartnerScope(Base):
    """What one partner account may see and take in; exactly one of the three is set,
    the one its ``kind`` names. A partner without a scope row sees nothing."""

    __tablename__ = "partner_scope"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(SCOPE_KINDS)}", name="known_kind"),
        CheckConstraint(f"office IS NULL OR office IN {_in(PARTNER_OFFICES)}",
                        name="known_office"),
        CheckConstraint(
            "(kind = 'kelurahan' AND kelurahan_code IS NOT NULL AND kecamatan_code IS NULL "
            "AND office IS NULL) OR "
            "(kind = 'kecamatan' AND kecamatan_code IS NOT NULL AND kelurahan_code IS NULL "
            "AND office IS NULL) OR "
            "(kind = 'office' AND office IS NOT NULL AND kelurahan_code IS NULL "
            "AND kecamatan_code IS NULL)", name="one_scope"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("kelurahan.code"))
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("kecamatan.code"))
    office: Mapped[str | None] = mapped_column(String(20))

    @property
    def key(self) -> str:
        return self.kelurahan_code or self.kecamatan_code or self.office or ""

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ApplicationPartner(Base):
    """The partner office an application came in through (intake channel 'partner'),
    written once at intake; the office's accounts see the case by it."""

    __tablename__ = "application_partner"
    __table_args__ = (
        CheckConstraint(f"office IN {_in(PARTNER_OFFICES)}", name="known_office"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), primary_key=True,
                                                autoincrement=False)
    office: Mapped[str] = mapped_column(String(20), index=True)
