"""Closing a budget year: what was never billed is released, unpaid months become the next
year's liability, and the year is frozen; the pages and the realisation report show it."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, BudgetLedger, BudgetYear, PaymentBatch, clock
from tests.factories import enrol, make_budget, make_verified
from tests.helpers import csrf_token, login
from tests.report_helpers import flat, pdf_pages, run_report
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.errors import InvalidTransition, MissingReference, NotAllowed
from workflows.exits import terminate_membership
from workflows.year_close import close_budget_year

PREMIUM = 16_800
JANUARY = date(2027, 1, 10)


def _ledger(session, year):
    return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0)).where(
        BudgetLedger.fiscal_year == year))


@pytest.fixture
def paid_half(session, staff):
    """Two participants of 2026 (one covered from February), January to June paid,
    July to December billed but unpaid when the year ends."""
    make_budget(session, staff["admin1"], places=3)
    full = enrol(session, staff, coverage_start=date(2026, 1, 1))[0]
    late = enrol(session, staff, coverage_start=date(2026, 2, 1))[0]
    first = generate_contributions(session, first_month=date(2026, 1, 1), months=6,
                                   actor=staff["cw1"])
    record_payment(session, first, sp2d_number="SP2D-1", sp2d_date=date(2026, 7, 1),
                   invoice_number="INV-1", actor=staff["cw1"])
    second = generate_contributions(session, first_month=date(2026, 7, 1), months=6,
                                    actor=staff["cw1"])
    return full, late, second


@pytest.mark.day(JANUARY)
def test_the_close_releases_what_was_never_billed_and_carries_the_unpaid(session, staff,
                                                                         paid_half):
    full, late, unpaid_batch = paid_half
    make_budget(session, staff["admin1"], year=2027, places=3)
    year = close_budget_year(session, 2026, actor=staff["head"])
    paid = PREMIUM * (6 + 5)  # full: January-June; late: February-June
    assert (year.status, year.closed_by_id) == ("closed", staff["head"].user_id)
    assert year.committed == year.realised == paid == _ledger(session, 2026)
    assert year.released_at_close == 2 * PREMIUM * 12 - paid
    assert year.carried_to_next == PREMIUM * 12  # July-December of both
    following = session.get(BudgetYear, 2027)
    assert following.committed == PREMIUM * 12 == _ledger(session, 2027)
    assert following.places_used == 0  # a liability, not a participant
    assert session.get(PaymentBatch, unpaid_batch.id).fiscal_year == 2027
    assert (session.get(Application, full.id).commitment,
            session.get(Application, late.id).commitment) == (PREMIUM * 6, PREMIUM * 5)
    record_payment(session, session.get(PaymentBatch, unpaid_batch.id), sp2d_number="SP2D-2",
                   sp2d_date=date(2027, 1, 20), invoice_number="INV-2", actor=staff["cw1"])
    assert session.get(BudgetYear, 2027).realised == PREMIUM * 12
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "budget.close")).scalar_one()
    assert f'"payment_batches_moved":[null,[{unpaid_batch.id}]]' in event.diff
    with pytest.raises(InvalidTransition, match="closed"):
        generate_contributions(session, first_month=date(2026, 12, 1), months=1,
                               actor=staff["cw1"])


@pytest.mark.day(JANUARY)
def test_unpaid_months_need_the_next_years_budget(session, staff, paid_half):
    with pytest.raises(MissingReference, match="2027"):
        close_budget_year(session, 2026, actor=staff["head"])
    assert session.get(BudgetYear, 2026).status == "open"


def test_a_year_is_closed_only_when_it_is_over_and_everything_is_decided(session, staff):
    make_budget(session, staff["admin1"])
    with pytest.raises(InvalidTransition, match="not over"):
        close_budget_year(session, 2026, actor=staff["head"])
    make_verified(session, staff["cw1"], staff["cw2"])
    with clock.pinned(JANUARY):
        with pytest.raises(InvalidTransition, match="carried over \\(or declined\\) first"):
            close_budget_year(session, 2026, actor=staff["head"])
        with pytest.raises(NotAllowed):
            close_budget_year(session, 2026, actor=staff["admin1"])


@pytest.mark.day(JANUARY)
def test_the_head_closes_on_the_budget_page_and_the_report_shows_it(app, client, session,
                                                                   staff, paid_half,
                                                                   tmp_path):
    make_budget(session, staff["admin1"], year=2027)
    session.commit()
    login(client, "head")
    page = client.get("/budget/?year=2026").get_data(as_text=True)
    assert 'data-testid="close-year"' in page
    closed = client.post("/budget/close", data={"csrf_token": csrf_token(client, "/budget/"),
                                                "year": "2026"})
    assert closed.status_code == 302
    page = client.get("/budget/?year=2026").get_data(as_text=True)
    assert 'data-testid="year-closed"' in page and 'data-testid="close-year"' not in page
    content = run_report(app, ["budget", "--year", "2026", "--as", "head"], tmp_path / "r.pdf")
    text = flat(" ".join(pdf_pages(content)))
    assert "Rp218.400" in text and "Rp201.600" in text  # released; carried to 2027


@pytest.mark.day(JANUARY)
def test_an_exit_recorded_after_the_close_gives_the_next_year_its_liability_back(
        session, staff, paid_half):
    full = paid_half[0]
    make_budget(session, staff["admin1"], year=2027, places=3)
    close_budget_year(session, 2026, actor=staff["head"])
    before = session.get(BudgetYear, 2026).committed
    terminate_membership(session, session.get(Application, full.id), reason_code="meninggal",
                         date_of_death=date(2026, 10, 28), note="Akta kematian terlambat",
                         actor=staff["cw1"])  # died in October: November on not owed
    closed, following = session.get(BudgetYear, 2026), session.get(BudgetYear, 2027)
    assert closed.committed == before == _ledger(session, 2026)  # settled: nothing moves
    assert following.committed == PREMIUM * 10 == _ledger(session, 2027)  # Nov-Dec given back
