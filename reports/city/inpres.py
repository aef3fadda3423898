"""The Inpres 2/2021 follow-up table (tindak lanjut Instruksi Presiden No. 2 Tahun 2021
tentang Optimalisasi Pelaksanaan Program Jaminan Sosial Ketenagakerjaan) for one
semester: regulation, budget, workers registered, enrolled, active and ended, by
category and by kecamatan, the data the participants were chosen on, and the complaints
and objections of people left out (pengaduan/sanggahan, answered within 14 days:
reports/complaints.py).

Why a semester: Menko PMK reports on the Instruction's implementation every 6 months
(https://sumut.antaranews.com/berita/380938/bpjamsostek-apresiasi-terbitnya-inpres-optimalisasi-pelaksanaan-program-jaminan-sosial-ketenagakerjaan);
regional heads must "menyusun dan menetapkan regulasi serta mengalokasikan anggaran"
and SE Mendagri 842.2/5193/SJ (11 Nov 2021) asks for the programme in the RKPD and the
APBD and for NIK-based participation data (domain.md §3). The categories are Perda
Kota Bekasi 11/2024 Pasal 90 ayat 1 a-d.

The four counts, each of applications (one per worker per programme year):
- registered: submitted to BPJS Ketenagakerjaan in the semester (a renewal continues
  its membership without a new registration, so it is not counted here);
- enrolled: covered on at least one day of the semester;
- active: covered on the reference day and paid by the city through its month (the
  semester's last day, or today while the semester runs);
- ended: membership ended by an exit whose last covered day is in the semester.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from models import (Application, ApplicationTransition, BudgetYear, Decree, ImportRun,
                    Kecamatan, Kelurahan, PolicyVersion, Worker)
from models.worker import CATEGORIES
from reports.city.membership import covered_between, covered_on, paid_index
from reports.city.periods import Semester
from reports.city.quarters import QuarterlyRealisation, quarterly_realisation
from reports.complaints import ComplaintCounts, complaint_counts
from reports.configuration import policy_on
from reports.contributions import month_index, paid_run_lengths

REGULATION = "Perda Kota Bekasi No. 11 Tahun 2024 Pasal 90"
COUNTS = ("registered", "enrolled", "active", "ended")


@dataclass
class InpresRow:
    key: str
    label: str
    registered: int = 0
    enrolled: int = 0
    active: int = 0
    ended: int = 0

    def add(self, values) -> None:
        for name, value in zip(COUNTS, values):
            setattr(self, name, getattr(self, name) + int(value or 0))


@dataclass
class InpresReport:
    semester: Semester
    reference_day: date
    policy: PolicyVersion | None
    decrees: list[Decree]
    budget: BudgetYear | None
    realisation: QuarterlyRealisation | None
    dataset: ImportRun | None
    total: InpresRow
    by_category: list[InpresRow]
    by_kecamatan: list[InpresRow]
    complaints: ComplaintCounts

    @property
    def realised(self) -> int | None:
        """Paid by SP2D from 1 January to the semester's end."""
        if self.realisation is None:
            return None
        return self.realisation.upto(2 * self.semester.half).cumulative_paid

    @property
    def committed(self) -> int | None:
        if self.realisation is None:
            return None
        return self.realisation.upto(2 * self.semester.half).cumulative_committed


def _flags(semester: Semester, reference_day: date, runs):
    period = semester.period
    after = period.last_day + timedelta(days=1)
    t = ApplicationTransition
    registered = exists().where(t.application_id == Application.id,
                                t.to_state == "submitted_to_bpjs",
                                t.at >= period.start, t.at < period.end)
    active = and_(covered_on(reference_day),
                  paid_index(runs) >= month_index(reference_day))
    ended = and_(Application.state == "terminated", Application.exit_month > period.first_day,
                 Application.exit_month <= after)
    return [func.sum(case((condition, 1), else_=0)) for condition in (
        registered, covered_between(period.first_day, after), active, ended)], \
        or_(registered, covered_between(period.first_day, after), ended)


def inpres_report(session: Session, semester: Semester, *, today: date,
                  category_labels: dict) -> InpresReport:
    period = semester.period
    reference_day = min(period.last_day, today)
    runs = paid_run_lengths()
    sums, any_flag = _flags(semester, reference_day, runs)
    groups = session.execute(
        select(Kelurahan.kecamatan_code, Worker.category, *sums)
        .select_from(Application).join(Worker, Worker.id == Application.worker_id)
        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
        .outerjoin(runs, runs.c.application_id == Application.id)
        .where(any_flag).group_by(Kelurahan.kecamatan_code, Worker.category)).all()
    total = InpresRow("total", "")
    categories = {c: InpresRow(c, str(category_labels.get(c, c))) for c in CATEGORIES}
    kecamatan = {code: InpresRow(code, name) for code, name in session.execute(
        select(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.name))}
    for code, category, *values in groups:   # at most 12 x 4 groups
        total.add(values)
        categories.setdefault(category, InpresRow(category, category)).add(values)
        kecamatan.setdefault(code, InpresRow(code, code)).add(values)
    budget = session.get(BudgetYear, semester.year)
    return InpresReport(
        semester=semester, reference_day=reference_day,
        policy=policy_on(session, period.last_day),
        decrees=list(session.execute(
            select(Decree).where(Decree.status == "signed",
                                 Decree.sk_date >= period.first_day,
                                 Decree.sk_date <= period.last_day)
            .order_by(Decree.sk_date, Decree.id)).scalars()),
        budget=budget,
        realisation=quarterly_realisation(session, budget, category_labels) if budget else None,
        dataset=session.execute(
            select(ImportRun).where(ImportRun.kind == "dtsen", ImportRun.status == "applied",
                                    ImportRun.as_of <= period.last_day)
            .order_by(ImportRun.as_of.desc(), ImportRun.id.desc()).limit(1)
        ).scalar_one_or_none(),
        total=total, by_category=list(categories.values()),
        by_kecamatan=list(kecamatan.values()),
        complaints=complaint_counts(session, period.first_day, period.last_day, today=today))

