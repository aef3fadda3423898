"""When a renewal continues the previous year's membership at BPJS, and from when.

A participant enrolled in year Y continues in Y+1 under Y+1's decree with the same
KPJ and no new registration, from the first month Y no longer covers (January,
or the later month BPJS's cover began). BPU may pay up to 3 months late (domain.md
§1.7): a decree that comes later than that finds the membership lapsed, and the
renewal is then approved like a new case and registered with BPJS again.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Application
from reports.contributions import LAPSE_AFTER, month_index


_LISTED = 500  # at most this many ids are looked up by an IN list


@dataclass(frozen=True)
class Continuation:
    kpj: str
    start: date  # first month the renewal covers


def continuation_start(previous_start: date, fiscal_year: int) -> date:
    return max(previous_start.replace(day=1), date(fiscal_year, 1, 1))


def still_continuable(start: date, on: date) -> bool:
    """At most 3 months from ``start`` to the decision's month are unpaid."""
    return month_index(on) - month_index(start) + 1 <= LAPSE_AFTER


def continuations(session: Session, ids: list[int], fiscal_year: int,
                  on: date) -> dict[int, Continuation]:
    """Per renewal among ``ids`` whose membership can still continue on ``on``: its KPJ
    and the month its cover continues from."""
    if not ids:
        return {}
    wanted, previous, found = set(ids), aliased(Application), {}
    renewals = (select(Application.id, previous.kpj, previous.coverage_start)
                .join(previous, previous.id == Application.renews_id)
                .where(Application.program_year == fiscal_year,
                       previous.program_year == fiscal_year - 1, previous.state == "enrolled",
                       previous.kpj.is_not(None)))
    # A page's few are looked up by their ids (a year may hold hundreds of thousands of
    # renewals); a batch's thousands come as all renewals of the year in one join,
    # filtered here: an IN list of thousands on the joined side makes SQLite probe the
    # list once per row.
    if len(wanted) <= _LISTED:
        renewals = renewals.where(Application.id.in_(wanted))
    for renewal_id, kpj, covered_from in session.execute(renewals):
        if renewal_id not in wanted:
            continue
        begins = continuation_start(covered_from, fiscal_year)
        if still_continuable(begins, on):
            found[renewal_id] = Continuation(kpj, begins)
    return found
