"""Claims of a covered participant at BPJS Ketenagakerjaan, recorded by Disnaker as the
wadah: a work accident (JKK) or a death (JKM), the documents sent with it and the
payout BPJS reports back.

Disnaker does not pay the benefit; BPJS does (PP 44/2015 as amended by PP 82/2019 and
PP 49/2023). The desk records what happened, when it was reported, what was sent and
what came back, so the city can say whose family was paid, when and how much.

CHECK constraints keep a row honest whatever the code does: a JKK claim has the time
of the accident, a JKM claim names the heir, a late report states why, a claim sent
to BPJS says when and by whom, a paid claim has amount, date and BPJS reference, a
refused one the reason.
"""
from datetime import date, datetime, time

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.application import Application
from models.base import Base, UTCDateTime

CLAIM_KINDS = ("jkk", "jkm")
CLAIM_STATES = ("dicatat", "diajukan", "dibayar", "ditolak")
HEIR_RELATIONS = ("suami_istri", "anak", "orang_tua", "saudara", "lainnya")
# What is sent with a claim: akta kematian and surat keterangan ahli waris for JKM, the
# KPJ card for both, the accident report (kronologi) for JKK, anything else as "lainnya".
CLAIM_DOCUMENT_KINDS = ("akta_kematian", "surat_ahli_waris", "kartu_kpj",
                        "laporan_kecelakaan", "lainnya")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Claim(Base):
    __tablename__ = "claim"
    __personal_fields__ = frozenset({"heir_name", "heir_relation", "description",
                                     "late_reason"})
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(CLAIM_KINDS)}", name="known_kind"),
        CheckConstraint(f"state IN {_in(CLAIM_STATES)}", name="known_state"),
        CheckConstraint("kind <> 'jkk' OR event_time IS NOT NULL", name="jkk_has_time"),
        CheckConstraint("kind <> 'jkm' OR (heir_name IS NOT NULL AND heir_relation IS NOT NULL)",
                        name="jkm_names_heir"),
        CheckConstraint(f"heir_relation IS NULL OR heir_relation IN {_in(HEIR_RELATIONS)}",
                        name="known_relation"),
        CheckConstraint("NOT reported_late OR (late_reason IS NOT NULL "
                        "AND length(late_reason) > 0)", name="late_has_reason"),
        CheckConstraint("state = 'dicatat' OR (submitted_at IS NOT NULL "
                        "AND submitted_by_id IS NOT NULL)", name="submitted_has_time"),
        CheckConstraint("state <> 'dibayar' OR (payout_amount > 0 AND payout_date IS NOT NULL "
                        "AND bpjs_reference IS NOT NULL)", name="paid_has_payout"),
        CheckConstraint("state <> 'ditolak' OR (rejection_reason IS NOT NULL "
                        "AND length(rejection_reason) > 0)", name="rejected_has_reason"),
        CheckConstraint("state IN ('dicatat', 'diajukan') OR (decided_at IS NOT NULL "
                        "AND decided_by_id IS NOT NULL)", name="decided_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(30), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default="dicatat", index=True)
    # The accident's date and time (WIB) for JKK, the date of death for JKM.
    event_date: Mapped[date]
    event_time: Mapped[time | None]
    # What happened (the kronologi of an accident, the cause of death as told).
    description: Mapped[str | None] = mapped_column(Text)
    # When the accident or death was reported to the desk (it may be recorded later).
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_reason: Mapped[str | None] = mapped_column(Text)
    heir_name: Mapped[str | None] = mapped_column(String(200))
    heir_relation: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # From BPJS's reply: what was paid to the participant or the heir, when, its reference.
    payout_amount: Mapped[int | None] = mapped_column(BigInteger)
    payout_date: Mapped[date | None]
    bpjs_reference: Mapped[str | None] = mapped_column(String(80))

    application: Mapped[Application] = relationship()
    documents: Mapped[list["ClaimDocument"]] = relationship(
        back_populates="claim", order_by="ClaimDocument.id")

    def __str__(self) -> str:
        return self.claim_number


class ClaimDocument(Base):
    """A file sent with a claim; stored like a case document (workflows.documents):
    outside static/, under a random name, with its SHA-256."""

    __tablename__ = "claim_document"
    __personal_fields__ = frozenset({"original_name"})  # file names often carry the name
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(CLAIM_DOCUMENT_KINDS)}", name="known_kind"),
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
                        name="allowed_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    claim: Mapped[Claim] = relationship(back_populates="documents")
