"""One page of the ranking for the head, and where the budget runs out (issue 16).

At a million applications the ranking holds some 200,000 cases: a page reads its ranks
off ix_application_ranking (in order, stopping at the page's last) and joins only its
own rows; the totals are aggregates the database computes. The order is the one rule of
``workflows.ranking.rank_order``; a proposal still ranks every case set-wise.

The budget's line is an estimate for the eye: how many new participants the remaining
money and places hold (each premium x months left, as ``workflows.decisions.terms_for``
costs a new case), counted down the ranking over the cases a proposal of "all verified
applications" would take (verified, in no open proposal, not restricted). A continuing
participant costs its own months and a quota split can pass a case over, so the
proposal itself (``workflows.decisions.fit``) decides. Each page's rows carry the
running count of such cases, so a page knows whether the line is on it, above or below
it, at no more cost than reading down to it; the rank of the line is sought only when
the head asks for its page.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, not_, select
from sqlalchemy.orm import Session, aliased

from models import Application, BudgetYear, Decree
from workflows.budget import months_left
from workflows.ranking import RankedCase, awaiting, case_rows, rank_order
from workflows.restrictions import worker_restricted


@dataclass(frozen=True)
class Estimate:
    """What the remaining money and places hold, decided on a given day."""
    amount: int  # one new participant's commitment
    holds: int  # new participants the money and places hold


@dataclass(frozen=True)
class RankingPage:
    cases: list[RankedCase]
    number: int  # from 1
    size: int
    total: int  # cases in the ranking
    verified: int  # of which verified (the rest are reserves on a waiting list)
    line: str  # "none" (every verified case fits, or no budget), "above", "here", "below"
    line_after: int | None  # "here": the last rank that fits (0: none fits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def estimate(year: BudgetYear, on: date, pending: Decree | None) -> Estimate:
    """An open proposal's money and places are spoken for (as for ``promote_waitlist``)."""
    amount = year.premium_per_month * months_left(year, on)
    money, places = year.remaining, year.quota - year.places_used
    if pending is not None:
        money, places = money - pending.total_commitment, places - pending.approved_count
    return Estimate(amount, max(0, min(places, money // amount)) if amount > 0 else 0)


def _taken():
    """1 for a case a proposal of every verified application takes, else 0."""
    return case(((Application.state == "verified") & Application.proposal_id.is_(None)
                 & not_(worker_restricted(Application.worker_id)), 1), else_=0)


def ranking_page(session: Session, fiscal_year: int, number: int, size: int,
                 holds: int | None) -> RankingPage:
    """Page ``number`` (past the last: the last) of ``size`` cases; where the line of
    ``holds`` new participants falls (None: no budget, no line)."""
    total, verified = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Application.state == "verified", 1),
                                                         else_=0)), 0))
        .where(*awaiting(fiscal_year))).one()
    number = max(1, min(number, -(-total // size)))
    skipped = (number - 1) * size
    taken = _taken()
    on_page = (select(Application.id, taken.label("taken"), func.sum(taken).over(
        order_by=rank_order(), rows=(None, 0)).label("so_far"))
        .where(*awaiting(fiscal_year)).order_by(*rank_order())
        .offset(skipped).limit(size).subquery())
    rows = session.execute(case_rows().add_columns(on_page.c.taken, on_page.c.so_far)
                           .join(on_page, on_page.c.id == Application.id)
                           .order_by(*rank_order())).all()
    cases = [RankedCase(skipped + n, *row[:-2]) for n, row in enumerate(rows, start=1)]
    line, after = _line(holds, int(verified), total, skipped,
                        [(r.taken, r.so_far) for r in rows])
    return RankingPage(cases, number, size, total, int(verified), line, after)


def _line(holds: int | None, verified: int, total: int, skipped: int,
          counted: list[tuple[int, int]]) -> tuple[str, int | None]:
    """Where the line falls for a page whose rows are ``counted`` (taken, running count)."""
    if holds is None or holds >= verified or not counted:
        return "none", None
    if holds == 0:
        return ("here", 0) if skipped == 0 else ("above", None)
    if holds <= counted[0][1] - counted[0][0]:
        return "above", None
    for rank, (taken, so_far) in enumerate(counted, start=skipped + 1):
        if taken and so_far == holds:
            return "here", rank
    # Fewer cases can be taken than the money holds (restricted, or in an open proposal).
    return ("none", None) if skipped + len(counted) >= total else ("below", None)


def line_page(session: Session, fiscal_year: int, holds: int, size: int) -> int | None:
    """The page that shows the line of ``holds`` new participants (the first if none
    fits; None if fewer cases can be taken than that): the rank of the ``holds``-th case
    taken, read down the index only as far as it (the outer order is the window's, so
    the database stops there)."""
    if holds < 1:
        return 1
    window = {"order_by": rank_order(), "rows": (None, 0)}
    counted = (select(Application.id, Application.desil, Application.female_head_of_household,
                      Application.disability, Application.submitted_at,
                      func.row_number().over(**window).label("rank"),
                      func.sum(_taken()).over(**window).label("so_far"))
               .where(*awaiting(fiscal_year)).subquery())
    row = aliased(Application, counted, adapt_on_names=True)
    rank = session.scalar(select(counted.c.rank).where(counted.c.so_far == holds)
                          .order_by(*rank_order(row)).limit(1))
    return None if rank is None else -(-rank // size)
