"""Leaving the programme: a BPJS rejection or a terminated membership gives back
what is no longer needed, and the waiting list moves up in order.

A membership ends for one of ``EXIT_REASONS`` (models/membership_exit.py) from an exit
month, the first month no longer owed. Every exit, whatever its reason, does the same
four things in one transaction: the case goes to ``terminated`` (workflows.states), the
facts of the reason are kept (``MembershipExit``), months from the exit month on that
are not paid yet are dropped, months already paid for go to the refund ledger
(workflows.refunds), and the commitment of the months neither owed nor paid is
released, with the place, to the reserves in rank order.
"""
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import (Application, BudgetYear, ContributionMonth, MembershipExit, PaymentBatch,
                    Role, clock)
from models.membership_exit import EXIT_REASONS, OTHER_PAYERS
from reports.contributions import add_months
from workflows.actor import Actor
from workflows.approval import WAITLIST_ACTOR, promote_waitlist
from workflows.audit import record_change, record_many
from workflows.budget import months_from, release, release_many
from workflows.contributions.generation import refresh_batch_totals
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.refunds import open_refund_lines
from workflows.states import apply_transition

__all__ = ["EXIT_REASONS", "OTHER_PAYERS", "first_month_not_owed", "record_death",
           "release_and_promote", "terminate_membership"]


def first_month_not_owed(date_of_death: date) -> date:
    """The exit month of a death: the month after it.

    The month of death is still owed and covered: a JKM claim needs the membership
    active on the day of death (PP 44/2015 as amended; domain.md §1.2 JKM about
    Rp42 million), and BPU contributions are paid per calendar month, by the 15th of
    that month (domain.md §1.6), so there is no part-month. Contributions stop from the
    first day of the next month; 31 December gives January of the next year."""
    return add_months(date_of_death, 1)


def releasable(year: BudgetYear, commitment: int | None, from_month: date | None,
               paid_months: int = 0) -> tuple[int, int]:
    """``(rupiah, months)`` an exit from ``from_month`` (all of it when None) gives back
    of a commitment, with its place; ``months`` is 0 when nothing comes free.

    An exit from the next year on releases no month of this one: the participant holds
    the place to the end of the year, so nobody is promoted into it. In a closed year
    what stays committed was paid (workflows.year_close): nothing comes free.
    ``paid_months`` of the year after the exit were paid already: that money is spent
    until BPJS refunds it (the refund ledger), so it is not committed to anyone else."""
    months = 12 if from_month is None else months_from(from_month, year.fiscal_year)
    if year.status == "closed" or months == 0:
        return 0, 0
    months = max(months - paid_months, 0)
    return min(commitment or 0, year.premium_per_month * months), months


def release_event(application_id: int, amount: int, months: int, reason: str) -> dict:
    """The audit event of a released commitment, for ``record_many``."""
    return {"action": "budget.release", "entity_type": "application",
            "entity_id": application_id, "reason": reason,
            "diff": {"released": [None, amount], "months": [None, months]}}


def promote_into_place_of(session: Session, fiscal_year: int, application_id: int) -> int:
    """Approve reserves of ``fiscal_year`` in rank order into the place that application
    ``application_id`` left."""
    return promote_waitlist(session, fiscal_year, actor=WAITLIST_ACTOR,
                            trigger=f"Tempat kosong dari permohonan #{application_id}")


def release_and_promote(session: Session, application: Application, *, from_month: date | None,
                        reason: str, actor: Actor, paid_months: int = 0) -> int:
    """Release the case's commitment from ``from_month`` (all of it when None), less the
    ``paid_months`` already paid, and its place, then approve reserves in rank order.
    Returns the rupiah released.

    When every month left was paid ahead, no rupiah comes free but the place does: the
    participant is gone, and a reserve comes in if the year has money left."""
    year = session.get(BudgetYear, application.program_year)
    if releasable(year, application.commitment, from_month)[1] == 0:
        return 0  # closed year, or the exit is in the next one: the place is held
    amount, months = releasable(year, application.commitment, from_month, paid_months)
    release(session, application, amount=amount, months=months, free_place=True, reason=reason,
            actor=actor)
    record_many(session, actor, [release_event(application.id, amount, months, reason)])
    promote_into_place_of(session, application.program_year, application.id)
    return amount


def _drop_unpaid_months(session: Session, application: Application, first: date, *,
                        reason: str, actor: Actor) -> int:
    """Months from the exit on that are not paid yet are not owed: drop them (due, or
    already in arrears), also from batches generated but not yet paid (whose totals
    shrink accordingly). Months already paid stay; they go to the refund ledger
    (workflows.refunds). Months a year-close carried to the next year as a liability
    give that year its money back."""
    unpaid = select(ContributionMonth.id, ContributionMonth.amount,
                    PaymentBatch.fiscal_year).outerjoin(PaymentBatch).where(
        ContributionMonth.application_id == application.id, ContributionMonth.month >= first,
        ContributionMonth.status.in_(("due", "arrears")),
        (ContributionMonth.payment_batch_id.is_(None)) | (PaymentBatch.status == "generated"))
    rows = session.execute(unpaid).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    carried: dict[int, list[int]] = {}
    for row in rows:
        if row.fiscal_year is not None and row.fiscal_year != application.program_year:
            carried.setdefault(row.fiscal_year, []).append(row.amount)
    for fiscal_year, amounts in carried.items():
        release_many(session, fiscal_year, [{
            "application_id": application.id, "amount": sum(amounts), "months": len(amounts),
            "reason": reason}], actor=actor)
    batches = set(session.execute(select(ContributionMonth.payment_batch_id).where(
        ContributionMonth.id.in_(ids), ContributionMonth.payment_batch_id.is_not(None))
    ).scalars())
    session.execute(delete(ContributionMonth).where(ContributionMonth.id.in_(ids)))
    for batch_id in batches:
        refresh_batch_totals(session, session.get(PaymentBatch, batch_id))
    return len(ids)


def _exit_month(application: Application, reason_code: str, effective_month: date | None,
                date_of_death: date | None) -> date:
    """The first month no longer owed, checked against the case's coverage and year."""
    if reason_code == "meninggal":
        if not isinstance(date_of_death, date):
            raise InvalidInput(_l("Enter the date of death (from the death certificate)."))
        if date_of_death > clock.today():
            raise InvalidInput(_l("The date of death cannot be in the future."))
        if application.coverage_start and date_of_death < application.coverage_start:
            raise InvalidInput(_l("The date of death is before the coverage started (%(start)s): "
                                  "the membership never covered it.",
                                  start=application.coverage_start.isoformat()))
        month = first_month_not_owed(date_of_death)
    else:
        if not isinstance(effective_month, date):
            raise InvalidInput(_l("Choose the month from which the membership ends."))
        month = effective_month.replace(day=1)
    if application.coverage_start and month < application.coverage_start.replace(day=1):
        raise InvalidInput(_l("The membership cannot end before its coverage started "
                              "(%(start)s).", start=application.coverage_start.isoformat()))
    if month.year > application.program_year + 1:
        raise InvalidInput(_l("The effective month is outside the programme year."))
    return month


def _lock_enrolled(session: Session, application: Application) -> None:
    """Re-read the case under a lock: a second click finds it ended and is told so."""
    session.flush()
    session.refresh(application, with_for_update=True)
    if application.state == "terminated":
        raise InvalidTransition(_l(
            "This membership already ended (from %(month)s); nothing was changed.",
            month=f"{application.exit_month:%Y-%m}" if application.exit_month else "-"))
    if application.state != "enrolled":
        raise InvalidTransition(_l("Only an enrolled membership can be ended."))


def terminate_membership(session: Session, application: Application, *, reason_code: str,
                         note: str, actor: Actor, effective_month: date | None = None,
                         date_of_death: date | None = None, other_payer: str | None = None,
                         desil: int | None = None, dtsen_dataset_id: int | None = None) -> int:
    """End an enrolment; returns the rupiah of commitment released.

    ``effective_month`` is the first month no longer paid; for a death
    (``meninggal``) it follows from ``date_of_death`` instead (``first_month_not_owed``)
    and any month given is ignored. ``pembayar_lain`` names the ``other_payer``;
    ``desil_naik`` (workflows.desil_exits) the desil and data aktual seen."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers end memberships."))
    if reason_code not in EXIT_REASONS:
        raise InvalidInput(_l("Choose the reason the membership ends."))
    _lock_enrolled(session, application)
    exit_month = _exit_month(application, reason_code, effective_month, date_of_death)
    if reason_code == "pembayar_lain" and other_payer not in OTHER_PAYERS:
        raise InvalidInput(_l("Choose who pays the contributions now (province, APBN, CSR "
                              "or another payer)."))
    if reason_code == "desil_naik" and (desil is None or dtsen_dataset_id is None):
        raise InvalidInput(_l("A membership ends for a risen desil from the list of "
                              "participants above the desil cut-off (menu Membership), which "
                              "keeps the desil and the data aktual seen."))
    note = " ".join((note or "").split())
    if len(note) > 1000:
        raise InvalidInput(_l("The note may be at most 1000 characters."))
    apply_transition(session, application, "terminate", actor=actor,
                     reason=f"{reason_code}: {note}".strip(": "),
                     changes={"exit_reason": reason_code, "exit_month": exit_month})
    facts = MembershipExit(
        application_id=application.id, reason=reason_code, exit_month=exit_month,
        date_of_death=date_of_death if reason_code == "meninggal" else None,
        other_payer=other_payer if reason_code == "pembayar_lain" else None,
        desil=desil if reason_code == "desil_naik" else None,
        dtsen_dataset_id=dtsen_dataset_id if reason_code == "desil_naik" else None,
        note=note or None, recorded_by_id=actor.user_id)
    session.add(facts)
    record_change(session, actor, "membership_exit.record", facts, created=True)
    ended = f"Kepesertaan berakhir ({reason_code}) mulai {exit_month:%Y-%m}"
    dropped = _drop_unpaid_months(session, application, exit_month, actor=actor, reason=ended)
    # A case ends once (terminated is final), so its refund lines are every month paid
    # from the exit on; those of the programme year are not released.
    refunds = open_refund_lines(session, application, exit_month, reason_code=reason_code,
                                actor=actor)
    paid_months = sum(line.month.year <= application.program_year for line in refunds)
    return release_and_promote(session, application, from_month=exit_month,
                               reason=f"{ended}; {dropped} bulan iuran dibatalkan",
                               actor=actor, paid_months=paid_months)


def record_death(session: Session, application: Application, *, date_of_death: date,
                 note: str, actor: Actor) -> MembershipExit:
    """A participant died: the membership ends from the month after ``date_of_death``
    (``first_month_not_owed``), months paid after it go to the refund ledger, the rest of
    the commitment and the place go to the reserves. For the claims desk and the case
    page; refusals as ``terminate_membership``. Returns the exit's facts."""
    terminate_membership(session, application, reason_code="meninggal", note=note,
                         actor=actor, date_of_death=date_of_death)
    return exit_of(session, application.id)


def exit_of(session: Session, application_id: int) -> MembershipExit | None:
    """The facts of an application's exit (None for exits recorded before issue 15)."""
    return session.execute(select(MembershipExit).where(
        MembershipExit.application_id == application_id)).scalar_one_or_none()
