"""The budget page's figures, aggregated in SQL: where the money is committed."""
from dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, BudgetQuota, BudgetYear, Decree, Kecamatan, Kelurahan, Worker

HOLDING = ("approved", "submitted_to_bpjs", "enrolled")


@dataclass(frozen=True)
class BudgetRow:
    key: str
    label: str
    places: int
    committed: int


@dataclass(frozen=True)
class BudgetSummary:
    year: BudgetYear
    by_kecamatan: list[BudgetRow]
    by_category: list[BudgetRow]
    decrees: list[Decree]

    @property
    def remaining(self) -> int:
        return self.year.appropriation - self.year.committed

    @property
    def forecast(self) -> int:
        """Spending by 31 December if nobody joins or leaves: every commitment runs to the
        year end (premium x months left at approval), paid or not yet."""
        return self.year.committed

    @property
    def to_pay(self) -> int:
        return self.year.committed - self.year.realised

    def share(self, amount: int) -> float:
        return 0.0 if not self.year.appropriation else 100.0 * amount / self.year.appropriation


def holdings_by_area(session: Session, fiscal_year: int) -> dict[str, list[list]]:
    """Places and rupiah the year's cases hold, per kecamatan ``[code, name, places,
    rupiah]`` and per category ``[key, places, rupiah]``, as JSON-shaped rows: at a
    million cases the two grouped scans take seconds, so the job worker counts them for
    the budget page (reports/home_figures.py)."""
    holding = (Application.program_year == fiscal_year, Application.state.in_(HOLDING))
    kecamatan = session.execute(
        select(Kecamatan.code, Kecamatan.name, func.count(Application.id),
               func.coalesce(func.sum(Application.commitment), 0))
        .select_from(Kecamatan).join(Kelurahan, Kelurahan.kecamatan_code == Kecamatan.code)
        .join(Worker, Worker.kelurahan_code == Kelurahan.code)
        .join(Application, (Application.worker_id == Worker.id) & holding[0] & holding[1])
        .group_by(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.name)).all()
    category = session.execute(
        select(Worker.category, func.count(Application.id),
               func.coalesce(func.sum(Application.commitment), 0))
        .join(Application, Application.worker_id == Worker.id).where(*holding)
        .group_by(Worker.category).order_by(Worker.category)).all()
    return {"kecamatan": [[code, name, int(n), int(amount)]
                          for code, name, n, amount in kecamatan],
            "category": [[key, int(n), int(amount)] for key, n, amount in category]}


def budget_summary(session: Session, year: BudgetYear, category_labels: dict,
                   holdings: dict | None = None) -> BudgetSummary:
    """``holdings`` as ``holdings_by_area`` gives them (counted by the job worker), else
    counted now."""
    holdings = holdings or holdings_by_area(session, year.fiscal_year)
    return BudgetSummary(
        year=year,
        by_kecamatan=[BudgetRow(*row) for row in holdings["kecamatan"]],
        by_category=[BudgetRow(key, str(category_labels.get(key, key)), n, amount)
                     for key, n, amount in holdings["category"]],
        decrees=list(session.execute(select(Decree).where(
            Decree.fiscal_year == year.fiscal_year).order_by(Decree.id.desc())).scalars()))


@dataclass(frozen=True)
class QuotaRow:
    """One kelurahan's split of the year's quota (issue 15: quotas per kelurahan where
    the policy sets them; approval takes its places, workflows/budget.py)."""
    code: str
    name: str
    quota: int
    used: int

    @property
    def left(self) -> int:
        return self.quota - self.used


def kelurahan_quotas(session: Session, fiscal_year: int) -> list[QuotaRow]:
    rows = session.execute(
        select(BudgetQuota.key, func.coalesce(Kelurahan.name, BudgetQuota.key),
               BudgetQuota.quota, BudgetQuota.used)
        .outerjoin(Kelurahan, Kelurahan.code == BudgetQuota.key)
        .where(BudgetQuota.fiscal_year == fiscal_year, BudgetQuota.dimension == "kelurahan")
        .order_by(Kelurahan.name, BudgetQuota.key)).all()
    return [QuotaRow(*row) for row in rows]
