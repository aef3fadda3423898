"""The programme report (laporan pelaksanaan) for a period: every figure is an
aggregate computed by the database; no case list is loaded."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from models import (Application, ApplicationTransition, BudgetYear, EligibilityEvaluation,
                    ImportRun, Kecamatan, Kelurahan, PolicyVersion, Worker)
from reports.budget import HOLDING
from reports.period import Period
from reports.stage_times import StageTime, stage_times

AGE_BANDS = ((None, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, None))
# (from_state, to_state) -> row of the flow table; None matches any source.
FLOW = (("received", ("draft", "submitted")), ("resubmitted", ("returned", "submitted")),
        ("returned", (None, "returned")), ("rejected", (None, "rejected")),
        ("verified", (None, "verified")), ("approved", (None, "approved")),
        ("waitlisted", (None, "waitlisted")), ("declined", (None, "declined")),
        ("sent_back", ("verified", "submitted")), ("sent_back", ("waitlisted", "submitted")),
        ("submitted_to_bpjs", (None, "submitted_to_bpjs")),
        ("bpjs_rejected", (None, "bpjs_rejected")), ("enrolled", (None, "enrolled")),
        ("terminated", (None, "terminated")))


@dataclass
class AreaRow:
    kecamatan: str
    kelurahan: str | None
    participants: int
    enrolled: int


@dataclass
class ProgramReport:
    period: Period
    flow: dict[str, int]
    by_state: list[tuple[str, int]]
    by_kecamatan: list[AreaRow]
    by_kelurahan: list[AreaRow]
    by_category: list[tuple[str, int, int]]
    by_sex_age: list[tuple[str, str, int]]      # sex, band label, participants
    stages: list[StageTime]
    budgets: list[BudgetYear]
    policy: PolicyVersion | None
    dataset: ImportRun | None
    evaluations: list[tuple[int, str, int | None, int]] = field(default_factory=list)


def _flow(session: Session, period: Period) -> dict[str, int]:
    t = ApplicationTransition
    pairs = session.execute(select(t.from_state, t.to_state, func.count())
                            .where(t.at >= period.start, t.at < period.end)
                            .group_by(t.from_state, t.to_state)).all()
    flow = dict.fromkeys(dict(FLOW), 0)
    for source, target, n in pairs:
        for key, (want_source, want_target) in FLOW:
            if target == want_target and want_source in (None, source):
                flow[key] += n
                break
    return flow


def _areas(session: Session, years: range, by_kelurahan: bool) -> list[AreaRow]:
    columns = [Kecamatan.name] + ([Kelurahan.name] if by_kelurahan else [])
    rows = session.execute(
        select(*columns, func.count(Application.id),
               func.sum(case((Application.state == "enrolled", 1), else_=0)))
        .select_from(Application).join(Worker, Application.worker_id == Worker.id)
        .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code)
        .join(Kecamatan, Kelurahan.kecamatan_code == Kecamatan.code)
        .where(Application.program_year.in_(list(years)), Application.state.in_(HOLDING))
        .group_by(*columns).order_by(*columns)).all()
    if by_kelurahan:
        return [AreaRow(kec, kel, n, int(e or 0)) for kec, kel, n, e in rows]
    return [AreaRow(kec, None, n, int(e or 0)) for kec, n, e in rows]


def _sex_age(session: Session, years: range, on: date):
    """Age bands on the period's last day, decided in SQL by comparing birth dates."""
    def born_before(age: int) -> date:
        try:
            return on.replace(year=on.year - age)
        except ValueError:  # 29 February
            return on.replace(year=on.year - age, day=28)
    whens = []
    for low, high in AGE_BANDS:
        label = f"{low}-{high - 1}" if low and high else (f"< {high}" if high else f"{low}+")
        conditions = ([Worker.birth_date <= born_before(low)] if low else []) + \
                     ([Worker.birth_date > born_before(high)] if high else [])
        whens.append((and_(*conditions), label))
    band = case(*whens, else_="?").label("band")
    rows = session.execute(
        select(Worker.sex, band, func.count(Application.id))
        .join(Application, Application.worker_id == Worker.id)
        .where(Application.program_year.in_(list(years)), Application.state.in_(HOLDING))
        .group_by(Worker.sex, band)).all()
    order = [label for _cond, label in whens]
    return sorted(rows, key=lambda r: (r[0], order.index(r[1]) if r[1] in order else 99))


def program_report(session: Session, period: Period) -> ProgramReport:
    years = period.years
    in_years = Application.program_year.in_(list(years))
    by_state = session.execute(select(Application.state, func.count()).where(in_years)
                               .group_by(Application.state)).all()
    by_category = session.execute(
        select(Worker.category, func.count(Application.id),
               func.sum(case((Application.state == "enrolled", 1), else_=0)))
        .join(Application, Application.worker_id == Worker.id)
        .where(in_years, Application.state.in_(HOLDING))
        .group_by(Worker.category).order_by(Worker.category)).all()
    policy = session.execute(
        select(PolicyVersion).where(
            PolicyVersion.effective_from <= period.last_day,
            or_(PolicyVersion.effective_to.is_(None),
                PolicyVersion.effective_to >= period.last_day))
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()).limit(1)
    ).scalar_one_or_none()
    dataset = session.execute(
        select(ImportRun).where(ImportRun.kind == "dtsen", ImportRun.status == "applied",
                                ImportRun.as_of <= period.last_day)
        .order_by(ImportRun.as_of.desc(), ImportRun.id.desc()).limit(1)).scalar_one_or_none()
    evaluations = session.execute(
        select(PolicyVersion.id, PolicyVersion.name, EligibilityEvaluation.dtsen_dataset_id,
               func.count(EligibilityEvaluation.id))
        .join(PolicyVersion, PolicyVersion.id == EligibilityEvaluation.policy_version_id)
        .where(EligibilityEvaluation.evaluated_at >= period.start,
               EligibilityEvaluation.evaluated_at < period.end)
        .group_by(PolicyVersion.id, PolicyVersion.name, EligibilityEvaluation.dtsen_dataset_id)
        .order_by(PolicyVersion.id, EligibilityEvaluation.dtsen_dataset_id)).all()
    return ProgramReport(
        period=period, flow=_flow(session, period), by_state=[tuple(r) for r in by_state],
        by_kecamatan=_areas(session, years, False), by_kelurahan=_areas(session, years, True),
        by_category=[(c, n, int(e or 0)) for c, n, e in by_category],
        by_sex_age=[tuple(r) for r in _sex_age(session, years, period.last_day)],
        stages=stage_times(session, period),
        budgets=list(session.execute(select(BudgetYear).where(
            BudgetYear.fiscal_year.in_(list(years))).order_by(BudgetYear.fiscal_year)).scalars()),
        policy=policy, dataset=dataset, evaluations=[tuple(r) for r in evaluations])
