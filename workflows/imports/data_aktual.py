"""A DTSEN import's scope: a full update replaces the data aktual, a partial one is merged
into it, and a full update that would shrink it waits for a person to confirm it.

Partial: the new run becomes a whole dataset of its own, the file's rows plus a copy of
every row of the data aktual whose NIK the file does not name (one INSERT ... SELECT, so
a million rows stay set-based). Eligibility keeps reading one current dataset, and each
version says which upload changed what. A partial update removes nobody; that takes a
full one.

Shrinking: a full update with under half the rows of the data aktual, or without a
kecamatan the data aktual has, is held: its rows stay staged under the run, unused,
until it is confirmed, applied as partial instead, or cancelled.
"""
from dataclasses import dataclass

from sqlalchemy import exists, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from models import DtsenRecord, ImportRun
from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l

SCOPES = ("full", "partial")
_COPIED = ("nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "kode_kelurahan", "desil")


@dataclass(frozen=True)
class Replacement:
    """What a full update would do to the data aktual in use."""

    rows_now: int
    rows_new: int
    kecamatan_now: frozenset[str]
    kecamatan_new: frozenset[str]

    @property
    def missing(self) -> list[str]:
        """Kecamatan codes of the data aktual that the new file does not cover."""
        return sorted(self.kecamatan_now - self.kecamatan_new)

    @property
    def shrinks(self) -> bool:
        return self.rows_new * 2 < self.rows_now or bool(self.missing)


def _rows(session: Session, dataset_id: int) -> int:
    return session.scalar(select(func.count()).select_from(DtsenRecord)
                          .where(DtsenRecord.dataset_id == dataset_id))


def _kecamatan(session: Session, dataset_id: int) -> frozenset[str]:
    return frozenset(session.execute(
        select(func.substr(DtsenRecord.kode_kelurahan, 1, 6)).distinct()
        .where(DtsenRecord.dataset_id == dataset_id)).scalars())


def replacement(session: Session, run_id: int, current: ImportRun | None
                ) -> Replacement | None:
    """Rows and kecamatan now and in run ``run_id``; None when there is no data aktual."""
    if current is None:
        return None
    return Replacement(_rows(session, current.id), _rows(session, run_id),
                       _kecamatan(session, current.id), _kecamatan(session, run_id))


def merge(session: Session, run: ImportRun, current: ImportRun | None) -> dict:
    """Copy into ``run`` every row of ``current`` whose NIK it does not have; what the
    audit event says about it."""
    if current is None:
        return {"scope": "partial", "based_on": None, "kept": 0, "replaced": 0}
    if current.as_of and run.as_of and run.as_of < current.as_of:
        raise InvalidInput(_l(
            "A partial update is merged into the data aktual in use, which is as of "
            "%(day)s: its date cannot be earlier. Nothing was imported.",
            day=current.as_of.isoformat()))
    before, own = _rows(session, current.id), _rows(session, run.id)
    new = aliased(DtsenRecord)
    session.execute(insert(DtsenRecord).from_select(
        ("dataset_id",) + _COPIED,
        select(literal(run.id), *(getattr(DtsenRecord, c) for c in _COPIED)).where(
            DtsenRecord.dataset_id == current.id,
            ~exists().where(new.dataset_id == run.id, new.nik == DtsenRecord.nik))))
    kept = _rows(session, run.id) - own  # rowcount: -1 on PostgreSQL for INSERT ... SELECT
    return {"scope": "partial", "based_on": current.id, "kept": kept, "replaced": before - kept}


def settle(session: Session, run: ImportRun, current: ImportRun | None, scope: str,
           replace_all: bool) -> tuple[str, dict]:
    """After the file's rows are written under ``run``: merge them (partial), hold them
    (a full update that shrinks the data aktual, not confirmed) or apply them."""
    run.scope = scope
    if scope == "partial":
        return "applied", merge(session, run, current)
    change = replacement(session, run.id, current)
    if change is None or not change.shrinks:
        return "applied", {"scope": "full"}
    if replace_all:
        return "applied", {"scope": "full", "confirmed": True}
    return "held", {"scope": "full", "rows_now": change.rows_now,
                    "kecamatan_missing": change.missing}
