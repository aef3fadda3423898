"""Contribution batches: generating months, recording the payment, paid-through
months, arrears and lapse warnings (reconciliation and pages: the sibling files)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, BudgetYear, ContributionMonth, PaymentBatch
from tests.factories import enrol
from tests.factories import make_budget
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.status import (arrears, lapse_warnings, mark_arrears,
                                            paid_through)
from workflows.errors import (Conflict, InvalidInput, InvalidTransition, MissingReference,
                             NotAllowed)
from workflows.exits import terminate_membership

MARCH = date(2026, 3, 1)


def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _months(session, batch=None, **where):
    query = select(ContributionMonth).order_by(ContributionMonth.application_id,
                                               ContributionMonth.month)
    if batch is not None:
        query = query.where(ContributionMonth.payment_batch_id == batch.id)
    return session.execute(query.filter_by(**where)).scalars().all()


def _generate(session, staff, first=MARCH, months=1, actor="cw1"):
    return generate_contributions(session, first_month=first, months=months,
                                  actor=staff[actor])


def _pay(session, staff, batch, sp2d="SP2D-0001", actor="cw1", day=date(2026, 3, 10)):
    return record_payment(session, batch, sp2d_number=sp2d, sp2d_date=day,
                          invoice_number=f"INV-{sp2d}", actor=staff[actor])


def test_a_month_for_each_covered_participant_at_the_years_premium(session, staff):
    make_budget(session, staff["admin1"], places=5)
    covered = enrol(session, staff, 2)
    later = enrol(session, staff, coverage_start=date(2026, 4, 1))[0]
    gone, leaving = enrol(session, staff, 2)
    terminate_membership(session, gone, reason_code="pindah_domisili",
                         effective_month=MARCH, note="", actor=staff["cw1"])
    terminate_membership(session, leaving, reason_code="pekerja_formal",
                         effective_month=date(2026, 5, 1), note="", actor=staff["cw1"])
    year = session.get(BudgetYear, 2026)
    year.premium_per_month = 20_000  # the batch takes the budget year's figure
    batch = _generate(session, staff)
    rows = _months(session, batch)
    assert sorted(r.application_id for r in rows) == sorted([a.id for a in covered] + [leaving.id])
    assert later.id not in {r.application_id for r in rows}
    assert {(r.month, r.amount, r.status) for r in rows} == {(MARCH, 20_000, "due")}
    assert (batch.status, batch.fiscal_year, batch.months) == ("generated", 2026, 1)
    assert (batch.participant_count, batch.total) == (3, 60_000)
    event = _events(session, "contributions.generate")
    assert len(event) == 1 and event[0].entity_id == str(batch.id)
    assert '"rows":[null,3]' in event[0].diff and '"total":[null,60000]' in event[0].diff


def test_a_block_skips_months_already_generated_and_a_repeat_creates_nothing(session, staff):
    make_budget(session, staff["admin1"], places=2)
    first, second = enrol(session, staff, 2)
    march = _generate(session, staff)
    block = _generate(session, staff, months=3)
    assert {(r.application_id, r.month) for r in _months(session, block)} == {
        (a.id, date(2026, m, 1)) for a in (first, second) for m in (4, 5)}
    assert (block.months, block.participant_count, block.total) == (3, 2, 4 * 16_800)
    assert len(_months(session, march)) == 2
    batches = session.scalar(select(func.count()).select_from(PaymentBatch))
    with pytest.raises(Conflict, match="generated before"):
        _generate(session, staff, months=3)
    assert session.scalar(select(func.count()).select_from(PaymentBatch)) == batches
    assert len(_months(session)) == 6 and len(_events(session, "contributions.generate")) == 2


def test_generation_refusals(session, staff):
    make_budget(session, staff["admin1"], places=1)
    enrol(session, staff, coverage_start=date(2026, 2, 1))
    with pytest.raises(InvalidInput):
        _generate(session, staff, months=2)
    with pytest.raises(InvalidInput, match="December"):
        _generate(session, staff, first=date(2026, 10, 1), months=6)
    with pytest.raises(NotAllowed):
        _generate(session, staff, actor="head")
    with pytest.raises(MissingReference, match="2027"):
        _generate(session, staff, first=date(2027, 1, 1))
    with pytest.raises(InvalidInput, match="Nobody"):
        _generate(session, staff, first=date(2026, 1, 1))
    assert session.scalar(select(func.count()).select_from(PaymentBatch)) == 0


def test_payment_marks_months_paid_and_raises_realised(session, staff):
    make_budget(session, staff["admin1"], places=2)
    enrol(session, staff, 2)
    batch = _generate(session, staff, months=3)
    _pay(session, staff, batch)
    assert session.get(BudgetYear, 2026).realised == 6 * 16_800 == batch.total
    assert {r.status for r in _months(session, batch)} == {"paid"}
    assert (batch.status, batch.sp2d_number, batch.invoice_number) == (
        "paid", "SP2D-0001", "INV-SP2D-0001")
    assert batch.paid_at is not None and batch.sp2d_date == date(2026, 3, 10)
    realise = _events(session, "budget.realise")
    assert len(realise) == 1 and '"realised":[0,100800]' in realise[0].diff
    assert len(_events(session, "contributions.pay")) == 1
    with pytest.raises(InvalidTransition, match="already paid"):
        _pay(session, staff, batch, sp2d="SP2D-0002")
    assert session.get(BudgetYear, 2026).realised == 100_800


def test_an_sp2d_pays_one_batch_and_other_refusals_change_nothing(session, staff):
    make_budget(session, staff["admin1"], places=1)
    enrol(session, staff)
    march, april = _generate(session, staff), _generate(session, staff, first=date(2026, 4, 1))
    _pay(session, staff, march)
    with pytest.raises(Conflict, match="SP2D-0001"):
        _pay(session, staff, april)
    with pytest.raises(NotAllowed):
        _pay(session, staff, april, sp2d="SP2D-9", actor="audit1")
    with pytest.raises(InvalidInput):
        _pay(session, staff, april, sp2d=" ")
    with pytest.raises(InvalidInput):
        _pay(session, staff, april, sp2d="SP2D-9", day=date(2025, 12, 30))
    empty = PaymentBatch(fiscal_year=2026, first_month=MARCH, months=1, participant_count=0,
                         total=0, status="generated")
    session.add(empty)
    with pytest.raises(InvalidInput, match="no amounts"):
        _pay(session, staff, empty, sp2d="SP2D-9")
    session.refresh(april)
    assert april.status == "generated" and april.sp2d_number is None
    assert {r.status for r in _months(session, april)} == {"due"}
    assert session.get(BudgetYear, 2026).realised == 16_800


def test_payment_never_takes_realised_above_the_appropriation(session, staff):
    # Approved in July: the commitment is 6 months, the appropriation exactly that.
    make_budget(session, staff["admin1"], places=1, appropriation=6 * 16_800)
    enrol(session, staff, sk_date=date(2026, 7, 1))
    first_half = _generate(session, staff, first=date(2026, 1, 1), months=6)
    second_half = _generate(session, staff, first=date(2026, 7, 1), months=6)
    _pay(session, staff, first_half)
    with pytest.raises(Conflict, match="appropriation"):
        _pay(session, staff, second_half, sp2d="SP2D-0002")
    year = session.get(BudgetYear, 2026)
    assert year.realised == year.appropriation == 100_800


def test_paid_through_is_the_unbroken_paid_run_from_coverage_start(session, staff):
    make_budget(session, staff["admin1"], places=2)
    app, unpaid = enrol(session, staff, 2, coverage_start=date(2026, 1, 15))
    assert paid_through(session, app) is None
    _pay(session, staff, _generate(session, staff, first=date(2026, 1, 1), months=3))
    assert paid_through(session, app) == date(2026, 3, 1)
    _generate(session, staff, first=date(2026, 4, 1))  # April generated, not paid
    _pay(session, staff, _generate(session, staff, first=date(2026, 5, 1)), sp2d="SP2D-MAY")
    assert paid_through(session, app) == date(2026, 3, 1)  # April's gap breaks the run
    session.execute(ContributionMonth.__table__.update().where(
        ContributionMonth.application_id == unpaid.id,
        ContributionMonth.month == date(2026, 1, 1)).values(status="due"))
    assert paid_through(session, session.get(Application, unpaid.id)) is None


def test_lapse_warnings_at_or_near_the_three_month_rule(session, staff):
    make_budget(session, staff["admin1"], places=4)
    behind_two, never_paid, current, ended = enrol(session, staff, 4)
    _pay(session, staff, _generate(session, staff, first=date(2026, 1, 1), months=3))
    _pay(session, staff, _generate(session, staff, first=date(2026, 4, 1)), sp2d="SP2D-APR")
    for application, month in ((behind_two, 4), (never_paid, 1), (never_paid, 2),
                               (never_paid, 3), (never_paid, 4)):
        session.execute(ContributionMonth.__table__.update().where(
            ContributionMonth.application_id == application.id,
            ContributionMonth.month == date(2026, month, 1)).values(status="due"))
    terminate_membership(session, ended, reason_code="meninggal",
                         date_of_death=date(2026, 2, 14), note="", actor=staff["cw1"])  # from MARCH
    warnings = lapse_warnings(session, date(2026, 5, 20))
    assert [(w.application_id, w.paid_through, w.months_unpaid, w.lapsed) for w in warnings] == [
        (never_paid.id, None, 5, True), (behind_two.id, date(2026, 3, 1), 2, False)]
    assert warnings[1].kpj == behind_two.kpj and warnings[1].nik == behind_two.worker.nik
    assert current.id not in {w.application_id for w in warnings}
    assert lapse_warnings(session, date(2026, 4, 30))[0].months_unpaid == 4
    third = {w.application_id: w for w in lapse_warnings(session, date(2026, 6, 1))}
    assert third[behind_two.id].months_unpaid == 3 and not third[behind_two.id].lapsed


def test_mark_arrears_turns_overdue_due_months_into_arrears_once(session, staff):
    make_budget(session, staff["admin1"], places=2)
    first, second = enrol(session, staff, 2)
    _pay(session, staff, _generate(session, staff, first=date(2026, 1, 1)))
    unpaid = _generate(session, staff, first=date(2026, 2, 1), months=3)
    today = date(2026, 4, 2)
    assert mark_arrears(session, today=today, actor=staff["cw1"]) == 4  # Feb and March
    assert {(r.month.month, r.status) for r in _months(session, unpaid)} == {
        (2, "arrears"), (3, "arrears"), (4, "due")}
    assert [(a.application_id, a.months, a.amount, a.oldest) for a in arrears(session, today)] == [
        (first.id, 2, 33_600, date(2026, 2, 1)), (second.id, 2, 33_600, date(2026, 2, 1))]
    assert len(_events(session, "contributions.mark_arrears")) == 1
    assert mark_arrears(session, today=today, actor=staff["cw1"]) == 0
    assert len(_events(session, "contributions.mark_arrears")) == 1
    with pytest.raises(NotAllowed):
        mark_arrears(session, today=today, actor=staff["head"])
    _pay(session, staff, unpaid, sp2d="SP2D-LATE", day=date(2026, 4, 3))
    assert {r.status for r in _months(session, unpaid)} == {"paid"}
    assert arrears(session, today) == []
