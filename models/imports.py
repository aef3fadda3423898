"""Imported files: DTSEN data aktual, lists of existing participants, intake proposals.

Each import is one ``ImportRun`` (file name, SHA-256, rows, who, when, outcome);
an applied DTSEN or participants run is also a dated, versioned dataset whose
rows point back to it, so a decision can name the data version it used.
"""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

IMPORT_KINDS = ("dtsen", "participants", "intake", "bpjs_response", "bpjs_bill", "bpjs_status")
PARTICIPANT_SOURCES = ("BPJS_AKTIF", "PROVINSI", "CSR", "MANDIRI", "LAINNYA")


class ImportRun(Base):
    __tablename__ = "import_run"
    __table_args__ = (
        CheckConstraint("kind IN ('dtsen', 'participants', 'intake', 'bpjs_response', "
                        "'bpjs_bill', 'bpjs_status')", name="known_kind"),
        CheckConstraint("status IN ('applied', 'rejected', 'held', 'cancelled')",
                        name="known_status"),
        CheckConstraint("scope IN ('full', 'partial')", name="known_scope"),
        Index("ix_import_run_kind_sha256", "kind", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date | None]
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    # held: a DTSEN full update that would shrink the data aktual, its rows staged
    # under the run until someone confirms it (or applies it as partial) or cancels it.
    status: Mapped[str] = mapped_column(String(20))
    # DTSEN only: full (replaces the data aktual) or partial (merged into it).
    scope: Mapped[str | None] = mapped_column(String(10))
    # Per-row problems as CSV text (row, column, value, message) for download.
    error_report: Mapped[str | None] = mapped_column(Text)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __str__(self) -> str:
        return f"{self.kind} #{self.id} ({self.file_name})"


class DtsenRecord(Base):
    """One person in a DTSEN extract; desil belongs to the family (KK). A NIK appears
    once per dataset. On PostgreSQL each dataset is a partition of its own (migration
    0030, workflows/imports/partitions.py). No index on the KK: nothing reads the
    rows by it, and each index costs every import a sort of its rows."""

    __tablename__ = "dtsen_record"
    __audited__ = False  # written in bulk; the import run's audit event covers the rows
    __table_args__ = (
        CheckConstraint("desil BETWEEN 1 AND 10", name="desil_1_10"),
        {"postgresql_partition_by": "LIST (dataset_id)"},
    )

    dataset_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16))
    nama: Mapped[str] = mapped_column(String(200))
    tanggal_lahir: Mapped[date]
    jenis_kelamin: Mapped[str] = mapped_column(String(1))
    kode_kelurahan: Mapped[str] = mapped_column(String(10))
    desil: Mapped[int] = mapped_column(SmallInteger)


class ParticipantRecord(Base):
    """Someone already in BPJS Ketenagakerjaan or paid for by another payer."""

    __tablename__ = "participant_record"
    __audited__ = False
    __table_args__ = (Index("ix_participant_record_dataset_nik", "dataset_id", "nik"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))
    nik: Mapped[str] = mapped_column(String(16))
    nama: Mapped[str] = mapped_column(String(200))
    sumber: Mapped[str] = mapped_column(String(20))
