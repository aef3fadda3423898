"""December and the turn of the year: decisions, BPJS batches and replies, carry-over.

The tests marked ``calendar`` hold on whatever day the session runs (make test repeats
them on 1 January, 30 November, 4 and 31 December and 29 February 2028); the others
pin the days they are about.
"""
import io
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, AuditEvent, BudgetLedger, BudgetYear, RegistrationBatch, clock
from reports.contributions import add_months
from tests.bpjs_factories import accepted, import_reply, problems, reply_bytes
from tests.factories import make_budget, make_submitted, make_verified
from tests.helpers import csrf_token, job_result, login
from workflows.approval import approve_batch, promote_waitlist, WAITLIST_ACTOR
from workflows.bpjs.registration import create_registration_batch, mark_batch_sent
from workflows.budget import decision_year, last_decision_day
from workflows.carry_over import carry_over, waiting_to_carry
from workflows.proposal import propose_batch
from workflows.errors import InvalidInput, InvalidTransition
from workflows.intake import open_application

PREMIUM = 16_800


def _approve(session, staff, year, cases, sk_date, number="SK-BATAS-1"):
    return approve_batch(session, fiscal_year=year, application_ids=[c.id for c in cases],
                         sk_number=number, sk_date=sk_date, actor=staff["head"])


def _fresh(session, application):
    session.expire_all()
    return session.get(Application, application.id)


@pytest.mark.calendar
def test_an_approved_case_can_be_registered_and_enrolled_on_any_day(session, staff):
    """Approved early in this year, registered today: cover from next month, which in
    December is January of next year, and the commitment keeps only the months covered."""
    today = clock.today()
    year = today.year
    make_budget(session, staff["admin1"], year=year, places=2)
    case = make_verified(session, staff["cw1"], staff["cw2"], year=year)
    _approve(session, staff, year, [case], date(year, 1, 1))
    batch = create_registration_batch(session, fiscal_year=year, actor=staff["cw1"])
    assert batch.coverage_from == add_months(today.replace(day=1), 1)
    mark_batch_sent(session, batch, actor=staff["cw1"])
    case = _fresh(session, case)
    result = import_reply(session, staff, reply_bytes([accepted(case, 1, batch.coverage_from)]))
    assert result.applied, result.run.error_report
    case = _fresh(session, case)
    assert (case.state, case.coverage_start) == ("enrolled", batch.coverage_from)
    months_covered = 12 - batch.coverage_from.month + 1 if batch.coverage_from.year == year \
        else 0
    assert case.commitment == PREMIUM * months_covered
    assert session.get(BudgetYear, year).committed == PREMIUM * months_covered


@pytest.mark.calendar
def test_a_decision_today_goes_into_the_year_that_can_still_cover(session, staff):
    today = clock.today()
    year = decision_year(today)
    assert today <= last_decision_day(year)
    assert year == today.year + (today > date(today.year, 11, 30))
    make_budget(session, staff["admin1"], year=year)
    case = make_verified(session, staff["cw1"], staff["cw2"], year=year)
    decree = _approve(session, staff, year, [case], today)
    assert decree.approved_count == 1
    if year > today.year:  # December: this year can no longer cover anyone
        make_budget(session, staff["admin1"], year=today.year)
        late = make_verified(session, staff["cw1"], staff["cw2"], year=today.year)
        with pytest.raises(InvalidTransition, match=f"carry these applications over to {year}"
                           .replace("carry", "Carry")):
            _approve(session, staff, today.year, [late], today, number="SK-BATAS-2")
        assert _fresh(session, late).state == "verified"


@pytest.mark.day(date(2026, 12, 4))
def test_the_ranking_page_says_a_year_is_over_and_offers_no_button_that_fails(client, session,
                                                                          staff):
    make_budget(session, staff["admin1"], year=2026)
    make_budget(session, staff["admin1"], year=2027)
    waiting = make_verified(session, staff["cw1"], staff["cw2"], year=2026)
    session.commit()
    login(client, "head")
    page = client.get("/approval/?year=2026").get_data(as_text=True)
    assert 'data-testid="year-over"' in page and 'data-testid="propose-batch"' not in page
    assert f'value="{waiting.id}"' not in page  # nothing to tick
    # The ranking opens on 2027, offering to carry 2026's undecided case over.
    page = client.get("/approval/").get_data(as_text=True)
    assert 'name="year" value="2027"' in page and 'data-testid="carry-over"' in page
    assert 'data-testid="propose-batch"' in page
    moved = client.post("/approval/carry-over", data={
        "csrf_token": csrf_token(client, "/approval/"), "from_year": "2026"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("year=2027")
    assert _fresh(session, waiting).program_year == 2027


@pytest.mark.day(date(2026, 12, 4))
def test_carry_over_moves_the_undecided_cases_with_their_order_and_audit(session, staff):
    make_budget(session, staff["admin1"], year=2026, places=1)
    make_budget(session, staff["admin1"], year=2027)
    top, reserve = (make_verified(session, staff["cw1"], staff["cw2"], year=2026, desil=d)
                    for d in (1, 2))
    verified = make_verified(session, staff["cw1"], staff["cw2"], year=2026, desil=3)
    _approve(session, staff, 2026, [top, reserve], date(2026, 11, 2))
    reserve = _fresh(session, reserve)
    assert reserve.state == "waitlisted"
    decree_id = reserve.decree_id
    blocked = make_verified(session, staff["cw1"], staff["cw2"], year=2026, desil=1)
    open_application(session, blocked.worker, program_year=2027, intake_channel="walk_in",
                     actor=staff["cw1"])  # the worker already applied for 2027
    kin = make_verified(session, staff["cw1"], staff["cw2"], year=2026, desil=4)
    make_submitted(session, staff["cw1"], year=2027, kk_number=kin.worker.kk_number)
    outcome = carry_over(session, from_year=2026, actor=staff["head"])
    assert sorted(outcome.moved) == sorted([reserve.id, verified.id])
    assert sorted(outcome.kept) == sorted([blocked.id, kin.id])
    assert "worker already has application" in outcome.kept[blocked.id]
    assert "same KK already has application" in outcome.kept[kin.id]
    reserve, verified, top = (_fresh(session, a) for a in (reserve, verified, top))
    assert (reserve.program_year, reserve.state, reserve.decree_id) == (2027, "verified", None)
    assert (verified.program_year, verified.state) == (2027, "verified")
    assert (top.program_year, top.state) == (2026, "approved")
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.carry_over",
        AuditEvent.entity_id == str(reserve.id))).scalar_one()
    assert '"program_year":[2026,2027]' in event.diff and f'"decree_id":[{decree_id},null]' \
        in event.diff
    # The head who carried them over still decides them (carrying over is not verifying).
    decree = _approve(session, staff, 2027, [reserve, verified], clock.today(), "SK-2027-1")
    assert decree.approved_count == 2


@pytest.mark.day(date(2026, 11, 30))
def test_carry_over_waits_until_the_year_is_over(session, staff):
    make_verified(session, staff["cw1"], staff["cw2"], year=2026)
    with pytest.raises(InvalidTransition, match="2026-11-30"):
        carry_over(session, from_year=2026, actor=staff["head"])


def test_an_sk_is_not_dated_after_today(session, staff):
    make_budget(session, staff["admin1"])
    case = make_verified(session, staff["cw1"], staff["cw2"])
    with pytest.raises(InvalidInput, match="after today"):
        _approve(session, staff, 2026, [case], date(2026, 7, 11))


@pytest.mark.day(date(2026, 12, 2))
def test_no_promotion_from_the_waiting_list_once_the_year_is_over(session, staff):
    make_budget(session, staff["admin1"], places=1)
    first, second = (make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(2))
    _approve(session, staff, 2026, [first, second], date(2026, 11, 2))
    year = session.get(BudgetYear, 2026)
    year.quota = 2
    session.flush()
    assert promote_waitlist(session, 2026, trigger="uji", actor=WAITLIST_ACTOR) == 0
    assert _fresh(session, second).state == "waitlisted"


@pytest.mark.day(date(2026, 12, 4))
def test_a_december_batch_asks_for_january_and_the_page_says_so(client, session, staff):
    make_budget(session, staff["admin1"])
    case = make_verified(session, staff["cw1"], staff["cw2"])
    _approve(session, staff, 2026, [case], date(2026, 3, 2))
    session.commit()
    login(client, "cw1")
    page = client.get("/bpjs/?year=2026").get_data(as_text=True)
    assert 'data-testid="registration-next-year"' in page and "1 Januari 2027" in page
    created = client.post("/bpjs/batches", data={
        "csrf_token": csrf_token(client, "/bpjs/"), "year": "2026"})
    assert created.status_code == 302 and created.headers["Location"].endswith("year=2026")
    case = _fresh(session, case)
    batch = session.get(RegistrationBatch, case.registration_batch_id)
    assert case.state == "submitted_to_bpjs" and batch.coverage_from == date(2027, 1, 1)
    assert b",2027-01-01,SG" in batch.csv_content


@pytest.mark.day(date(2027, 1, 4))
def test_after_the_year_no_batch_can_be_made_and_the_button_is_off(client, session, staff):
    make_budget(session, staff["admin1"])
    case = make_verified(session, staff["cw1"], staff["cw2"])
    _approve(session, staff, 2026, [case], date(2026, 3, 2))
    with pytest.raises(InvalidTransition, match="over for registration"):
        create_registration_batch(session, fiscal_year=2026, actor=staff["cw1"])
    session.commit()
    login(client, "cw1")
    page = client.get("/bpjs/?year=2026").get_data(as_text=True)
    assert 'data-testid="registration-over"' in page
    assert 'data-testid="create-batch" disabled' in page


def test_bpjs_cover_must_start_in_the_batch_window(session, staff):
    """FIXTURE_DAY is 10 July: the batch asks for 1 August 2026; cover may start then or
    later, until the end of 2027 (the last year the membership can continue into)."""
    make_budget(session, staff["admin1"])
    first, second = (make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(2))
    _approve(session, staff, 2026, [first, second], date(2026, 7, 1))
    batch = create_registration_batch(session, fiscal_year=2026, actor=staff["cw1"])
    mark_batch_sent(session, batch, actor=staff["cw1"])
    first, second = _fresh(session, first), _fresh(session, second)
    for early, late in ((date(2026, 7, 1), date(2028, 1, 1)),):
        run = import_reply(session, staff, reply_bytes([accepted(first, 1, early),
                                                       accepted(second, 2, late)]))
        assert not run.applied
        assert [p["baris"] for p in problems(run.run)] == ["2", "3"]
        assert all("2026-08-01 to 2027-12-31" in p["pesan"] for p in problems(run.run))
    # BPJS slow: the second starts in January; none of its 2026 months stays committed.
    run = import_reply(session, staff, reply_bytes([accepted(first, 1, date(2026, 8, 1)),
                                                   accepted(second, 2, date(2027, 1, 1))]),
                       file_name="balasan-2.csv")
    assert run.applied
    assert (_fresh(session, first).commitment, _fresh(session, second).commitment) == (
        5 * PREMIUM, 0)


@pytest.mark.day(date(2027, 1, 4))
def test_once_the_year_ended_an_approved_case_never_sent_gives_its_money_back(session, staff):
    make_budget(session, staff["admin1"], year=2026)
    case = make_verified(session, staff["cw1"], staff["cw2"], year=2026)
    _approve(session, staff, 2026, [case], date(2026, 11, 2))
    assert session.get(BudgetYear, 2026).committed == 2 * PREMIUM
    outcome = carry_over(session, from_year=2026, actor=staff["head"])
    assert outcome.moved == [case.id]
    case = _fresh(session, case)
    assert (case.program_year, case.state, case.commitment, case.decree_id) == (
        2027, "verified", None, None)
    year = session.get(BudgetYear, 2026)
    assert (year.committed, year.places_used) == (0, 0)
    release = session.execute(select(BudgetLedger).where(
        BudgetLedger.application_id == case.id, BudgetLedger.kind == "release")).scalar_one()
    assert (release.amount, release.places, release.months) == (-2 * PREMIUM, -1, 2)
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "budget.release",
        AuditEvent.entity_id == str(case.id))).scalar_one()
    assert f'"released":[null,{2 * PREMIUM}]' in event.diff


def test_the_bpjs_page_keeps_the_year_chosen_through_an_upload(client, session, staff):
    login(client, "cw1")
    page = client.get("/bpjs/?year=2025").get_data(as_text=True)
    assert page.count('name="year" value="2025"') >= 2  # the batch form and the reply form
    answer = client.post("/bpjs/responses", data={
        "csrf_token": csrf_token(client, "/bpjs/"), "year": "2025",
        "file": (io.BytesIO(b"nik,kpj,status,alasan,tanggal_mulai\n"), "balasan.csv")})
    assert answer.status_code == 302
    result = job_result(client, answer)
    assert "year=2025" in result and "run=" in result
    assert 'name="year" value="2025"' in client.get(result).get_data(as_text=True)


@pytest.mark.day(date(2026, 11, 28))
def test_carry_over_leaves_a_proposed_case_to_its_proposal_and_counts_only_what_moves(
        session, staff):
    make_budget(session, staff["admin1"], year=2026)
    listed, blocked = (make_verified(session, staff["cw1"], staff["cw2"], year=2026)
                       for _ in range(2))
    propose_batch(session, fiscal_year=2026, application_ids=[listed.id], actor=staff["head"])
    open_application(session, blocked.worker, program_year=2027, intake_channel="walk_in",
                     actor=staff["cw1"])
    with clock.pinned(date(2026, 12, 1)):
        assert waiting_to_carry(session, 2026) == 0  # nothing a carry-over would move
        outcome = carry_over(session, from_year=2026, actor=staff["head"])
    assert outcome.moved == [] and list(outcome.kept) == [blocked.id]
    assert _fresh(session, listed).program_year == 2026  # its proposal decides it
