"""Exits with their real reasons (issue 15 item 2): a death ends cover from the month
after it, months paid after an exit go to the refund ledger, the rest of the
commitment and the place go to the reserves; each reason keeps its facts."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import (Application, AuditEvent, BudgetLedger, BudgetYear, ContributionMonth,
                    MembershipExit, RefundLine, clock)
from tests.factories import enrol, make_budget, make_verified
from workflows.approval import approve_batch
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.exits import (EXIT_REASONS, first_month_not_owed, record_death,
                             terminate_membership)
from workflows.states import apply_transition

PREMIUM = 16_800


def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _pay_block(session, staff, first: date, months: int, sp2d: str, paid_on: date):
    batch = generate_contributions(session, first_month=first, months=months,
                                   actor=staff["cw1"])
    return record_payment(session, batch, sp2d_number=sp2d, sp2d_date=paid_on,
                          invoice_number=f"INV-{sp2d}", actor=staff["cw1"])


def _months(session, application_id):
    return session.execute(select(ContributionMonth.month, ContributionMonth.status).where(
        ContributionMonth.application_id == application_id)
        .order_by(ContributionMonth.month)).all()


def _refunds(session, application_id):
    return session.execute(select(RefundLine.month, RefundLine.amount, RefundLine.status,
                                  RefundLine.exit_reason).where(
        RefundLine.application_id == application_id).order_by(RefundLine.month)).all()


def _ledger(session, year=2026):
    return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0))
                          .where(BudgetLedger.fiscal_year == year))


@pytest.mark.parametrize("died,exit_month", [
    (date(2026, 4, 15), date(2026, 5, 1)), (date(2026, 4, 1), date(2026, 5, 1)),
    (date(2026, 4, 30), date(2026, 5, 1)), (date(2026, 12, 31), date(2027, 1, 1)),
    (date(2028, 2, 29), date(2028, 3, 1)), (date(2027, 2, 28), date(2027, 3, 1))])
def test_the_month_of_death_is_owed_and_the_next_is_not(died, exit_month):
    assert first_month_not_owed(died) == exit_month


@pytest.mark.calendar
def test_the_exit_month_follows_a_death_today_on_any_day():
    today = clock.today()
    month = first_month_not_owed(today)
    assert month.day == 1 and month > today
    assert (month - timedelta(days=1)).replace(day=1) == today.replace(day=1)


def test_a_death_mid_month_in_a_block_paid_ahead(session, staff):
    """Died 15 April with January-June paid: April stays paid and covered, May and June
    go to the refund ledger, the unpaid July batch is dropped, July-December's
    commitment comes back and the reserve takes the place."""
    make_budget(session, staff["admin1"], places=1, appropriation=PREMIUM * 12 + PREMIUM * 6)
    (member,) = enrol(session, staff)
    _pay_block(session, staff, date(2026, 1, 1), 6, "SP2D-MATI-1", date(2026, 1, 10))
    july = generate_contributions(session, first_month=date(2026, 7, 1), months=1,
                                  actor=staff["cw1"])
    reserve = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[reserve.id], sk_number="SK-CAD",
                  sk_date=date(2026, 2, 1), actor=staff["head"])
    assert session.get(Application, reserve.id).state == "waitlisted"
    facts = record_death(session, session.get(Application, member.id),
                         date_of_death=date(2026, 4, 15), note="Akta 3275-KM-2026-0001",
                         actor=staff["cw2"])

    member = session.get(Application, member.id)
    assert (member.state, member.exit_reason, member.exit_month) == (
        "terminated", "meninggal", date(2026, 5, 1))
    assert (facts.reason, facts.date_of_death, facts.exit_month) == (
        "meninggal", date(2026, 4, 15), date(2026, 5, 1))
    assert _months(session, member.id) == [(date(2026, m, 1), "paid") for m in range(1, 7)]
    assert _refunds(session, member.id) == [
        (date(2026, 5, 1), PREMIUM, "owed", "meninggal"),
        (date(2026, 6, 1), PREMIUM, "owed", "meninggal")]
    line = session.execute(select(RefundLine).where(RefundLine.application_id == member.id)
                           .limit(1)).scalar_one()
    assert (line.payment_batch_id, line.fiscal_year) != (None, None) and line.fiscal_year == 2026
    session.refresh(july)
    assert july.total == 0  # the unpaid month after the death left the batch
    # May-December is 8 months; May and June were paid, so six come back.
    assert member.commitment == PREMIUM * 12 - PREMIUM * 6
    release = session.execute(select(BudgetLedger).where(
        BudgetLedger.application_id == member.id, BudgetLedger.kind == "release")).scalar_one()
    assert (release.amount, release.places, release.months) == (-PREMIUM * 6, -1, 6)
    assert session.get(Application, reserve.id).state == "approved"
    year = session.get(BudgetYear, 2026)
    assert year.committed == _ledger(session) and year.places_used == 1
    (event,) = _events(session, "membership_exit.record")
    assert event.entity_id == str(facts.id) and "2026-04-15" not in event.diff  # masked
    assert [e.entity_type for e in _events(session, "refund.open")] == ["refund_line"] * 2
    (terminate,) = _events(session, "application.terminate")
    assert terminate.reason.startswith("meninggal: Akta") and terminate.actor_name == "cw2"
    assert json.loads(terminate.diff)["exit_month"] == [None, "2026-05-01"]
    assert json.loads(_events(session, "budget.release")[0].diff)["released"] == [
        None, PREMIUM * 6]


def test_a_death_with_every_month_left_paid_frees_the_place_but_no_money(session, staff):
    make_budget(session, staff["admin1"], places=1, appropriation=PREMIUM * 12 * 2)
    (member,) = enrol(session, staff)
    _pay_block(session, staff, date(2026, 1, 1), 12, "SP2D-SETAHUN", date(2026, 1, 10))
    reserve = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[reserve.id], sk_number="SK-CAD",
                  sk_date=date(2026, 2, 1), actor=staff["head"])
    released = record_death(session, session.get(Application, member.id),
                            date_of_death=date(2026, 6, 2), note="", actor=staff["cw1"])
    assert released.exit_month == date(2026, 7, 1)
    assert [(m, a) for m, a, _s, _r in _refunds(session, member.id)] == [
        (date(2026, m, 1), PREMIUM) for m in range(7, 13)]
    member = session.get(Application, member.id)
    assert member.commitment == PREMIUM * 12  # the money was spent: it stays committed
    release = session.execute(select(BudgetLedger).where(
        BudgetLedger.application_id == member.id, BudgetLedger.kind == "release")).scalar_one()
    assert (release.amount, release.places) == (0, -1)
    assert session.get(Application, reserve.id).state == "approved"  # money was left


@pytest.mark.day(date(2027, 1, 5))
def test_a_death_on_31_december_ends_cover_from_january(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    _pay_block(session, staff, date(2026, 7, 1), 6, "SP2D-DES", date(2026, 7, 2))
    before = session.get(Application, member.id).commitment
    terminate_membership(session, session.get(Application, member.id), reason_code="meninggal",
                         date_of_death=date(2026, 12, 31), note="", actor=staff["cw1"])
    member = session.get(Application, member.id)
    assert member.exit_month == date(2027, 1, 1)
    assert (date(2026, 12, 1), "paid") in _months(session, member.id)  # December owed
    assert _refunds(session, member.id) == []
    assert member.commitment == before  # nothing of 2026 came free
    assert session.scalar(select(func.count()).select_from(BudgetLedger).where(
        BudgetLedger.application_id == member.id, BudgetLedger.kind == "release")) == 0


def _enrol_in(session, staff, year: int, coverage_start: date):
    make_budget(session, staff["admin1"], year=year, places=2)
    case = make_verified(session, staff["cw1"], staff["cw2"], year=year)
    approve_batch(session, fiscal_year=year, application_ids=[case.id],
                  sk_number=f"SK-{year}-KABISAT", sk_date=date(year, 1, 5), actor=staff["head"])
    case = session.get(Application, case.id)
    apply_transition(session, case, "submit_to_bpjs", actor=staff["cw1"])
    case.kpj, case.coverage_start = f"{28_000_000_000 + case.id}", coverage_start
    apply_transition(session, case, "enrol", actor=staff["cw1"])
    return case


@pytest.mark.day(date(2028, 3, 10))
def test_a_death_on_29_february_leaves_march_to_the_refund_ledger(session, staff):
    member = _enrol_in(session, staff, 2028, date(2028, 1, 1))
    premium = session.get(BudgetYear, 2028).premium_per_month
    _pay_block(session, staff, date(2028, 1, 1), 3, "SP2D-2028-1", date(2028, 1, 10))
    released = terminate_membership(session, member, reason_code="meninggal",
                                    date_of_death=date(2028, 2, 29), note="", actor=staff["cw1"])
    assert session.get(Application, member.id).exit_month == date(2028, 3, 1)
    assert _refunds(session, member.id) == [(date(2028, 3, 1), premium, "owed", "meninggal")]
    assert released == premium * 9  # April-December: March was paid


@pytest.mark.parametrize("died,error,text", [
    (date(2026, 7, 11), InvalidInput, "future"),       # the test's today is 10 July
    (date(2026, 1, 31), InvalidInput, "before the coverage started"),
    (None, InvalidInput, "date of death"),
])
def test_a_death_needs_a_date_within_the_coverage(session, staff, died, error, text):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, coverage_start=date(2026, 2, 1))
    with pytest.raises(error, match=text):
        terminate_membership(session, member, reason_code="meninggal", date_of_death=died,
                             effective_month=date(2026, 5, 1), note="", actor=staff["cw1"])
    assert session.get(Application, member.id).state == "enrolled"
    assert session.scalar(select(func.count()).select_from(MembershipExit)) == 0


@pytest.mark.parametrize("reason", [r for r in EXIT_REASONS if r not in ("meninggal",
                                                                         "desil_naik")])
def test_each_reason_ends_cover_and_releases_the_months_left(session, staff, reason):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    payer = "PROVINSI" if reason == "pembayar_lain" else None
    released = terminate_membership(session, member, reason_code=reason, other_payer=payer,
                                    date_of_death=date(2026, 3, 3),  # ignored: not a death
                                    effective_month=date(2026, 9, 20), note="Surat",
                                    actor=staff["cw1"])
    assert released == PREMIUM * 4
    facts = session.execute(select(MembershipExit)).scalar_one()
    assert (facts.reason, facts.exit_month, facts.other_payer, facts.date_of_death) == (
        reason, date(2026, 9, 1), payer, None)
    assert session.get(Application, member.id).exit_reason == reason


def test_another_payer_must_be_named(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    for payer in (None, "BANK"):
        with pytest.raises(InvalidInput, match="who pays"):
            terminate_membership(session, member, reason_code="pembayar_lain",
                                 other_payer=payer, effective_month=date(2026, 9, 1), note="",
                                 actor=staff["cw1"])
    terminate_membership(session, member, reason_code="pembayar_lain", other_payer="APBN",
                         effective_month=date(2026, 9, 1), note="", actor=staff["cw1"])
    assert session.execute(select(MembershipExit.other_payer)).scalar_one() == "APBN"


def test_a_desil_exit_needs_what_was_seen(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    with pytest.raises(InvalidInput):
        terminate_membership(session, member, reason_code="desil_naik",
                             effective_month=date(2026, 9, 1), note="", actor=staff["cw1"])


@pytest.mark.parametrize("who", ["head", "audit1", "admin1"])
def test_only_caseworkers_record_a_death(session, staff, who):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    with pytest.raises(NotAllowed):
        record_death(session, member, date_of_death=date(2026, 6, 1), note="",
                     actor=staff[who])
    assert session.get(Application, member.id).state == "enrolled"


def test_a_second_click_changes_nothing_and_says_so(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    record_death(session, member, date_of_death=date(2026, 6, 1), note="", actor=staff["cw1"])
    count = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidTransition, match="already ended"):
        record_death(session, session.get(Application, member.id),
                     date_of_death=date(2026, 5, 1), note="", actor=staff["cw2"])
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert session.get(Application, member.id).exit_month == date(2026, 7, 1)


def test_the_database_refuses_a_death_without_its_date(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff)
    for row in (MembershipExit(application_id=member.id, reason="meninggal",
                               exit_month=date(2026, 5, 1)),
                MembershipExit(application_id=member.id, reason="pindah_domisili",
                               exit_month=date(2026, 5, 1), date_of_death=date(2026, 4, 1)),
                MembershipExit(application_id=member.id, reason="meninggal",
                               exit_month=date(2026, 5, 1), date_of_death=date(2026, 5, 2)),
                MembershipExit(application_id=member.id, reason="pembayar_lain",
                               exit_month=date(2026, 5, 1))):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(row)
            session.flush()
