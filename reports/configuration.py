"""The dated reference rows a year needs, and which of them are missing.

A missing row (the year's UMK, a contribution rate, the budget year, a policy in
force) is a configuration error for the admin to fix, never a silent "not
eligible" for a worker: the verbs refuse with a message naming the row
(``workflows.errors.MissingReference``), and the home page lists what the
current year, and in the last quarter the next one, still lacks.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BudgetYear, ContributionComponent, PolicyVersion, UmkRate

# The city pays JKK and JKM for BPU pekerja rentan (domain.md §1.3); JHT only if added.
PREMIUM_PROGRAMS = ("JKK", "JKM", "JHT")
# From October on, next year's rows are due: renewal, decrees and batches for January.
NEXT_YEAR_FROM_MONTH = 10


def policy_on(session: Session, day: date) -> PolicyVersion | None:
    """The policy version in force on ``day`` (the newest when two overlap)."""
    return session.execute(
        select(PolicyVersion).where(PolicyVersion.effective_from <= day,
                                    (PolicyVersion.effective_to.is_(None))
                                    | (PolicyVersion.effective_to >= day))
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()).limit(1)
    ).scalar_one_or_none()


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


def premium_on(session: Session, day: date) -> int:
    """Rupiah per person per month in force on ``day`` (0 when no rate is): each
    program's newest rate by then, read in one statement (a handful of rows)."""
    rates = session.execute(
        select(ContributionComponent.program, ContributionComponent.amount)
        .where(ContributionComponent.program.in_(PREMIUM_PROGRAMS),
               ContributionComponent.effective_from <= day)
        .order_by(ContributionComponent.effective_from)).all()
    return sum(dict(rates).values())


@dataclass(frozen=True)
class Gap:
    """One missing reference row: what, for which year, and who fixes it."""

    kind: str  # policy, umk, umk_fallback, contribution, budget_year
    year: int
    blocking: bool  # False: work goes on under a stated substitute


def years_in_view(today: date) -> list[int]:
    return [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])


def reference_gaps(session: Session, today: date) -> list[Gap]:
    """What the years in view still lack, blocking gaps first."""
    gaps = []
    for year in years_in_view(today):
        first_day = max(today, date(year, 1, 1))
        policy = policy_on(session, first_day)
        if policy is None:
            gaps.append(Gap("policy", year, True))
        elif policy.income_cap is None and session.get(UmkRate, year) is None:
            substitute = umk_for(session, year, fallback=policy.umk_fallback)
            gaps.append(Gap("umk_fallback", year, False) if substitute else
                        Gap("umk", year, True))
        if not premium_on(session, date(year, 1, 1)):
            gaps.append(Gap("contribution", year, True))
        if session.get(BudgetYear, year) is None:
            gaps.append(Gap("budget_year", year, True))
    return sorted(gaps, key=lambda g: (not g.blocking, g.year))
