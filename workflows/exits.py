"""Leaving the programme: a BPJS rejection or a terminated membership gives back
what is no longer needed, and the waiting list moves up in order."""
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Application, BudgetYear, ContributionMonth, PaymentBatch, Role
from workflows.actor import Actor
from workflows.approval import WAITLIST_ACTOR, promote_waitlist
from workflows.audit import record_many
from workflows.budget import months_from, release, release_many
from workflows.contributions.generation import refresh_batch_totals
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.states import apply_transition

EXIT_REASONS = ("meninggal", "pindah_domisili", "pekerja_formal", "penghasilan_di_atas_batas",
                "permintaan_sendiri", "akhir_tahun_program", "tidak_memenuhi_syarat")


def releasable(year: BudgetYear, commitment: int | None,
               from_month: date | None) -> tuple[int, int]:
    """``(rupiah, months)`` an exit from ``from_month`` (all of it when None) gives back
    of a commitment, with its place; ``months`` is 0 when nothing comes free.

    An exit from the next year on releases no month of this one: the participant holds
    the place to the end of the year, so nobody is promoted into it. In a closed year
    what stays committed was paid (workflows.year_close): nothing comes free."""
    months = 12 if from_month is None else months_from(from_month, year.fiscal_year)
    if year.status == "closed" or months == 0:
        return 0, 0
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
                        reason: str, actor: Actor) -> int:
    """Release the case's commitment from ``from_month`` (all of it when None) and its
    place, then approve reserves in rank order. Returns the rupiah released."""
    amount, months = releasable(session.get(BudgetYear, application.program_year),
                                application.commitment, from_month)
    if not months:
        return 0
    release(session, application, amount=amount, months=months, free_place=True, reason=reason,
            actor=actor)
    record_many(session, actor, [release_event(application.id, amount, months, reason)])
    promote_into_place_of(session, application.program_year, application.id)
    return amount


def _drop_unpaid_months(session: Session, application: Application, first: date, *,
                        reason: str, actor: Actor) -> int:
    """Months from the exit on that are not paid yet are not owed: drop them, also from
    batches generated but not yet paid (whose totals shrink accordingly). Months already
    paid stay; BPJS refunds them by agreement (domain.md §1.7). Months a year-close
    carried to the next year as a liability give that year its money back."""
    unpaid = select(ContributionMonth.id, ContributionMonth.amount,
                    PaymentBatch.fiscal_year).outerjoin(PaymentBatch).where(
        ContributionMonth.application_id == application.id, ContributionMonth.month >= first,
        ContributionMonth.status == "due",
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


def terminate_membership(session: Session, application: Application, *, reason_code: str,
                         effective_month: date, note: str, actor: Actor) -> int:
    """End an enrolment from ``effective_month`` (the first month no longer paid)."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers end memberships."))
    if reason_code not in EXIT_REASONS:
        raise InvalidInput(_l("Choose the reason the membership ends."))
    effective_month = effective_month.replace(day=1)
    if application.state == "enrolled" and application.coverage_start and \
            effective_month < application.coverage_start.replace(day=1):
        raise InvalidInput(_l("The membership cannot end before its coverage started "
                              "(%(start)s).", start=application.coverage_start.isoformat()))
    if effective_month.year > application.program_year + 1:
        raise InvalidInput(_l("The effective month is outside the programme year."))
    if application.state != "enrolled":
        raise InvalidTransition(_l("Only an enrolled membership can be ended."))
    application.exit_reason, application.exit_month = reason_code, effective_month
    apply_transition(session, application, "terminate", actor=actor,
                     reason=f"{reason_code}: {note}".strip(": "))
    ended = f"Kepesertaan berakhir ({reason_code}) mulai {effective_month:%Y-%m}"
    dropped = _drop_unpaid_months(session, application, effective_month, actor=actor,
                                  reason=ended)
    return release_and_promote(session, application, from_month=effective_month,
                               reason=f"{ended}; {dropped} bulan iuran dibatalkan",
                               actor=actor)
