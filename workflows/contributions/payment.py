"""Recording that a batch was paid: the SP2D (the treasury's payment order), the BPJS
invoice, the months marked paid, and the year's realised spending raised.

Realised moves like the other budget counters (workflows/budget.py): the budget
row is locked, a conditional UPDATE refuses to go above the appropriation and its
row count is checked, and the change is audited with the batch.
"""
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import BudgetYear, ContributionMonth, PaymentBatch, Role, clock
from reports.formatting import rupiah
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.budget import lock_year
from workflows.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from workflows.membership.lapse import reactivate_paid_up
from workflows.messages import lazy_gettext as _l

_YEAR = BudgetYear.__table__
_CM = ContributionMonth.__table__



def _realise(session: Session, fiscal_year: int, amount: int) -> tuple[int, int]:
    """Raise realised by ``amount`` unless that passes the appropriation; (old, new)."""
    before = session.scalar(select(_YEAR.c.realised).where(_YEAR.c.fiscal_year == fiscal_year))
    done = session.execute(
        update(_YEAR).where(_YEAR.c.fiscal_year == fiscal_year,
                            _YEAR.c.realised + amount <= _YEAR.c.appropriation)
        .values(realised=_YEAR.c.realised + amount))
    if done.rowcount != 1:
        raise Conflict(_l("Paying %(total)s would take the spending of %(year)d above its "
                          "appropriation; nothing was recorded.", total=rupiah(amount),
                          year=fiscal_year))
    return before, before + amount


def record_payment(session: Session, batch: PaymentBatch, *, sp2d_number: str,
                   sp2d_date: date, invoice_number: str, actor: Actor) -> PaymentBatch:
    """The batch was paid under SP2D ``sp2d_number``: months paid, realised raised."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers record contribution payments."))
    sp2d_number, invoice_number = (sp2d_number or "").strip(), (invoice_number or "").strip()
    if not sp2d_number or not invoice_number or not isinstance(sp2d_date, date):
        raise InvalidInput(_l("The SP2D number, the SP2D date and the BPJS invoice number are "
                              "required."))
    lock_year(session, batch.fiscal_year)
    # Re-read under a lock: a second click finds the batch paid and is refused.
    session.refresh(batch, with_for_update=True)
    if batch.status != "generated":
        raise InvalidTransition(_l("Batch %(id)d was already paid (SP2D %(sp2d)s).",
                                   id=batch.id, sp2d=batch.sp2d_number))
    if batch.total <= 0:
        raise InvalidInput(_l("Batch %(id)d has no amounts to pay.", id=batch.id))
    if sp2d_date.year != batch.fiscal_year:
        raise InvalidInput(_l("An SP2D of the %(year)d budget is dated in %(year)d.",
                              year=batch.fiscal_year))
    other = session.scalar(select(PaymentBatch.id).where(PaymentBatch.sp2d_number == sp2d_number))
    if other is not None:
        raise Conflict(_l("SP2D %(sp2d)s is already recorded for batch %(id)d; an SP2D pays "
                          "one batch.", sp2d=sp2d_number, id=other))
    months = session.execute(
        update(_CM).where(_CM.c.payment_batch_id == batch.id,
                          _CM.c.status.in_(("due", "arrears"))).values(status="paid")).rowcount
    realised = _realise(session, batch.fiscal_year, batch.total)
    batch.status, batch.paid_at = "paid", clock.now()
    batch.sp2d_number, batch.sp2d_date, batch.invoice_number = sp2d_number, sp2d_date, invoice_number
    record_change(session, actor, "contributions.pay", batch,
                  extra={"months_paid": [None, months]})
    record(session, actor, "budget.realise", entity_type="budget_year",
           entity_id=str(batch.fiscal_year),
           diff={"realised": list(realised), "payment_batch": [None, batch.id]},
           reason=f"SP2D {sp2d_number}")
    session.expire(session.get(BudgetYear, batch.fiscal_year))  # the ORM copy is stale now
    # The late payment arrived: whoever lapsed and is now paid up is active again.
    reactivate_paid_up(session, today=clock.today(), actor=actor)
    return batch
