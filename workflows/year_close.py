"""Closing a budget year once it is over: the head freezes it, behind a confirmation.

What is committed and will never be billed (months no contribution was generated
for: cover that started late, members who left) is released, and so are the months
billed but still unpaid, which become a liability of the next year: their payment
batches move to it, and the next year commits the same amount (places untouched), so
the arrears are paid from its budget and BPJS's 3-month limit is not missed. After
the close the year's committed total equals what it paid, and nothing moves it again.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, case, exists, func, select, update
from sqlalchemy.orm import Session

from models import (Application, BudgetYear, ContributionMonth, PaymentBatch, RegistrationBatch,
                    RegistrationItem, Role, clock)
from reports.formatting import rupiah
from workflows.actor import Actor
from workflows.audit import record
from workflows.budget import commit_many, lock_year, release_many
from workflows.carry_over import AWAITING_DECISION, NEVER_SENT
from workflows.errors import Conflict, InvalidTransition, MissingReference, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.proposal import open_proposal

_APP = Application.__table__
_CM = ContributionMonth


@dataclass(frozen=True)
class Holding:
    application_id: int
    decree_id: int | None
    commitment: int
    paid: int
    unpaid: int
    unpaid_months: int


def obstacles(session: Session, fiscal_year: int) -> list[str]:
    """Why the year cannot be closed yet (empty: it can)."""
    found = []
    if clock.today().year <= fiscal_year:
        found.append(str(_l("%(year)d is not over until 31 December.", year=fiscal_year)))
    proposal = open_proposal(session, fiscal_year)
    if proposal is not None:
        found.append(str(_l("Proposal %(number)s is still open.",
                            number=proposal.proposal_number)))
    undecided = sum(session.scalar(select(func.count()).select_from(Application).where(
        Application.program_year == fiscal_year, branch))
        for branch in (AWAITING_DECISION, NEVER_SENT))
    if undecided:
        found.append(str(_l("%(n)d undecided applications must be carried over (or declined) "
                            "first.", n=undecided)))
    prepared = session.scalar(select(func.count()).select_from(RegistrationBatch).where(
        RegistrationBatch.fiscal_year == fiscal_year, RegistrationBatch.status == "prepared"))
    if prepared:
        found.append(str(_l("%(n)d registration batches are neither sent nor cancelled.",
                            n=prepared)))
    awaiting = session.scalar(select(func.count()).select_from(Application).where(
        Application.program_year == fiscal_year, Application.state == "submitted_to_bpjs",
        exists().where(RegistrationItem.application_id == Application.id,
                       RegistrationItem.batch_id == RegistrationBatch.id,
                       RegistrationBatch.status == "sent",
                       RegistrationBatch.coverage_from <= date(fiscal_year, 12, 31))))
    if awaiting:
        found.append(str(_l("%(n)d applications wait for BPJS's reply on cover within "
                            "%(year)d.", n=awaiting, year=fiscal_year)))
    return found


def _holdings(session: Session, fiscal_year: int) -> list[Holding]:
    months = (select(_CM.application_id,
                     func.sum(case((_CM.status == "paid", _CM.amount), else_=0)).label("paid"),
                     func.sum(case((_CM.status != "paid", _CM.amount), else_=0)).label("unpaid"),
                     func.sum(case((_CM.status != "paid", 1), else_=0)).label("unpaid_months"))
              .where(_CM.month.between(date(fiscal_year, 1, 1), date(fiscal_year, 12, 1)))
              .group_by(_CM.application_id).subquery())
    return [Holding(i, d, int(c), int(p or 0), int(u or 0), int(n or 0))
            for i, d, c, p, u, n in session.execute(
                select(Application.id, Application.decree_id, Application.commitment,
                       months.c.paid, months.c.unpaid, months.c.unpaid_months)
                .outerjoin(months, months.c.application_id == Application.id)
                .where(Application.program_year == fiscal_year,
                       Application.commitment > 0).order_by(Application.id))]


def close_budget_year(session: Session, fiscal_year: int, *, actor: Actor) -> BudgetYear:
    if not actor.has_role(Role.HEAD):
        raise NotAllowed(_l("Only the head closes a budget year."))
    year = lock_year(session, fiscal_year)
    blocking = obstacles(session, fiscal_year)
    if blocking:
        raise InvalidTransition(_l("%(year)d cannot be closed yet: %(why)s", year=fiscal_year,
                                   why=" ".join(blocking)))
    holdings = _holdings(session, fiscal_year)
    reason = f"Penutupan tahun anggaran {fiscal_year}"
    released = [{"application_id": h.application_id, "decree_id": h.decree_id,
                 "amount": h.commitment - h.paid, "reason": reason,
                 "months": (h.commitment - h.paid) // year.premium_per_month}
                for h in holdings if h.commitment > h.paid]
    carried = [{"application_id": h.application_id, "amount": h.unpaid,
                "months": h.unpaid_months, "keys": [],
                "reason": f"Iuran {fiscal_year} yang belum dibayar (utang) dari penutupan"}
               for h in holdings if h.unpaid]
    owed = sum(c["amount"] for c in carried)
    if carried:
        if session.get(BudgetYear, fiscal_year + 1) is None:
            raise MissingReference(_l(
                "%(n)d unpaid contribution months of %(year)d are carried to %(next)d, which has "
                "no budget yet; the admin enters its DPA first.",
                n=sum(c["months"] for c in carried), year=fiscal_year, next=fiscal_year + 1))
        following = lock_year(session, fiscal_year + 1)
        if owed > following.remaining:
            raise Conflict(_l("The unpaid months of %(year)d (%(owed)s) do not fit what is left "
                              "of %(next)d's appropriation (%(left)s); revise %(next)d first.",
                              year=fiscal_year, next=fiscal_year + 1, owed=rupiah(owed),
                              left=rupiah(following.remaining)))
        commit_many(session, fiscal_year + 1, carried, actor=actor, decree_id=None,
                    places=False)
    release_many(session, fiscal_year, released, actor=actor)
    if released:  # what stays committed is what was paid
        session.execute(update(_APP).where(_APP.c.id == bindparam("b_id")).values(
            commitment=bindparam("b_paid")), [
            {"b_id": h.application_id, "b_paid": h.paid} for h in holdings
            if h.commitment > h.paid])
    moved = list(session.execute(select(PaymentBatch.id).where(
        PaymentBatch.fiscal_year == fiscal_year, PaymentBatch.status == "generated")).scalars())
    if moved:
        session.execute(update(PaymentBatch.__table__).where(
            PaymentBatch.__table__.c.id.in_(moved)).values(fiscal_year=fiscal_year + 1))
    session.expire_all()
    year = session.get(BudgetYear, fiscal_year)
    year.status, year.closed_at, year.closed_by_id = "closed", clock.now(), actor.user_id
    year.released_at_close = sum(r["amount"] for r in released)
    year.carried_to_next = owed
    record(session, actor, "budget.close", entity=year, diff={
        "status": ["open", "closed"], "released": [None, year.released_at_close],
        "carried_to_next_year": [None, year.carried_to_next],
        "payment_batches_moved": [None, moved], "committed": [None, year.committed],
        "realised": [None, year.realised]})
    return year
