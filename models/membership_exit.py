"""Why and when a membership ended, with the facts the reason rests on: the date of
death, the other payer that took the contributions over, the desil seen in the data
aktual. One row per ended membership (Application keeps exit_reason and exit_month,
which older exits have without this row)."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

# The first seven predate issue 15 and stay (ended memberships carry them); the rest are
# the exits the programme actually sees after enrolment.
EXIT_REASONS = (
    "meninggal", "pindah_domisili", "pekerja_formal", "penghasilan_di_atas_batas",
    "permintaan_sendiri", "akhir_tahun_program", "tidak_memenuhi_syarat",
    "desil_naik", "pembayar_lain", "nik_nonaktif", "peserta_mandiri", "nonaktif_bpjs",
)
# Who pays instead of the city (design.md "other payers": sumber PROVINSI, CSR, ...).
OTHER_PAYERS = ("PROVINSI", "APBN", "CSR", "LAINNYA")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class MembershipExit(Base):
    __tablename__ = "membership_exit"
    __personal_fields__ = frozenset({"date_of_death"})  # masked in audit diffs
    __table_args__ = (
        CheckConstraint(f"reason IN {_in(EXIT_REASONS)}", name="known_reason"),
        CheckConstraint(f"other_payer IN {_in(OTHER_PAYERS)}", name="known_payer"),
        # A death exit has its date of death, and only a death exit has one.
        CheckConstraint("(reason = 'meninggal' AND date_of_death IS NOT NULL) OR "
                        "(reason <> 'meninggal' AND date_of_death IS NULL)",
                        name="death_has_date"),
        # The month of death is still owed: the exit month comes after it.
        CheckConstraint("date_of_death IS NULL OR date_of_death < exit_month",
                        name="death_before_exit"),
        CheckConstraint("(reason = 'pembayar_lain' AND other_payer IS NOT NULL) OR "
                        "(reason <> 'pembayar_lain' AND other_payer IS NULL)",
                        name="other_payer_named"),
        CheckConstraint("reason <> 'desil_naik' OR (desil IS NOT NULL AND "
                        "dtsen_dataset_id IS NOT NULL)", name="desil_seen"),
        CheckConstraint("desil IS NULL OR desil BETWEEN 1 AND 10", name="desil_1_10"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    exit_month: Mapped[date]  # first day of the first month no longer owed
    date_of_death: Mapped[date | None]
    other_payer: Mapped[str | None] = mapped_column(String(10))
    # desil_naik: the desil the data aktual showed and which dataset (import run) it was.
    desil: Mapped[int | None] = mapped_column(SmallInteger)
    dtsen_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
