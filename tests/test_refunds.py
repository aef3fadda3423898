"""The refund ledger: months paid after any exit are owed back by BPJS, one line each,
until the refund is recorded once, never above what was paid."""
import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import Application, AuditEvent, RefundLine
from reports.refund_ledger import ledger_lines, year_totals
from tests.factories import enrol, make_budget
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.exits import record_death, terminate_membership
from workflows.refunds import record_refund

PREMIUM = 16_800


def paid_ahead(session, staff, count=1):
    """Participants of 2026 with January to June paid under one SP2D."""
    make_budget(session, staff["admin1"], places=count + 1)
    members = enrol(session, staff, count)
    batch = generate_contributions(session, first_month=date(2026, 1, 1), months=6,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-REF-1", sp2d_date=date(2026, 1, 10),
                   invoice_number="INV-REF-1", actor=staff["cw1"])
    return members, batch


@pytest.fixture
def owed(session, staff):
    """A death on 15 April: May and June are owed back."""
    (member,), batch = paid_ahead(session, staff)
    record_death(session, member, date_of_death=date(2026, 4, 15), note="", actor=staff["cw1"])
    lines = session.execute(select(RefundLine).where(RefundLine.application_id == member.id)
                            .order_by(RefundLine.month)).scalars().all()
    assert [(line.month, line.payment_batch_id) for line in lines] == [
        (date(2026, 5, 1), batch.id), (date(2026, 6, 1), batch.id)]
    return lines


def test_any_exit_after_a_block_paid_ahead_opens_lines(session, staff):
    (moved, formal), _batch = paid_ahead(session, staff, 2)
    terminate_membership(session, moved, reason_code="pindah_domisili",
                         effective_month=date(2026, 4, 1), note="", actor=staff["cw1"])
    terminate_membership(session, formal, reason_code="pekerja_formal",
                         effective_month=date(2026, 8, 1), note="", actor=staff["cw1"])
    rows = session.execute(select(RefundLine.application_id, RefundLine.month,
                                  RefundLine.exit_reason, RefundLine.status)
                           .order_by(RefundLine.month)).all()
    assert rows == [(moved.id, date(2026, m, 1), "pindah_domisili", "owed") for m in (4, 5, 6)]
    (total,) = year_totals(session)
    assert (total.fiscal_year, total.lines, total.paid, total.owed) == (
        2026, 3, PREMIUM * 3, PREMIUM * 3)


def test_a_refund_is_recorded_once(session, staff, owed):
    line = owed[0]
    record_refund(session, line, amount=PREMIUM, received_on=date(2026, 7, 1),
                  bpjs_reference="TRF-BPJS-0701", actor=staff["cw2"])
    assert (line.status, line.refunded_amount, line.refunded_on, line.bpjs_reference) == (
        "refunded", PREMIUM, date(2026, 7, 1), "TRF-BPJS-0701")
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "refund.receive")).scalar_one()
    assert (event.entity_id, event.reason, event.actor_name) == (
        str(line.id), "TRF-BPJS-0701", "cw2")
    assert json.loads(event.diff)["status"] == ["owed", "refunded"]
    count = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Repeated, match="already recorded"):
        record_refund(session, line, amount=1, received_on=date(2026, 7, 2),
                      bpjs_reference="LAIN", actor=staff["cw1"])
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert (line.refunded_amount, line.bpjs_reference) == (PREMIUM, "TRF-BPJS-0701")


@pytest.mark.parametrize("changes,text", [
    ({"amount": PREMIUM + 1}, "more than was paid"),
    ({"amount": 0}, "amount"),
    ({"amount": -5}, "amount"),
    ({"received_on": date(2026, 7, 11)}, "future"),   # today is 10 July
    ({"received_on": None}, "date"),
    ({"bpjs_reference": "   "}, "reference"),
    ({"bpjs_reference": "X" * 81}, "reference"),
])
def test_a_wrong_refund_is_refused(session, staff, owed, changes, text):
    arguments = {"amount": PREMIUM, "received_on": date(2026, 7, 1),
                 "bpjs_reference": "TRF-1", **changes}
    with pytest.raises(InvalidInput, match=text):
        record_refund(session, owed[0], actor=staff["cw1"], **arguments)
    session.refresh(owed[0])
    assert owed[0].status == "owed"


@pytest.mark.parametrize("who", ["head", "audit1", "admin1"])
def test_only_caseworkers_record_refunds(session, staff, owed, who):
    with pytest.raises(NotAllowed):
        record_refund(session, owed[0], amount=PREMIUM, received_on=date(2026, 7, 1),
                      bpjs_reference="TRF-1", actor=staff[who])


def test_totals_per_year_show_owed_refunded_and_short(session, staff, owed):
    record_refund(session, owed[0], amount=10_000, received_on=date(2026, 7, 1),
                  bpjs_reference="TRF-SEBAGIAN", actor=staff["cw1"])
    (total,) = year_totals(session)
    assert (total.lines, total.paid, total.owed, total.refunded, total.written_off) == (
        2, PREMIUM * 2, PREMIUM, 10_000, PREMIUM - 10_000)
    assert [line.month for line in ledger_lines(session, status="owed")] == [date(2026, 6, 1)]
    assert ledger_lines(session, year=2025) == []
    (line,) = ledger_lines(session, status="refunded")
    assert (line.sp2d_number, line.exit_reason, line.refunded_amount) == (
        "SP2D-REF-1", "meninggal", 10_000)


def test_the_database_keeps_a_line_whole(session, staff, owed):
    application_id = owed[0].application_id
    for row in (RefundLine(application_id=application_id, month=date(2026, 9, 1), amount=100,
                           fiscal_year=2026, exit_reason="meninggal", status="refunded"),
                RefundLine(application_id=application_id, month=date(2026, 9, 1), amount=100,
                           fiscal_year=2026, exit_reason="meninggal", status="refunded",
                           refunded_amount=101, refunded_on=date(2026, 9, 2),
                           bpjs_reference="X"),
                RefundLine(application_id=application_id, month=date(2026, 5, 1), amount=100,
                           fiscal_year=2026, exit_reason="meninggal", status="owed")):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(row)
            session.flush()
    assert session.get(Application, application_id).state == "terminated"
