"""The dated reference rows a year needs, and which of them are missing.

A missing row (the year's UMK, a contribution rate, the budget year, a policy in
force) is a configuration error for the admin to fix, never a silent "not
eligible" for a worker: the verbs refuse with a message naming the row
(``workflows.errors.MissingReference``), and the home page lists what the
current year, and in the last quarter the next one, still lacks.
"""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Date, Integer, bindparam, exists, func, select
from sqlalchemy.orm import Session

from models import BudgetYear, ContributionComponent, PolicyVersion, UmkRate

# The city pays JKK and JKM for BPU pekerja rentan (domain.md §1.3); JHT only if added.
PREMIUM_PROGRAMS = ("JKK", "JKM", "JHT")
# From October on, next year's rows are due: renewal, decrees and batches for January.
NEXT_YEAR_FROM_MONTH = 10


def in_force_query(day: date):
    """The query of the policy version in force on ``day`` (the newest when two overlap)."""
    return (select(PolicyVersion).where(PolicyVersion.effective_from <= day,
                                        (PolicyVersion.effective_to.is_(None))
                                        | (PolicyVersion.effective_to >= day))
            .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()).limit(1))


def policy_on(session: Session, day: date) -> PolicyVersion | None:
    """The policy version in force on ``day`` (the newest when two overlap)."""
    return session.execute(in_force_query(day)).scalar_one_or_none()


def umk_for(session: Session, year: int, *, fallback: bool) -> UmkRate | None:
    """The year's UMK; with ``fallback``, the last one published before it."""
    umk = session.get(UmkRate, year)
    if umk is not None or not fallback:
        return umk
    return session.execute(select(UmkRate).where(UmkRate.year < year)
                           .order_by(UmkRate.year.desc()).limit(1)).scalar_one_or_none()


def component_on(session: Session, program: str, day: date) -> ContributionComponent | None:
    return session.execute(
        select(ContributionComponent).where(ContributionComponent.program == program,
                                            ContributionComponent.effective_from <= day)
        .order_by(ContributionComponent.effective_from.desc()).limit(1)).scalar_one_or_none()


def premium_query(day: date):
    """The query of the rupiah per person per month in force on ``day`` (0 when no rate
    is): each program's newest rate by then."""
    newest = (select(ContributionComponent.program,
                     func.max(ContributionComponent.effective_from).label("since"))
              .where(ContributionComponent.program.in_(PREMIUM_PROGRAMS),
                     ContributionComponent.effective_from <= day)
              .group_by(ContributionComponent.program).subquery())
    return (select(func.coalesce(func.sum(ContributionComponent.amount), 0))
            .join(newest, (ContributionComponent.program == newest.c.program)
                  & (ContributionComponent.effective_from == newest.c.since)))


def premium_on(session: Session, day: date) -> int:
    """Rupiah per person per month in force on ``day`` (0 when no rate is)."""
    return int(session.scalar(premium_query(day)))


@dataclass(frozen=True)
class Gap:
    """One missing reference row: what, for which year, and who fixes it."""

    kind: str  # policy, umk, umk_fallback, contribution, budget_year
    year: int
    blocking: bool  # False: work goes on under a stated substitute


def years_in_view(today: date) -> list[int]:
    return [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])


def _year_facts(year, policy_day, new_year) -> list:
    """What decides a year's gaps, as scalar subqueries: the policy in force on
    ``policy_day`` (whether there is one, its income cap, whether it lets an earlier UMK
    stand in), the year's UMK, an earlier UMK, the premium on ``new_year`` (1 January)
    and the budget year."""
    policy = in_force_query(policy_day).subquery()
    return [select(func.count()).select_from(policy).scalar_subquery(),
            select(policy.c.income_cap).scalar_subquery(),
            select(policy.c.umk_fallback).scalar_subquery(),
            exists().where(UmkRate.year == year), exists().where(UmkRate.year < year),
            premium_query(new_year).scalar_subquery(),
            exists().where(BudgetYear.fiscal_year == year)]


@lru_cache(maxsize=None)
def _gaps_statement(years: int):
    """The one statement of ``reference_gaps`` for that many years in view, and the
    number of facts per year. Built once, the years and days its parameters: building it
    anew took about 3 ms of Python on every staff home page, ten times the database's
    answer (issue 16)."""
    asked = [_year_facts(bindparam(f"year_{n}", type_=Integer),
                         bindparam(f"policy_day_{n}", type_=Date),
                         bindparam(f"new_year_{n}", type_=Date)) for n in range(years)]
    return select(*(fact for facts in asked for fact in facts)), len(asked[0])


def reference_gaps(session: Session, today: date) -> list[Gap]:
    """What the years in view still lack, blocking gaps first. Every home page of the
    staff asks, so all the years' facts are read in one statement (issue 16)."""
    years = years_in_view(today)
    statement, width = _gaps_statement(len(years))
    parameters = {}
    for n, year in enumerate(years):
        parameters |= {f"year_{n}": year, f"policy_day_{n}": max(today, date(year, 1, 1)),
                       f"new_year_{n}": date(year, 1, 1)}
    row = session.execute(statement, parameters).one()
    gaps = []
    for index, year in enumerate(years):
        policy, income_cap, fallback, umk, earlier_umk, premium_paid, budget_year = \
            row[index * width:(index + 1) * width]
        if not policy:
            gaps.append(Gap("policy", year, True))
        elif income_cap is None and not umk:
            gaps.append(Gap("umk_fallback", year, False) if fallback and earlier_umk else
                        Gap("umk", year, True))
        if not premium_paid:
            gaps.append(Gap("contribution", year, True))
        if not budget_year:
            gaps.append(Gap("budget_year", year, True))
    return sorted(gaps, key=lambda g: (not g.blocking, g.year))
