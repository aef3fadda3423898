"""What a decision gives each case: the months its commitment covers and, for a renewal,
whether its membership continues at BPJS; and who of a batch fits the budget.

A new participant's commitment runs from the decree's month to December (what BPJS
does not cover of it is released at enrolment); a continuing one's from the month
its previous year's cover ends, usually January, paid late if the decree comes
after it (workflows.continuation).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from models import BudgetYear
from workflows.budget import Capacity, months_from, months_left, split_keys
from workflows.continuation import Continuation, continuations
from workflows.ranking import RankedCase


@dataclass(frozen=True)
class Terms:
    case: RankedCase
    months: int
    amount: int
    continuation: Continuation | None


def terms_for(session: Session, year: BudgetYear, cases: list[RankedCase],
              on: date) -> list[Terms]:
    """The terms of each case decided on ``on``, in the order given."""
    continuing = continuations(session, [c.application_id for c in cases if c.renewal],
                               year.fiscal_year, on)
    found = []
    for case in cases:
        carried = continuing.get(case.application_id)
        months = (min(year.coverage_months, months_from(carried.start, year.fiscal_year))
                  if carried else months_left(year, on))
        found.append(Terms(case, months, year.premium_per_month * months, carried))
    return found


def fit(session: Session, year: BudgetYear, ranked: list[RankedCase],
        on: date) -> tuple[list[Terms], list[RankedCase]]:
    """In rank order, the cases the money and places still hold, and the rest (reserve)."""
    capacity = Capacity.of(session, year)
    approved, reserve = [], []
    for terms in terms_for(session, year, ranked, on):
        if terms.months >= 1 and capacity.take(
                terms.amount, split_keys(terms.case.kecamatan, terms.case.category,
                                         terms.case.kelurahan_code)):
            approved.append(terms)
        else:
            reserve.append(terms.case)
    return approved, reserve
