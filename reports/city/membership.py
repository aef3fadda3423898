"""Who counts as a participant of the city's programme over a span of days, and how
far each one is paid: the SQL pieces the city reports share, so the by-name list,
the coverage table and the Inpres table count the same people.

A membership (one application, one programme year) is covered from its
``coverage_start`` up to the month before its ``exit_month`` (the first month no
longer paid, workflows/exits.py), and at most to 31 December of its programme year:
the next year is a renewal application of its own. Paid-through is the city's own
record (the unbroken run of paid contribution months, reports/contributions.py),
"paid by us", not BPJS's status file.
"""
from datetime import date, timedelta

from sqlalchemy import and_, func, or_

from models import Application
from reports.contributions import month_index, month_of, sql_month_index

# States whose application had (or has) a KPJ and a coverage start.
MEMBER_STATES = ("enrolled", "terminated")


def covered_between(first: date, end: date):
    """Memberships covered on at least one day of [first, end) (``end`` exclusive)."""
    app = Application
    return and_(app.state.in_(MEMBER_STATES), app.coverage_start.is_not(None),
                app.coverage_start < end, app.program_year >= first.year,
                or_(app.exit_month.is_(None),
                    and_(app.exit_month > first, app.exit_month > app.coverage_start)))


def covered_on(day: date):
    """Memberships covering ``day`` (the year-end count: covered on 31 December)."""
    return covered_between(day, day + timedelta(days=1))


def paid_index(runs):
    """The paid-through month as a month index (year * 12 + month - 1); below the
    coverage start's index when nothing is paid."""
    return sql_month_index(Application.coverage_start) + func.coalesce(runs.c.run, 0) - 1


def paid_through_month(index, coverage_start: date | None) -> date | None:
    """The month a ``paid_index`` value names, None when nothing is paid yet."""
    if index is None or coverage_start is None:
        return None
    index = int(index)
    return month_of(index) if index >= month_index(coverage_start) else None
