"""How long applications stay in each stage, computed in the database.

Each transition opens a stay in its target state; the next transition of the same
application closes it (SQL window ``LEAD``). Stays that began in the period are
measured; one still open is measured up to the end of the period (or now, if
earlier) and counted as open, because leaving waiting cases out would make the
queue look faster than it is. Median and 90th percentile are nearest-rank values
from ``ROW_NUMBER`` over the sorted durations, which SQLite and PostgreSQL both do.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, case, extract, func, select
from sqlalchemy.orm import Session

from models import ApplicationTransition, clock
from models.base import UTCDateTime
from reports.period import Period

# Terminal states and the membership itself are not waiting stages.
STAGES = ("draft", "submitted", "returned", "verified", "waitlisted", "approved",
          "submitted_to_bpjs", "bpjs_rejected")


@dataclass(frozen=True)
class StageTime:
    state: str
    stays: int
    still_open: int
    median_days: float
    p90_days: float


def _seconds(session: Session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def stage_times(session: Session, period: Period) -> list[StageTime]:
    t = ApplicationTransition
    until = bindparam("until", min(period.end, clock.now()), type_=UTCDateTime())
    stays = select(
        t.to_state.label("state"), t.at.label("entered"),
        func.lead(t.at).over(partition_by=t.application_id, order_by=(t.at, t.id)).label("left"),
    ).subquery()
    measured = select(
        stays.c.state,
        _seconds(session, func.coalesce(stays.c.left, until), stays.c.entered).label("secs"),
        case((stays.c.left.is_(None), 1), else_=0).label("open"),
    ).where(stays.c.entered >= period.start, stays.c.entered < period.end,
            stays.c.state.in_(STAGES)).subquery()
    ranked = select(
        measured.c.state, measured.c.secs, measured.c.open,
        func.row_number().over(partition_by=measured.c.state,
                               order_by=measured.c.secs).label("rn"),
        func.count().over(partition_by=measured.c.state).label("n"),
    ).subquery()
    rows = session.execute(select(
        ranked.c.state, ranked.c.n, func.sum(ranked.c.open),
        func.min(case((ranked.c.rn >= ranked.c.n * 0.5, ranked.c.secs))),
        func.min(case((ranked.c.rn >= ranked.c.n * 0.9, ranked.c.secs))),
    ).group_by(ranked.c.state, ranked.c.n)).all()
    found = {state: StageTime(state, n, int(still_open or 0), float(median or 0) / 86400,
                              float(p90 or 0) / 86400)
             for state, n, still_open, median, p90 in rows}
    return [found[s] for s in STAGES if s in found]
