"""Carrying undecided cases over to the next programme year.

After 30 November a year can cover nobody new (BPJS cover starts the month after
registration, so it would start in January, on the next year's budget). Its
verified cases and the reserves of its decrees would otherwise wait for ever:
they move to the next year as verified, keep their eligibility evaluation and
their place in the order (desil, priority, submission), and are decided there.
A reserve leaves its decree's waiting list; the decree's frozen list keeps it.
Once the year itself has ended, an approved case never sent to BPJS (a batch made
in December would still have asked for January) gives its commitment and place
back and moves too.
"""
from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from models import Application, BudgetYear, Role, Worker, clock
from workflows.actor import Actor
from workflows.audit import record
from workflows.budget import last_decision_day, release
from workflows.eligibility import ACTIVE_STATES
from workflows.errors import InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.ranking import DECIDING
from workflows.states import apply_transition


@dataclass
class CarryOver:
    moved: list[int] = field(default_factory=list)
    # application id -> why it stayed (the worker or the KK already has a case there)
    kept: dict[int, str] = field(default_factory=dict)


def year_is_over(fiscal_year: int) -> bool:
    """No decision taken from today on can still give cover in ``fiscal_year``."""
    return clock.today() > last_decision_day(fiscal_year)


def waiting_to_carry(session: Session, fiscal_year: int) -> int:
    """Undecided cases of an over year that a carry-over would move (0 while the year can
    still cover); those it would keep are for the head to decline."""
    if not year_is_over(fiscal_year):
        return 0
    # As a year mostly is once carried over, none: asked branch by branch, each one an
    # index's (an OR of them would have the planner read the whole table).
    if not any(session.scalar(select(func.count()).select_from(Application).where(
            Application.program_year == fiscal_year, branch, Application.proposal_id.is_(None)))
            for branch in _undecided_branches(fiscal_year)):
        return 0
    return session.scalar(select(func.count()).select_from(Application).where(
        *_undecided(fiscal_year), ~_blocking(Application, fiscal_year + 1).exists()))


# The two kinds of undecided case; each is an index's to count (an OR of them is not).
AWAITING_DECISION = Application.state.in_(DECIDING)
NEVER_SENT = (Application.state == "approved") & Application.registration_batch_id.is_(None)


def _undecided_branches(fiscal_year: int) -> list:
    """The states an undecided case is in: awaiting a decision, and once the year is over
    also approved but never sent to BPJS."""
    return [AWAITING_DECISION] + ([NEVER_SENT] if clock.today().year > fiscal_year else [])


def _undecided(fiscal_year: int) -> tuple:
    """Undecided cases of the year; those an open proposal lists wait for its outcome."""
    return (Application.program_year == fiscal_year, or_(*_undecided_branches(fiscal_year)),
            Application.proposal_id.is_(None))


def _blocking(mine, target_year: int) -> Select:
    """(case, other application, same worker) for a case ``mine`` (an alias, or the
    entity of an enclosing query) whose worker already has an application in the target
    year, or whose KK already has an active one there (one participant per KK)."""
    mine_worker, other_worker, other = aliased(Worker), aliased(Worker), aliased(Application)
    return (select(mine.id, other.id, other.worker_id == mine.worker_id)
            .select_from(mine_worker)
            .join(other_worker, other_worker.kk_number == mine_worker.kk_number)
            .join(other, other.worker_id == other_worker.id)
            .where(mine_worker.id == mine.worker_id, other.program_year == target_year,
                   (other.worker_id == mine.worker_id) | other.state.in_(ACTIVE_STATES)))


def _blockers(session: Session, ids: list[int], target_year: int) -> dict[int, str]:
    """Which of ``ids`` ``_blocking`` holds back, and why."""
    mine, found = aliased(Application), {}
    for case_id, other_id, same_worker in session.execute(
            _blocking(mine, target_year).where(mine.id.in_(ids))):
        found.setdefault(case_id, str(
            _l("the worker already has application %(id)s in %(year)d", id=other_id,
               year=target_year) if same_worker else
            _l("the same KK already has application %(id)s in %(year)d", id=other_id,
               year=target_year)))
    return found


def carry_over(session: Session, *, from_year: int, actor: Actor) -> CarryOver:
    """Move every verified and waitlisted case of ``from_year`` to the next year."""
    if not actor.has_role(Role.CASEWORKER, Role.HEAD):
        raise NotAllowed(_l("Only caseworkers and the head carry applications over."))
    if not year_is_over(from_year):
        raise InvalidTransition(_l(
            "%(year)d can still cover new participants until %(last)s; decide its applications "
            "there.", year=from_year, last=last_decision_day(from_year).isoformat()))
    target = from_year + 1
    cases = list(session.execute(select(Application).where(*_undecided(from_year))
                                 .order_by(Application.id)).scalars())
    blocked = _blockers(session, [c.id for c in cases], target)
    outcome = CarryOver()
    reason = str(_l("Carried over to %(year)d: %(old)d can no longer cover anyone",
                    year=target, old=from_year))
    moved_kk = {}
    for application in cases:
        kk = application.worker.kk_number
        if kk in moved_kk:
            blocked.setdefault(application.id, str(_l(
                "the same KK already has application %(id)s in %(year)d", id=moved_kk[kk],
                year=target)))
        if application.id in blocked:
            outcome.kept[application.id] = blocked[application.id]
            continue
        changes = {"program_year": target, "decree_id": None}
        if application.state == "approved":
            amount = application.commitment or 0
            months = amount // session.get(BudgetYear, from_year).premium_per_month
            release(session, application, amount=amount, months=months, free_place=True,
                    reason=reason, actor=actor)
            record(session, actor, "budget.release", entity=application, reason=reason,
                   diff={"released": [None, amount], "months": [None, months]})
            changes.update(commitment=None, approved_by_id=None, approved_at=None)
        apply_transition(session, application, "carry_over", actor=actor, reason=reason,
                         changes=changes)
        moved_kk[kk] = application.id
        outcome.moved.append(application.id)
    return outcome
