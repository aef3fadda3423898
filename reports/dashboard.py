"""Figures of the home page per role, aggregated in SQL: worklist ageing, budget burn
over the year, coverage per kecamatan and applications per stage (in the city or in each
partner's scope)."""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, case, extract, func, select
from sqlalchemy.orm import Session

from models import (Application, ApplicationPartner, BudgetLedger, DataSubjectRequest,
                    IntakeTally, Kecamatan, Kelurahan, PaymentBatch, Worker, clock)
from reports.worklist import waited

AGE_BUCKETS = ((0, 7), (8, 14), (15, 30), (31, None))  # days waiting since submission
COVERED = ("approved", "submitted_to_bpjs", "enrolled")


def _days_ago(days: int):
    """The moment ``days`` days before now, as a parameter (``_age_moments``)."""
    return bindparam(f"days_ago_{days}", type_=Application.submitted_at.type)


def _age_columns() -> list:
    """Per AGE_BUCKETS, how many of the rows have waited that long since submission."""
    return [func.coalesce(func.sum(case((waited(Application.submitted_at, low, high, _days_ago),
                                         1), else_=0)), 0) for low, high in AGE_BUCKETS]


# The days ``waited`` compares the buckets with: each one's low end, and its high end + 1.
_AGE_EDGES = frozenset({low for low, _ in AGE_BUCKETS if low is not None}
                       | {high + 1 for _, high in AGE_BUCKETS if high is not None})


def _age_moments() -> dict:
    """The parameters of ``_age_columns``: the moments of ``_AGE_EDGES``, from now."""
    now = clock.now()
    return {f"days_ago_{n}": now - timedelta(days=n) for n in _AGE_EDGES}


@lru_cache(maxsize=None)
def _ageing_statement(of_one_taker: bool):
    """``worklist_ageing``'s statement, built once: building it anew cost about 1 ms of
    Python on every caseworker's home page (issue 16)."""
    stmt = select(*_age_columns()).where(Application.state == "submitted")
    if of_one_taker:
        stmt = stmt.where(Application.taken_in_by_id == bindparam("taken_in_by"))
    return stmt


def worklist_ageing(session: Session, *, taken_in_by: int | None = None,
                    within=None) -> list[int]:
    """How many submitted applications wait 0-7, 8-14, 15-30 and more than 30 days
    (``within``: a condition on Application limiting them, e.g. a partner's scope)."""
    stmt = _ageing_statement(taken_in_by is not None)
    if within is not None:
        stmt = stmt.where(within)
    parameters = _age_moments() | {"taken_in_by": taken_in_by}
    return [int(n) for n in session.execute(stmt, parameters).one()]


def verification_queue(session: Session) -> dict:
    """The city's submitted applications: how long they wait ("ageing", as
    ``worklist_ageing``), how many in all, and how many each person took in, whom the
    four-eyes rule keeps from verifying them ("by_taker", user id as text); one pass."""
    takers = session.execute(select(Application.taken_in_by_id, func.count(), *_age_columns())
                             .where(Application.state == "submitted")
                             .group_by(Application.taken_in_by_id), _age_moments()).all()
    return {"ageing": [sum(int(row[2 + bucket]) for row in takers)
                       for bucket in range(len(AGE_BUCKETS))],
            "submitted": sum(row[1] for row in takers),
            "by_taker": {str(row[0]): row[1] for row in takers if row[0] is not None}}


def state_counts(session: Session, *, within=None, **filters) -> dict[str, int]:
    """Applications per state whose columns equal ``filters`` (``within``: as for
    ``worklist_ageing``)."""
    stmt = select(Application.state, func.count()).group_by(Application.state)
    for column, value in filters.items():
        stmt = stmt.where(getattr(Application, column) == value)
    if within is not None:
        stmt = stmt.where(within)
    return dict(session.execute(stmt).all())


def intake_counts(session: Session, taken_in_by: int) -> dict[str, int]:
    """One person's applications per state, as ``state_counts(taken_in_by_id=...)``
    counts them, from the few rows of the intake tally (models/intake_tally.py)."""
    return {state: int(n) for state, n in session.execute(
        select(IntakeTally.state, func.sum(IntakeTally.n))
        .where(IntakeTally.taken_in_by_id == taken_in_by)
        .group_by(IntakeTally.state)) if n}


def stage_counts(session: Session, year: int, *, within=None) -> dict[str, int]:
    """Applications of ``year`` per state (``within``: as for ``worklist_ageing``)."""
    return state_counts(session, within=within, program_year=year)


def counts_per_scope(session: Session, year: int) -> dict[str, dict]:
    """What ``state_counts`` (as "states") and ``stage_counts`` (as "stages") give within
    each partner scope (workflows/partners.py): {kind: {key: {"states": {state: n},
    "stages": {...}}}} for kind kelurahan, kecamatan and office, in two grouped scans."""
    of_year = func.coalesce(func.sum(case((Application.program_year == year, 1), else_=0)), 0)
    by_kelurahan = session.execute(
        select(Worker.kelurahan_code, Kelurahan.kecamatan_code, Application.state, func.count(),
               of_year)
        .join(Worker, Worker.id == Application.worker_id)
        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
        .group_by(Worker.kelurahan_code, Kelurahan.kecamatan_code, Application.state)).all()
    by_office = session.execute(
        select(ApplicationPartner.office, Application.state, func.count(), of_year)
        .join(ApplicationPartner, ApplicationPartner.application_id == Application.id)
        .group_by(ApplicationPartner.office, Application.state)).all()
    scopes = {"kelurahan": {}, "kecamatan": {}, "office": {}}

    def add(kind, key, state, total, in_year):
        counts = scopes[kind].setdefault(key, {"states": {}, "stages": {}})
        counts["states"][state] = counts["states"].get(state, 0) + total
        if in_year:
            counts["stages"][state] = counts["stages"].get(state, 0) + int(in_year)

    for kelurahan, kecamatan, state, total, in_year in by_kelurahan:
        add("kelurahan", kelurahan, state, total, in_year)
        add("kecamatan", kecamatan, state, total, in_year)
    for office, state, total, in_year in by_office:
        add("office", office, state, total, in_year)
    return scopes


@dataclass(frozen=True)
class BurnMonth:
    month: int
    committed: int  # cumulative, from the ledger
    realised: int  # cumulative, from paid batches by SP2D date


def budget_burn(session: Session, year: int) -> list[BurnMonth]:
    # A decree signed in December for the next year commits that year's money before it
    # begins: it shows in January (and a close early next year's releases in December).
    created = extract("year", BudgetLedger.created_at)
    month = case((created < year, 1), (created > year, 12),
                 else_=extract("month", BudgetLedger.created_at))
    ledger = dict(session.execute(
        select(month, func.sum(BudgetLedger.amount))
        .where(BudgetLedger.fiscal_year == year).group_by(month)).all())
    paid = dict(session.execute(
        select(extract("month", PaymentBatch.sp2d_date), func.sum(PaymentBatch.total))
        .where(PaymentBatch.fiscal_year == year, PaymentBatch.status.in_(("paid", "reconciled")))
        .group_by(extract("month", PaymentBatch.sp2d_date))).all())
    months, committed, realised = [], 0, 0
    for month in range(1, 13):
        committed += int(ledger.get(month) or 0)
        realised += int(paid.get(month) or 0)
        months.append(BurnMonth(month, committed, realised))
    return months


def coverage_by_kecamatan(session: Session, year: int) -> list[tuple[str, str, int, int]]:
    """(kecamatan code, name, holding a place, of which enrolled with BPJS) for every
    kecamatan."""
    holding = (Application.program_year == year) & Application.state.in_(COVERED)
    rows = session.execute(
        select(Kecamatan.code, Kecamatan.name, func.count(Application.id),
               func.coalesce(func.sum(case((Application.state == "enrolled", 1), else_=0)), 0))
        .select_from(Kecamatan).join(Kelurahan, Kelurahan.kecamatan_code == Kecamatan.code)
        .outerjoin(Worker, Worker.kelurahan_code == Kelurahan.code)
        .outerjoin(Application, (Application.worker_id == Worker.id) & holding)
        .group_by(Kecamatan.code, Kecamatan.name).order_by(Kecamatan.name)).all()
    return [(code, name, int(places), int(enrolled)) for code, name, places, enrolled in rows]


def subject_requests_due(session: Session) -> tuple[int, int]:
    """Open data subject requests and how many of them are past their 3x24-hour deadline."""
    now = clock.now()
    open_count, overdue = session.execute(select(
        func.count(), func.coalesce(func.sum(case((DataSubjectRequest.due_at < now, 1),
                                                  else_=0)), 0))
        .where(DataSubjectRequest.state == "open")).one()
    return int(open_count), int(overdue)
