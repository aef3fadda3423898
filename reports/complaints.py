"""Complaints and objections (pengaduan / sanggahan) read for the pages and the city's
reports: the list with its 14-day deadline, and counts per period.

The deadline is the complaint's ``due_on`` (received + 14 days, models/complaint.py); a
complaint is answered in time when the day of its answer (WIB) is on or before it.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Complaint, Kelurahan

LIST_FILTERS = ("open", "overdue", "answered", "all")
LIST_LIMIT = 200


@dataclass(frozen=True)
class ComplaintCounts:
    """Complaints received in a period and what became of them (as of ``today``)."""
    received: int
    answered_in_time: int
    answered_late: int
    still_open: int
    overdue: int  # still open and past the due day; part of ``still_open``


def _total(condition):
    """How many of the selected rows meet ``condition`` (0, not NULL, for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def complaint_counts(session: Session, first_day: date, last_day: date, *, today: date,
                     within=None) -> ComplaintCounts:
    """Counts of the complaints received from ``first_day`` to ``last_day`` (inclusive);
    ``within`` limits them (a partner's scope: workflows.partners.scope_filter)."""
    answered = Complaint.status != "open"
    stmt = select(func.count(Complaint.id),
                  _total(answered & (Complaint.answered_on <= Complaint.due_on)),
                  _total(answered & (Complaint.answered_on > Complaint.due_on)),
                  _total(Complaint.status == "open"),
                  _total((Complaint.status == "open") & (Complaint.due_on < today))
                  ).where(Complaint.received_on >= first_day, Complaint.received_on <= last_day)
    if within is not None:
        stmt = stmt.where(within)
    return ComplaintCounts(*(int(n) for n in session.execute(stmt).one()))


def open_and_overdue(session: Session, today: date, *, within=None) -> tuple[int, int]:
    """Open complaints, and how many of them are past their due day (the home page)."""
    stmt = select(func.count(Complaint.id), _total(Complaint.due_on < today)
                  ).where(Complaint.status == "open")
    if within is not None:
        stmt = stmt.where(within)
    open_count, overdue = session.execute(stmt).one()
    return int(open_count), int(overdue)


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    kelurahan: str


def complaint_list(session: Session, shown: str, *, today: date, within=None,
                   limit: int = LIST_LIMIT) -> list[ComplaintRow]:
    """``shown``: open (nearest deadline first), overdue, answered (newest answer first)
    or all (newest first)."""
    stmt = select(Complaint, Kelurahan.name).join(Kelurahan,
                                                  Kelurahan.code == Complaint.kelurahan_code)
    if shown == "open":
        stmt = stmt.where(Complaint.status == "open").order_by(Complaint.due_on, Complaint.id)
    elif shown == "overdue":
        stmt = stmt.where(Complaint.status == "open", Complaint.due_on < today) \
            .order_by(Complaint.due_on, Complaint.id)
    elif shown == "answered":
        stmt = stmt.where(Complaint.status != "open") \
            .order_by(Complaint.answered_at.desc(), Complaint.id.desc())
    else:
        stmt = stmt.order_by(Complaint.id.desc())
    if within is not None:
        stmt = stmt.where(within)
    return [ComplaintRow(c, name) for c, name in session.execute(stmt.limit(limit))]
