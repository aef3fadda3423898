"""Ending a membership releases the rest of its commitment and moves the waitlist up."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, BudgetLedger, BudgetYear, ContributionMonth
from tests.factories import enrol, kpj_of, make_budget, make_verified
from workflows.approval import approve_batch
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.exits import terminate_membership


def _ledger(session):
    return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0)))


@pytest.mark.day(date(2026, 9, 15))  # the reserve is promoted for September to December
def test_termination_releases_the_months_left_and_promotes_the_reserve(session, staff):
    make_budget(session, staff["admin1"], places=1)
    (member,) = enrol(session, staff, coverage_start=date(2026, 2, 1), sk_date=date(2026, 1, 10))
    assert member.commitment == 16_800 * 12  # SK in January: twelve months committed
    reserve = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[reserve.id], sk_number="SK-2",
                  sk_date=date(2026, 2, 1), actor=staff["head"])
    assert session.get(Application, reserve.id).state == "waitlisted"
    session.add(ContributionMonth(application_id=member.id, month=date(2026, 9, 1),
                                  amount=16_800, status="due"))
    session.flush()
    released = terminate_membership(session, session.get(Application, member.id),
                                    reason_code="pekerja_formal",
                                    effective_month=date(2026, 9, 15), note="Diterima di pabrik",
                                    actor=staff["cw2"])
    assert released == 16_800 * 4  # September to December
    member = session.get(Application, member.id)
    assert (member.state, member.exit_reason, member.exit_month) == (
        "terminated", "pekerja_formal", date(2026, 9, 1))
    assert member.commitment == 16_800 * 8
    assert session.scalar(select(func.count()).select_from(ContributionMonth).where(
        ContributionMonth.application_id == member.id)) == 0
    promoted = session.get(Application, reserve.id)
    assert promoted.state == "approved"
    year = session.get(BudgetYear, 2026)
    assert year.committed == _ledger(session) and year.places_used == 1
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.terminate")).scalar_one()
    assert event.reason.startswith("pekerja_formal") and event.actor_name == "cw2"


@pytest.mark.parametrize("changes,error", [
    ({"reason_code": "bosan"}, InvalidInput),
    ({"effective_month": date(2026, 1, 1)}, InvalidInput),  # before coverage started
])
def test_bad_termination_input_changes_nothing(session, staff, changes, error):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, coverage_start=date(2026, 2, 1))
    arguments = {"reason_code": "meninggal", "effective_month": date(2026, 5, 1), "note": "",
                 **changes}
    with pytest.raises(error):
        terminate_membership(session, member, actor=staff["cw1"], **arguments)
    assert session.get(Application, member.id).state == "enrolled"


def test_only_caseworkers_end_only_enrolled_memberships(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, coverage_start=date(2026, 2, 1))
    with pytest.raises(NotAllowed):
        terminate_membership(session, member, reason_code="meninggal",
                             effective_month=date(2026, 5, 1), note="", actor=staff["head"])
    verified = make_verified(session, staff["cw1"], staff["cw2"])
    with pytest.raises(InvalidTransition):
        terminate_membership(session, verified, reason_code="meninggal",
                             effective_month=date(2026, 5, 1), note="", actor=staff["cw1"])


def test_case_page_ends_a_membership(client, session, staff):
    from tests.helpers import csrf_token, login
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, coverage_start=date(2026, 2, 1))
    session.commit()
    login(client, "cw2")
    page = f"/cases/{member.id}"
    html = client.get(page).get_data(as_text=True)
    assert kpj_of(member.id) in html and 'data-testid="terminate"' in html
    # Nothing is chosen for the caseworker: a death must be picked, never defaulted to.
    reasons = re.search(r'data-testid="exit-reason">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r"<option[^>]*selected[^>]*>", reasons) == [
        '<option value="" selected disabled>']
    token = csrf_token(client, page)
    bad = client.post(f"{page}/terminate", data={"csrf_token": token, "exit_reason": "meninggal",
                                                 "effective_month": "bulan depan"})
    assert bad.status_code == 422  # a death needs its date (the month follows from it)
    done = client.post(f"{page}/terminate", data={"csrf_token": token, "exit_reason": "meninggal",
                                                  "date_of_death": "2026-06-20", "note": "Akta"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Application, member.id).state == "terminated"
