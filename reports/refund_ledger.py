"""The refund ledger as pages and exports read it: lines (owed or refunded) with the
participant, and totals per budget year (workflows/refunds.py says what a line is)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Application, PaymentBatch, RefundLine, Worker
from reports.tables import Col, Sheet

SHOWN = 500  # lines on one page; the export has them all


@dataclass(frozen=True)
class LedgerLine:
    id: int
    application_id: int
    full_name: str
    kpj: str | None
    month: date
    amount: int
    fiscal_year: int
    payment_batch_id: int | None
    sp2d_number: str | None
    exit_reason: str
    status: str
    refunded_amount: int | None
    refunded_on: date | None
    bpjs_reference: str | None


@dataclass(frozen=True)
class YearTotal:
    fiscal_year: int
    lines: int
    paid: int          # rupiah paid for months not owed
    owed: int          # of which still owed by BPJS
    refunded: int      # rupiah BPJS refunded
    written_off: int   # refunded lines' shortfall (refunded less than paid, by agreement)


def _filtered(stmt, status: str | None, year: int | None):
    if status:
        stmt = stmt.where(RefundLine.status == status)
    if year:
        stmt = stmt.where(RefundLine.fiscal_year == year)
    return stmt


def ledger_lines(session: Session, *, status: str | None = None, year: int | None = None,
                 limit: int | None = SHOWN) -> list[LedgerLine]:
    stmt = _filtered(
        select(RefundLine.id, RefundLine.application_id, Worker.full_name, Application.kpj,
               RefundLine.month, RefundLine.amount, RefundLine.fiscal_year,
               RefundLine.payment_batch_id, PaymentBatch.sp2d_number, RefundLine.exit_reason,
               RefundLine.status, RefundLine.refunded_amount, RefundLine.refunded_on,
               RefundLine.bpjs_reference)
        .join(Application, Application.id == RefundLine.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .outerjoin(PaymentBatch, PaymentBatch.id == RefundLine.payment_batch_id)
        .order_by(RefundLine.status, RefundLine.fiscal_year.desc(), RefundLine.application_id,
                  RefundLine.month), status, year)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [LedgerLine(*row) for row in session.execute(stmt).all()]


def year_totals(session: Session, *, status: str | None = None,
                year: int | None = None) -> list[YearTotal]:
    refunded = func.coalesce(RefundLine.refunded_amount, 0)
    stmt = _filtered(
        select(RefundLine.fiscal_year, func.count(), func.sum(RefundLine.amount),
               func.sum(case((RefundLine.status == "owed", RefundLine.amount), else_=0)),
               func.sum(refunded),
               func.sum(case((RefundLine.status == "refunded", RefundLine.amount - refunded),
                             else_=0)))
        .group_by(RefundLine.fiscal_year).order_by(RefundLine.fiscal_year), status, year)
    return [YearTotal(*(int(v or 0) for v in row)) for row in session.execute(stmt).all()]


def ledger_sheets(lines: list[LedgerLine], totals: list[YearTotal], *, labels) -> list[Sheet]:
    """The export's tables; ``labels`` translates column titles, reasons and statuses
    (a dict of the caller's words: the report layer has no request language)."""
    lines_sheet = Sheet(labels["lines"], [
        Col(labels["application"], "int", 10), Col(labels["name"], "text", 30),
        Col("KPJ", "text", 16), Col(labels["month"], "text", 10),
        Col(labels["amount"], "money", 14), Col(labels["year"], "int", 8),
        Col(labels["batch"], "int", 10), Col("SP2D", "text", 18),
        Col(labels["reason"], "text", 28), Col(labels["status"], "text", 14),
        Col(labels["refunded_amount"], "money", 14), Col(labels["refunded_on"], "date", 12),
        Col(labels["reference"], "text", 22)],
        [(line.application_id, line.full_name, line.kpj, f"{line.month:%Y-%m}", line.amount,
          line.fiscal_year, line.payment_batch_id, line.sp2d_number,
          labels["reasons"].get(line.exit_reason, line.exit_reason),
          labels["statuses"].get(line.status, line.status), line.refunded_amount,
          line.refunded_on, line.bpjs_reference) for line in lines])
    totals_sheet = Sheet(labels["totals"], [
        Col(labels["year"], "int", 8), Col(labels["count"], "int", 10),
        Col(labels["paid"], "money", 16), Col(labels["owed"], "money", 16),
        Col(labels["refunded_amount"], "money", 16), Col(labels["written_off"], "money", 16)],
        [(t.fiscal_year, t.lines, t.paid, t.owed, t.refunded, t.written_off) for t in totals])
    return [lines_sheet, totals_sheet]
