"""Daftar peserta by name and address (by-name-by-address, BNBA) per kelurahan: every
worker the city covered at any time in a year, grouped by kecamatan and kelurahan,
with the counts per area computed by the database.

The rows stream from one query ordered by kecamatan, kelurahan and name; the full NIK
is in the rows (the XLSX export, a bulk read with a stated purpose) and the PDF masks
it to the last four digits (reports/formatting.py ``masked_nik``).
"""
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Application, Kecamatan, Kelurahan, Worker
from reports.city.membership import covered_between, paid_index, paid_through_month
from reports.contributions import paid_run_lengths


@dataclass(frozen=True)
class Area:
    kecamatan_code: str
    kecamatan: str
    kelurahan_code: str
    kelurahan: str
    participants: int
    active: int         # still enrolled when the list was made


@dataclass(frozen=True)
class Participant:
    kecamatan: str
    kelurahan: str
    name: str
    nik: str
    address: str
    rt: str
    rw: str
    category: str
    kpj: str | None
    coverage_from: date | None
    paid_through: date | None
    state: str          # enrolled or terminated
    exit_reason: str | None
    exit_month: date | None


@dataclass(frozen=True)
class ParticipantList:
    year: int
    kecamatan: Kecamatan | None
    kelurahan: Kelurahan | None
    areas: list[Area]

    @property
    def total(self) -> int:
        return sum(a.participants for a in self.areas)

    def kecamatan_totals(self) -> list[tuple[str, int, int]]:
        """(kecamatan, participants, active) over the areas already counted (≤ 56 rows)."""
        totals: dict[str, list[int]] = {}
        for area in self.areas:
            row = totals.setdefault(area.kecamatan, [0, 0])
            row[0] += area.participants
            row[1] += area.active
        return [(name, n, active) for name, (n, active) in totals.items()]


def _where(year: int, kecamatan: str | None, kelurahan: str | None) -> list:
    conditions = [covered_between(date(year, 1, 1), date(year + 1, 1, 1))]
    if kecamatan:
        conditions.append(Kelurahan.kecamatan_code == kecamatan)
    if kelurahan:
        conditions.append(Worker.kelurahan_code == kelurahan)
    return conditions


def _joined(query):
    return (query.select_from(Application).join(Worker, Worker.id == Application.worker_id)
            .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
            .join(Kecamatan, Kecamatan.code == Kelurahan.kecamatan_code))


def participant_list(session: Session, year: int, *, kecamatan: str | None = None,
                     kelurahan: str | None = None) -> ParticipantList:
    """The counts per kelurahan (the rows come from ``participant_rows``)."""
    active = func.sum(case((Application.state == "enrolled", 1), else_=0))
    rows = session.execute(_joined(
        select(Kecamatan.code, Kecamatan.name, Kelurahan.code, Kelurahan.name,
               func.count(Application.id), active))
        .where(*_where(year, kecamatan, kelurahan))
        .group_by(Kecamatan.code, Kecamatan.name, Kelurahan.code, Kelurahan.name)
        .order_by(Kecamatan.name, Kelurahan.name)).all()
    return ParticipantList(
        year, session.get(Kecamatan, kecamatan) if kecamatan else None,
        session.get(Kelurahan, kelurahan) if kelurahan else None,
        [Area(*row[:5], int(row[5] or 0)) for row in rows])


def participant_rows(session: Session, year: int, *, kecamatan: str | None = None,
                     kelurahan: str | None = None) -> Iterator[Participant]:
    """Every participant of the year in list order, streamed from the database."""
    runs = paid_run_lengths()
    query = _joined(
        select(Kecamatan.name, Kelurahan.name, Worker.full_name, Worker.nik, Worker.address,
               Worker.rt, Worker.rw, Worker.category, Application.kpj,
               Application.coverage_start, paid_index(runs), Application.state,
               Application.exit_reason, Application.exit_month)
    ).outerjoin(runs, runs.c.application_id == Application.id).where(
        *_where(year, kecamatan, kelurahan)
    ).order_by(Kecamatan.name, Kelurahan.name, Worker.full_name, Application.id)
    for row in session.execute(query.execution_options(yield_per=500)):
        (kec, kel, name, nik, address, rt, rw, category, kpj, start, paid, state, reason,
         exit_month) = row
        yield Participant(kec, kel, name, nik, address, rt, rw, category, kpj, start,
                          paid_through_month(paid, start), state, reason, exit_month)


def area_choices(session: Session) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Kecamatan with their kelurahan, for the report form: (code, name, [(code, name)])."""
    choices: dict[str, tuple[str, str, list]] = {}
    for kec_code, kec_name, kel_code, kel_name in session.execute(
            select(Kecamatan.code, Kecamatan.name, Kelurahan.code, Kelurahan.name)
            .join(Kelurahan, Kelurahan.kecamatan_code == Kecamatan.code)
            .order_by(Kecamatan.name, Kelurahan.name)):
        choices.setdefault(kec_code, (kec_code, kec_name, []))[2].append((kel_code, kel_name))
    return list(choices.values())
