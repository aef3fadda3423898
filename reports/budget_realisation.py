"""Budget realisation of one year, month by month, with the payments behind it.

Per month the contributions due, paid and in arrears are summed by the database;
the payment batches (a handful per year: blocks of 1, 3, 6 or 12 months) give the
SP2D and invoice references and whether BPJS's bill was reconciled.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import BudgetYear, ContributionMonth, PaymentBatch
from reports.budget import BudgetSummary, budget_summary


@dataclass
class MonthRow:
    month: date
    participants: int
    due: int
    paid: int
    arrears: int
    cumulative_paid: int
    batches: list["BatchRow"]

    @property
    def unpaid(self) -> int:
        return self.due - self.paid


@dataclass
class BatchRow:
    id: int
    first_month: date
    months: int
    participants: int
    total: int
    status: str
    sp2d_number: str | None
    sp2d_date: date | None
    invoice_number: str | None
    differences: int | None     # lines of the reconciliation report, None before it

    def covers(self, month: date) -> bool:
        index = month.year * 12 + month.month
        start = self.first_month.year * 12 + self.first_month.month
        return start <= index < start + self.months


@dataclass
class BudgetRealisation:
    summary: BudgetSummary
    months: list[MonthRow]
    batches: list[BatchRow]

    @property
    def year(self) -> BudgetYear:
        return self.summary.year


def _batches(session: Session, fiscal_year: int) -> list[BatchRow]:
    report = PaymentBatch.reconciliation_report
    # Count the report's lines in SQL (minus the header): the text itself can be long.
    lines = func.length(report) - func.length(func.replace(report, "\n", ""))
    rows = session.execute(
        select(PaymentBatch.id, PaymentBatch.first_month, PaymentBatch.months,
               PaymentBatch.participant_count, PaymentBatch.total, PaymentBatch.status,
               PaymentBatch.sp2d_number, PaymentBatch.sp2d_date, PaymentBatch.invoice_number,
               case((report.is_(None), None), else_=lines - 1))
        .where(PaymentBatch.fiscal_year == fiscal_year).order_by(PaymentBatch.first_month,
                                                                 PaymentBatch.id)).all()
    return [BatchRow(*row[:9], None if row[9] is None else max(0, int(row[9]))) for row in rows]


def budget_realisation(session: Session, year: BudgetYear,
                       category_labels: dict) -> BudgetRealisation:
    cm = ContributionMonth
    # A participant has one row a month (unique): count(*) counts participants, without
    # the sort a DISTINCT needs (a third of the time over a city's months).
    sums = {row[0]: row[1:] for row in session.execute(
        select(cm.month, func.count(), func.sum(cm.amount),
               func.sum(case((cm.status == "paid", cm.amount), else_=0)),
               func.sum(case((cm.status == "arrears", cm.amount), else_=0)))
        .where(cm.month >= date(year.fiscal_year, 1, 1), cm.month <= date(year.fiscal_year, 12, 1))
        .group_by(cm.month))}
    batches = _batches(session, year.fiscal_year)
    months, cumulative = [], 0
    for number in range(1, 13):
        month = date(year.fiscal_year, number, 1)
        participants, due, paid, arrears = sums.get(month, (0, 0, 0, 0))
        cumulative += int(paid or 0)
        months.append(MonthRow(month, int(participants or 0), int(due or 0), int(paid or 0),
                               int(arrears or 0), cumulative,
                               [b for b in batches if b.covers(month)]))
    return BudgetRealisation(budget_summary(session, year, category_labels), months, batches)
