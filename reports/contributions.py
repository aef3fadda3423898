"""Read-only views of contribution months: a participant's months, the paid-through
month, and who is at or near the 3-month lapse (domain.md §1.7).

The paid-through logic lives here, below the workflows, because the case page
(through reports) and the workflows (``workflows.contributions.status``) both need
it and imports only point down. It is one set-based query, so the lapse list of
200,000 participants costs one statement, not one per person.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, extract, func, literal, select
from sqlalchemy.orm import Session, aliased

from models import Application, ContributionMonth, PaymentBatch, Worker

LAPSE_AFTER = 3  # more than 3 consecutive unpaid months ends the membership
WARN_FROM = 2  # paid-through this many months behind today's month: warn
UNPAID = ("due", "arrears")


def month_index(day: date) -> int:
    """Months since year 0, so month arithmetic is integer arithmetic."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    return month_of(month_index(day) + months)


def unpaid_before(today: date):
    """Months before today's month still unpaid: arrears, what the city owes BPJS (the
    contributions page's list and the worklist of those in arrears)."""
    return ContributionMonth.status.in_(UNPAID) & (ContributionMonth.month < today.replace(day=1))


def sql_month_index(column):
    # extract() compiles to EXTRACT on PostgreSQL and strftime on SQLite.
    return extract("year", column) * 12 + extract("month", column) - 1


def paid_run_lengths(only_id: int | None = None):
    """Per application, how many months from its coverage start are paid without a gap.

    A paid month is in the leading run exactly when its offset from the coverage
    start equals its position among the paid months (0, 1, 2, ...); after the
    first gap every offset is larger than the position.
    """
    cm, app = ContributionMonth, Application
    offset = (sql_month_index(cm.month) - sql_month_index(app.coverage_start)).label("offset")
    paid = (select(cm.application_id, offset,
                   (func.row_number().over(partition_by=cm.application_id, order_by=cm.month)
                    - 1).label("position"))
            .join(app, app.id == cm.application_id)
            .where(cm.status == "paid", app.coverage_start.is_not(None),
                   sql_month_index(cm.month) >= sql_month_index(app.coverage_start)))
    if only_id is not None:
        paid = paid.where(cm.application_id == only_id)
    paid = paid.subquery()
    return (select(paid.c.application_id, func.count().label("run"))
            .where(paid.c.offset == paid.c.position)
            .group_by(paid.c.application_id).subquery())


def paid_through(session: Session, application: Application) -> date | None:
    """The last month of the unbroken paid run from the coverage start (None: none paid)."""
    if application.coverage_start is None:
        return None
    runs = paid_run_lengths(application.id)
    run = session.scalar(select(runs.c.run)) or 0
    return add_months(application.coverage_start.replace(day=1), run - 1) if run else None


@dataclass(frozen=True)
class LapseWarning:
    application_id: int
    worker_name: str
    nik: str
    kpj: str
    coverage_start: date
    paid_through: date | None
    months_unpaid: int  # from the month after paid-through up to today's month

    @property
    def lapsed(self) -> bool:
        """More than 3 consecutive unpaid months: BPJS has ended the membership."""
        return self.months_unpaid > LAPSE_AFTER


def continued(app):
    """The membership runs on under the next year's enrolled renewal, whose months count."""
    renewal = aliased(Application)
    return exists().where(renewal.renews_id == app.id, renewal.state == "enrolled")


def lapse_list(session: Session, today: date) -> list[LapseWarning]:
    """Enrolled participants whose paid-through month is ``WARN_FROM`` or more months
    behind today's month, the longest unpaid first.

    Today's month counts as unpaid until it is paid (BPU pay by the 15th of the
    month itself, domain.md §1.6); so with paid-through January, in March two
    months (February, March) are unpaid and one more month ends the membership.
    """
    runs = paid_run_lengths()
    app = Application
    start = sql_month_index(app.coverage_start)
    paid_index = (start + func.coalesce(runs.c.run, 0) - 1).label("paid_index")
    now = month_index(today)
    rows = session.execute(
        select(app.id, Worker.full_name, Worker.nik, app.kpj, app.coverage_start, paid_index)
        .join(Worker, Worker.id == app.worker_id)
        .outerjoin(runs, runs.c.application_id == app.id)
        .where(app.state == "enrolled", app.coverage_start.is_not(None),
               app.coverage_start <= today, ~continued(app),
               literal(now) - (start + func.coalesce(runs.c.run, 0) - 1) >= WARN_FROM)
        .order_by(paid_index, app.id)).all()
    warnings = []
    for app_id, name, nik, kpj, coverage_start, paid in rows:
        paid = int(paid)
        covered = paid >= month_index(coverage_start)
        warnings.append(LapseWarning(app_id, name, nik, kpj, coverage_start,
                                     month_of(paid) if covered else None, now - paid))
    return warnings


@dataclass(frozen=True)
class MonthRow:
    month: date
    amount: int
    status: str
    payment_batch_id: int | None


@dataclass(frozen=True)
class ParticipantMonths:
    months: list[MonthRow]
    paid_through: date | None


def participant_months(session: Session, application: Application) -> ParticipantMonths | None:
    """What the case page's Contributions card shows; None before enrolment data exists.
    Months are made only for participants with a KPJ (workflows/contributions/
    generation.covered_in), so a case without one is not asked (issue 16)."""
    if not application.kpj:
        return None
    months = [MonthRow(*row) for row in session.execute(
        select(ContributionMonth.month, ContributionMonth.amount, ContributionMonth.status,
               ContributionMonth.payment_batch_id)
        .where(ContributionMonth.application_id == application.id)
        .order_by(ContributionMonth.month))]
    return ParticipantMonths(months, paid_through(session, application))


@dataclass(frozen=True)
class MonthCount:
    month: date
    rows: int  # months of this batch
    elsewhere: int  # the same month in other batches (skipped when this one was made)


def batch_month_counts(session: Session, batch: PaymentBatch) -> list[MonthCount]:
    """Per month of ``batch``: its rows, and the rows of that month in other batches."""
    cm = ContributionMonth
    mine = func.sum(case((cm.payment_batch_id == batch.id, 1), else_=0))
    found = {month: (int(rows), total - int(rows)) for month, rows, total in session.execute(
        select(cm.month, mine, func.count())
        .where(cm.month >= batch.first_month,
               cm.month <= add_months(batch.first_month, batch.months - 1))
        .group_by(cm.month))}
    return [MonthCount(month, *found.get(month, (0, 0)))
            for month in (add_months(batch.first_month, i) for i in range(batch.months))]
