"""Quarterly budget realisation (realisasi anggaran per triwulan) of one fiscal year.

Built on the monthly realisation (reports/budget_realisation.py), which it does not
repeat: the contribution months of each quarter are that report's months summed, and
the payments are its payment batches by SP2D date. Added here, by quarter and
cumulative: what was committed and released (the budget ledger, by the day the
commitment or release was made) and how many participants the quarter's SP2D paid.

Realisation is cash: a batch counts in the quarter of its SP2D. A commitment made in
December for next year (workflows/budget.py ``decision_year``) counts in Q1, and what
the year-close releases in January counts in Q4, the DPA year it belongs to.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import BudgetLedger, BudgetYear, ContributionMonth, PaymentBatch
from reports.budget_realisation import BudgetRealisation, budget_realisation
from reports.city.periods import Quarter, quarters

PAID_STATUSES = ("paid", "reconciled")


@dataclass
class QuarterRow:
    quarter: Quarter
    committed: int = 0          # new commitments (ledger 'commit')
    released: int = 0           # given back (ledger 'release', as a positive amount)
    paid: int = 0               # SP2D dated in the quarter
    participants_paid: int = 0  # distinct participants in those SP2Ds
    due: int = 0                # contributions of the quarter's months
    months_paid: int = 0        # of which paid (any SP2D date)
    arrears: int = 0
    sp2d: list[str] = field(default_factory=list)
    # Running totals from 1 January, filled by ``quarterly_realisation``.
    cumulative_committed: int = 0
    cumulative_paid: int = 0
    cumulative_participants: int = 0  # distinct participants paid from 1 January
    remaining: int = 0          # appropriation - net committed at the quarter's end
    realised_share: float = 0.0  # cumulative paid / appropriation, 0-1


@dataclass
class QuarterlyRealisation:
    year: BudgetYear
    monthly: BudgetRealisation
    rows: list[QuarterRow]

    def upto(self, number: int) -> QuarterRow:
        return self.rows[number - 1]


def _bucket(column, bounds: list[date]):
    """The quarter (1-4) of a date or moment; before Q2 is Q1, after Q3 is Q4."""
    return case((column < bounds[0], 1), (column < bounds[1], 2), (column < bounds[2], 3),
                else_=4)


def quarterly_realisation(session: Session, year: BudgetYear,
                          category_labels: dict) -> QuarterlyRealisation:
    monthly = budget_realisation(session, year, category_labels)
    qs = quarters(year.fiscal_year)
    rows = [QuarterRow(q) for q in qs]
    starts = [q.period for q in qs[1:]]
    ledger_bucket = _bucket(BudgetLedger.created_at, [p.start for p in starts])
    for bucket, kind, amount in session.execute(
            select(ledger_bucket, BudgetLedger.kind, func.sum(BudgetLedger.amount))
            .where(BudgetLedger.fiscal_year == year.fiscal_year)
            .group_by(ledger_bucket, BudgetLedger.kind)):
        row = rows[int(bucket) - 1]
        if kind == "commit":
            row.committed += int(amount or 0)
        else:
            row.released += -int(amount or 0)
    day_bounds = [p.first_day for p in starts]
    for batch in monthly.batches:
        if batch.status in PAID_STATUSES and batch.sp2d_date is not None:
            row = rows[_quarter_of(batch.sp2d_date, day_bounds) - 1]
            row.paid += batch.total
            row.sp2d.append(batch.sp2d_number or f"#{batch.id}")
    sp2d_bucket = _bucket(PaymentBatch.sp2d_date, day_bounds).label("bucket")
    paid_months = (select(ContributionMonth.application_id, sp2d_bucket)
                   .join(PaymentBatch, PaymentBatch.id == ContributionMonth.payment_batch_id)
                   .where(PaymentBatch.fiscal_year == year.fiscal_year,
                          PaymentBatch.status.in_(PAID_STATUSES),
                          PaymentBatch.sp2d_date.is_not(None),
                          ContributionMonth.status == "paid").subquery())
    for bucket, n in session.execute(
            select(paid_months.c.bucket, func.count(func.distinct(paid_months.c.application_id)))
            .group_by(paid_months.c.bucket)):
        rows[int(bucket) - 1].participants_paid = int(n)
    # Each participant counts from the quarter of their first SP2D of the year.
    first = (select(paid_months.c.application_id, func.min(paid_months.c.bucket).label("q"))
             .group_by(paid_months.c.application_id).subquery())
    newly = dict(session.execute(select(first.c.q, func.count()).group_by(first.c.q)).all())
    for month in monthly.months:
        row = rows[(month.month.month - 1) // 3]
        row.due += month.due
        row.months_paid += month.paid
        row.arrears += month.arrears
    committed = paid = people = 0
    for number, row in enumerate(rows, start=1):
        committed += row.committed - row.released
        paid += row.paid
        people += int(newly.get(number, 0))
        row.cumulative_participants = people
        row.cumulative_committed, row.cumulative_paid = committed, paid
        row.remaining = year.appropriation - committed
        row.realised_share = paid / year.appropriation if year.appropriation else 0.0
    return QuarterlyRealisation(year, monthly, rows)


def _quarter_of(day: date, bounds: list[date]) -> int:
    return 1 + sum(day >= bound for bound in bounds)
