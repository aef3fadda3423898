"""The head proposes (usulan, a frozen list with its hash); the signed Keputusan Wali Kota's
number and date are entered afterwards, and only then are cases approved and money
committed."""
from datetime import date

import pytest
from sqlalchemy import func, select, update

from models import Application, AuditEvent, BudgetLedger, BudgetYear, Decree
from tests.factories import make_budget, make_verified
from tests.helpers import csrf_token, events_since, head_seq, job_file, login
from workflows.approval import (WAITLIST_ACTOR, approve_batch, decline_application,
                                promote_waitlist, send_back_application, sign_decree)
from workflows.budget import revise_budget_year
from workflows.errors import Conflict, InvalidInput, InvalidTransition
from workflows.proposal import propose_batch, withdraw_proposal

SK_DAY = date(2026, 7, 1)


def _cases(session, staff, n):
    return [make_verified(session, staff["cw1"], staff["cw2"], desil=d) for d in range(1, n + 1)]


def _propose(session, staff, cases):
    return propose_batch(session, fiscal_year=2026, application_ids=[c.id for c in cases],
                         actor=staff["head"])


def _fresh(session, application):
    session.expire_all()
    return session.get(Application, application.id)


def test_a_proposal_freezes_the_lists_and_commits_nothing(session, staff):
    make_budget(session, staff["admin1"], places=1)
    first, second = _cases(session, staff, 2)
    seq = head_seq(session)
    proposal = _propose(session, staff, [first, second])
    assert (proposal.status, proposal.proposal_number, proposal.sk_number) == (
        "proposed", "USULAN-2026-001", None)
    assert (proposal.approved_count, proposal.waitlisted_count) == (1, 1)
    assert proposal.total_commitment == 16_800 * 6  # estimate: from the month of proposing
    year = session.get(BudgetYear, 2026)
    assert (year.committed, year.places_used) == (0, 0)
    assert session.scalar(select(func.count()).select_from(BudgetLedger)) == 0
    first, second = _fresh(session, first), _fresh(session, second)
    assert (first.state, second.state) == ("verified", "verified")
    assert first.proposal_id == second.proposal_id == proposal.id
    assert [e.action for e in events_since(session, seq)] == [
        "decree.propose", "application.propose", "application.propose"]


def test_one_proposal_per_year_is_open_at_a_time(session, staff):
    make_budget(session, staff["admin1"], places=3)
    first, second = _cases(session, staff, 2)
    open_one = _propose(session, staff, [first])
    with pytest.raises(Conflict, match=open_one.proposal_number):
        _propose(session, staff, [second])


def test_signing_applies_exactly_the_frozen_lists_and_commits(session, staff):
    make_budget(session, staff["admin1"], places=1)
    first, second = _cases(session, staff, 2)
    proposal = _propose(session, staff, [first, second])
    seq = head_seq(session)
    decree = sign_decree(session, proposal, sk_number="500.15.1/Kep.9-Disnaker/VII/2026",
                         sk_date=SK_DAY, actor=staff["head"])
    assert (decree.status, decree.sk_date, decree.id) == ("signed", SK_DAY, proposal.id)
    first, second = _fresh(session, first), _fresh(session, second)
    assert (first.state, first.decree_id, first.commitment) == ("approved", decree.id, 100_800)
    assert (second.state, second.decree_id) == ("waitlisted", decree.id)
    assert first.proposal_id is None and second.proposal_id is None
    assert session.get(BudgetYear, 2026).committed == 100_800 == decree.total_commitment
    actions = [e.action for e in events_since(session, seq)]
    assert actions[0] == "decree.sign" and sorted(actions[1:]) == [
        "application.approve", "application.waitlist"]


def test_a_listed_case_stays_put_and_signing_refuses_one_that_changed(session, staff):
    make_budget(session, staff["admin1"], places=2)
    first, second = _cases(session, staff, 2)
    proposal = _propose(session, staff, [first, second])
    for verb in (send_back_application, decline_application):
        with pytest.raises(InvalidTransition, match="withdraw the proposal first"):
            verb(session, _fresh(session, second), reason="Cek ulang desil", actor=staff["head"])
    table = Application.__table__
    session.execute(update(table).where(table.c.id == second.id)
                    .values(state="submitted"))  # as if changed behind the proposal's back
    with pytest.raises(Conflict, match=f"{second.id}.*{proposal.proposal_number}"):
        sign_decree(session, proposal, sk_number="SK-X", sk_date=SK_DAY, actor=staff["head"])


def test_signing_says_when_the_budget_no_longer_holds_the_list(session, staff):
    make_budget(session, staff["admin1"], places=2)
    proposal = _propose(session, staff, _cases(session, staff, 2))
    revise_budget_year(session, 2026, appropriation=16_800 * 6, quota=2, reason="APBD-P",
                       actor=staff["admin1"])
    with pytest.raises(Conflict, match="no longer holds the signed list"):
        sign_decree(session, proposal, sk_number="SK-X", sk_date=SK_DAY, actor=staff["head"])


def test_a_withdrawn_proposal_frees_its_cases_and_cannot_be_signed(session, staff):
    make_budget(session, staff["admin1"], places=2)
    first, second = _cases(session, staff, 2)
    proposal = _propose(session, staff, [first, second])
    with pytest.raises(InvalidInput):
        withdraw_proposal(session, proposal, reason=" ", actor=staff["head"])
    withdraw_proposal(session, proposal, reason="Wali Kota minta kuota dibagi per kecamatan",
                      actor=staff["head"])
    assert _fresh(session, first).proposal_id is None
    with pytest.raises(InvalidTransition):
        sign_decree(session, proposal, sk_number="SK-Y", sk_date=SK_DAY, actor=staff["head"])
    again = _propose(session, staff, [first, second])
    assert again.proposal_number == "USULAN-2026-002"


def test_an_sk_number_is_entered_once(session, staff):
    make_budget(session, staff["admin1"], places=3)
    first, second = _cases(session, staff, 2)
    approve_batch(session, fiscal_year=2026, application_ids=[first.id], sk_number="SK-SAMA",
                  sk_date=SK_DAY, actor=staff["head"])
    proposal = _propose(session, staff, [second])
    with pytest.raises(Conflict, match="USULAN-2026-001"):
        sign_decree(session, proposal, sk_number="SK-SAMA", sk_date=SK_DAY, actor=staff["head"])


def test_a_reserve_listed_in_an_open_proposal_is_not_promoted(session, staff):
    make_budget(session, staff["admin1"], places=1)
    first, second, third = _cases(session, staff, 3)
    approve_batch(session, fiscal_year=2026, application_ids=[first.id, second.id, third.id],
                  sk_number="SK-1", sk_date=SK_DAY, actor=staff["head"])
    year = session.get(BudgetYear, 2026)
    year.quota, year.appropriation = 3, 16_800 * 12 * 3
    session.flush()
    _propose(session, staff, [second])
    assert promote_waitlist(session, 2026, trigger="uji", actor=WAITLIST_ACTOR) == 1
    second, third = _fresh(session, second), _fresh(session, third)
    assert (second.state, third.state) == ("waitlisted", "approved")
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.approve",
        AuditEvent.entity_id == str(third.id))).scalar_one()
    assert "SK SK-1, cadangan" in event.reason  # the decree that named the reserve


def test_the_pages_propose_print_and_enter_the_signed_decree(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    case, = _cases(session, staff, 1)
    session.commit()
    login(client, "head")
    proposed = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026",
        "application_id": [str(case.id)]})
    assert proposed.status_code == 302
    page = proposed.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "USULAN-2026-001" in html and 'data-testid="sign-decree"' in html
    assert 'data-testid="print-decree"' in html and 'value="USULAN-2026-001"' in html
    ranking = client.get("/approval/?year=2026").get_data(as_text=True)
    assert 'data-testid="open-proposal"' in ranking and 'data-testid="propose-batch"' not in ranking
    printed = job_file(client, client.post("/reports/decree", data={
        "csrf_token": csrf_token(client, page), "sk_number": "USULAN-2026-001",
        "format": "pdf", "purpose": "Usulan untuk tanda tangan Wali Kota"}))
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    future = client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                               "sk_number": "SK-WEB", "sk_date": "2026-07-11"})
    assert future.status_code == 422 and _fresh(session, case).state == "verified"
    signed = client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                               "sk_number": "SK-WEB", "sk_date": "2026-07-10"})
    assert signed.status_code == 302
    assert "SK SK-WEB" in client.get(page).get_data(as_text=True)
    assert _fresh(session, case).state == "approved"
    assert session.execute(select(Decree.status)).scalar_one() == "signed"


def test_the_auditor_reads_a_proposal_but_has_no_forms(client, session, staff):
    make_budget(session, staff["admin1"])
    proposal = _propose(session, staff, _cases(session, staff, 1))
    session.commit()
    login(client, "audit1")
    html = client.get(f"/approval/decrees/{proposal.id}").get_data(as_text=True)
    assert proposal.proposal_number in html and 'data-testid="sign-decree"' not in html
    assert 'data-testid="withdraw-proposal"' not in html


def test_a_promotion_leaves_the_money_an_open_proposal_counts_on(session, staff):
    make_budget(session, staff["admin1"], places=1, appropriation=16_800 * 6)
    first, second, third = _cases(session, staff, 3)
    approve_batch(session, fiscal_year=2026, application_ids=[first.id, second.id],
                  sk_number="SK-1", sk_date=SK_DAY, actor=staff["head"])
    revise_budget_year(session, 2026, appropriation=16_800 * 12, quota=2, reason="APBD-P",
                       actor=staff["admin1"])
    proposal = _propose(session, staff, [third])  # counts on the six months just added
    assert promote_waitlist(session, 2026, trigger="uji", actor=WAITLIST_ACTOR) == 0
    assert _fresh(session, second).state == "waitlisted"
    sign_decree(session, proposal, sk_number="SK-2", sk_date=SK_DAY, actor=staff["head"])
    assert _fresh(session, third).state == "approved"
