"""The refund ledger: months paid for a participant after the membership ended.

Contributions are paid ahead in blocks of 1, 3, 6 or 12 months (domain.md §1.6), so
an exit, a death above all, often comes after months that were paid already. They
are not owed: BPJS Ketenagakerjaan pays the excess back, and for "instansi pemerintah
yang mengelola pekerja rentan" that is "dilakukan berdasarkan kesepakatan" (PROBIS
908, Perdir 22/PERDIR.02/072022; domain.md §1.7). Each such month is one line, owed
until the refund BPJS actually paid is recorded against it (amount, date, reference).

A refund is money back to the kas daerah, not to the year's appropriation: the
months stay realised and committed in the budget (workflows.exits releases only
months not paid), so the ledger is where the city sees what BPJS still owes.
"""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, PaymentBatch, RefundLine, Role, clock
from reports.formatting import rupiah
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.messages import lazy_gettext as _l

REFERENCE_MAX = 80


def open_refund_lines(session: Session, application: Application, exit_month: date, *,
                      reason_code: str, actor: Actor) -> list[RefundLine]:
    """A line owed for each month from ``exit_month`` on that was paid already, with the
    amount paid and its payment batch; a month already in the ledger is not added
    again. Part of an exit (workflows.exits), which checks who may do it."""
    paid = session.execute(
        select(ContributionMonth.month, ContributionMonth.amount,
               ContributionMonth.payment_batch_id, PaymentBatch.fiscal_year)
        .outerjoin(PaymentBatch)
        .where(ContributionMonth.application_id == application.id,
               ContributionMonth.month >= exit_month, ContributionMonth.status == "paid",
               ContributionMonth.month.not_in(select(RefundLine.month).where(
                   RefundLine.application_id == application.id)))
        .order_by(ContributionMonth.month)).all()
    lines = []
    for row in paid:
        line = RefundLine(application_id=application.id, month=row.month, amount=row.amount,
                          payment_batch_id=row.payment_batch_id,
                          fiscal_year=row.fiscal_year or row.month.year,
                          exit_reason=reason_code, status="owed", created_by_id=actor.user_id)
        session.add(line)
        record_change(session, actor, "refund.open", line, created=True,
                      reason=f"Iuran {row.month:%Y-%m} dibayar setelah kepesertaan berakhir")
        lines.append(line)
    return lines


def record_refund(session: Session, line: RefundLine, *, amount: int, received_on: date,
                  bpjs_reference: str, actor: Actor) -> RefundLine:
    """BPJS paid back ``amount`` for the line on ``received_on`` under ``bpjs_reference``
    (its transfer or letter). At most the line's amount (less, where the agreement
    says so); once per line: a second recording is refused and changes nothing."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers record refunds from BPJS."))
    session.flush()
    session.refresh(line, with_for_update=True)  # a second click finds it refunded
    if line.status == "refunded":
        raise Repeated(_l("The refund for %(month)s was already recorded (%(amount)s on "
                          "%(day)s, reference %(reference)s); nothing was changed.",
                          month=f"{line.month:%Y-%m}", amount=rupiah(line.refunded_amount),
                          day=line.refunded_on.isoformat(), reference=line.bpjs_reference))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(_l("Enter the amount BPJS refunded, in whole rupiah."))
    if amount > line.amount:
        raise InvalidInput(_l("BPJS cannot refund more than was paid for the month: at most "
                              "%(amount)s.", amount=rupiah(line.amount)))
    if not isinstance(received_on, date):
        raise InvalidInput(_l("Enter the date the refund was received."))
    if received_on > clock.today():
        raise InvalidInput(_l("The date the refund was received cannot be in the future."))
    reference = " ".join((bpjs_reference or "").split())
    if not reference or len(reference) > REFERENCE_MAX:
        raise InvalidInput(_l("Enter the BPJS reference of the refund (transfer or letter "
                              "number, at most %(max)d characters).", max=REFERENCE_MAX))
    line.status, line.refunded_amount, line.refunded_on = "refunded", amount, received_on
    line.bpjs_reference, line.refund_recorded_by_id = reference, actor.user_id
    line.refund_recorded_at = clock.now()
    record_change(session, actor, "refund.receive", line, reason=reference)
    return line


def lines_of(session: Session, application_id: int) -> list[RefundLine]:
    """The refund lines of one application, by month (for its case page)."""
    return list(session.execute(select(RefundLine).where(
        RefundLine.application_id == application_id).order_by(RefundLine.month)).scalars())
