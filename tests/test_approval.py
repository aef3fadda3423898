"""Approval within the appropriation and quota: decrees, ranking, waitlist, releases."""
import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from models import (Application, AuditEvent, BudgetLedger, BudgetQuota, BudgetYear, Decree)
from tests.factories import make_budget, make_submitted, make_verified
from workflows.approval import approve_batch, decline_application, send_back_application
from workflows.errors import (Conflict, InvalidInput, InvalidTransition, MissingReference,
                             NotAllowed)
from workflows.ranking import ranking

SK_DAY = date(2026, 7, 1)  # six months left in 2026: Rp16.800 x 6 = Rp100.800


def _verified(session, staff, n, **fields):
    return [make_verified(session, staff["cw1"], staff["cw2"], **fields) for _ in range(n)]


def _ledger_sum(session, year=2026):
    return session.scalar(select(func.coalesce(func.sum(BudgetLedger.amount), 0)).where(
        BudgetLedger.fiscal_year == year))


def _approve(session, staff, apps, sk="SK-001", **kwargs):
    return approve_batch(session, fiscal_year=2026, application_ids=[a.id for a in apps],
                         sk_number=sk, sk_date=kwargs.pop("sk_date", SK_DAY),
                         actor=kwargs.pop("actor", staff["head"]))


def test_batch_commits_premium_times_months_left_and_waitlists_the_rest(session, staff):
    make_budget(session, staff["admin1"], appropriation=100_800 * 2, places=5)
    apps = _verified(session, staff, 3)
    decree = _approve(session, staff, apps)
    states = [session.get(Application, a.id).state for a in apps]
    assert states.count("approved") == 2 and states.count("waitlisted") == 1
    year = session.get(BudgetYear, 2026)
    assert year.committed == 201_600 == _ledger_sum(session) and year.places_used == 2
    assert decree.approved_count == 2 and decree.waitlisted_count == 1
    assert decree.snapshot_sha256 == hashlib.sha256(decree.snapshot.encode()).hexdigest()
    approved = session.execute(select(Application).where(
        Application.state == "approved")).scalars().all()
    assert {a.commitment for a in approved} == {100_800}
    assert all(a.decree_id == decree.id and a.approved_by_id for a in approved)
    actions = session.execute(select(AuditEvent.action).where(
        AuditEvent.action.like("application.%") | AuditEvent.action.like("decree.%"))
        .where(AuditEvent.action.notin_(["application.open", "application.submit",
                                         "application.verify"]))
        .order_by(AuditEvent.seq)).scalars().all()
    assert actions == ["decree.propose"] + ["application.propose"] * 3 + ["decree.sign"] + \
        sorted(["application.approve", "application.approve", "application.waitlist"])


def test_quota_limits_as_well_as_money(session, staff):
    make_budget(session, staff["admin1"], places=1, appropriation=10_000_000)
    apps = _verified(session, staff, 2)
    decree = _approve(session, staff, apps)
    assert (decree.approved_count, decree.waitlisted_count) == (1, 1)


def test_kecamatan_split_quota_is_respected(session, staff):
    make_budget(session, staff["admin1"], places=10)
    session.add(BudgetQuota(fiscal_year=2026, dimension="kecamatan", key="327501", quota=1))
    apps = _verified(session, staff, 2)  # both in Bekasi Timur (factory default)
    decree = _approve(session, staff, apps)
    assert (decree.approved_count, decree.waitlisted_count) == (1, 1)


def test_ranking_puts_lower_desil_and_priority_factors_first(session, staff):
    make_budget(session, staff["admin1"], places=1)
    late_poor = make_verified(session, staff["cw1"], staff["cw2"], desil=1)
    early = make_verified(session, staff["cw1"], staff["cw2"], desil=3)
    head_of_household = make_verified(session, staff["cw1"], staff["cw2"], desil=3)
    session.get(Application, head_of_household.id).worker.female_head_of_household = True
    session.flush()
    order = [c.application_id for c in ranking(session, 2026)]
    assert order == [late_poor.id, head_of_household.id, early.id]
    reasons = {c.application_id: c.reason for c in ranking(session, 2026)}
    assert "desil 1" in reasons[late_poor.id]
    decree = _approve(session, staff, [early, head_of_household, late_poor])
    assert session.get(Application, late_poor.id).state == "approved"
    reserve = json.loads(decree.snapshot)["reserve"]
    assert [r["application"] for r in reserve] == [head_of_household.id, early.id]


def test_decline_of_an_approved_case_releases_and_moves_the_waitlist_up(session, staff):
    make_budget(session, staff["admin1"], places=1)
    first, second = _verified(session, staff, 2)
    _approve(session, staff, [first, second])
    approved = [a for a in (first, second) if session.get(Application, a.id).state == "approved"]
    waiting = [a for a in (first, second) if a not in approved][0]
    with pytest.raises(InvalidInput):
        decline_application(session, session.get(Application, approved[0].id), reason="",
                            actor=staff["head"])
    decline_application(session, session.get(Application, approved[0].id),
                        reason="Ternyata pekerja formal", actor=staff["head"])
    assert session.get(Application, approved[0].id).state == "declined"
    promoted = session.get(Application, waiting.id)
    assert promoted.state == "approved" and promoted.commitment > 0
    year = session.get(BudgetYear, 2026)
    assert year.places_used == 1 and year.committed == _ledger_sum(session) == promoted.commitment
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.approve", AuditEvent.entity_id == str(promoted.id))
    ).scalar_one()
    assert event.actor_name == "system:waitlist" and "cadangan" in event.reason


def test_refusals_change_nothing(session, staff):
    make_budget(session, staff["admin1"], places=5)
    verified = _verified(session, staff, 1)
    submitted = make_submitted(session, staff["cw1"])
    with pytest.raises(InvalidTransition):
        _approve(session, staff, verified + [submitted])
    with pytest.raises(NotAllowed):
        _approve(session, staff, verified, actor=staff["cw2"])
    with pytest.raises(NotAllowed):  # cwhead took nothing in, but verify it: make one
        _approve(session, staff, [make_verified(session, staff["cw1"], staff["cwhead"])],
                 actor=staff["cwhead"])
    with pytest.raises(InvalidInput):
        _approve(session, staff, verified, sk=" ")
    _approve(session, staff, verified, sk="SK-UNIK")
    with pytest.raises(Conflict):
        _approve(session, staff, _verified(session, staff, 1), sk="SK-UNIK")
    assert session.scalar(select(func.count()).select_from(Decree)) == 1
    assert session.get(BudgetYear, 2026).committed == _ledger_sum(session)


def test_double_click_approves_once(session, staff):
    make_budget(session, staff["admin1"], places=5)
    apps = _verified(session, staff, 2)
    _approve(session, staff, apps, sk="SK-A")
    with pytest.raises(InvalidTransition):
        _approve(session, staff, apps, sk="SK-B")
    assert session.get(BudgetYear, 2026).places_used == 2


def test_closed_year_and_missing_year_refuse(session, staff):
    apps = _verified(session, staff, 1)
    with pytest.raises(MissingReference, match="no budget for 2026"):
        _approve(session, staff, apps)
    make_budget(session, staff["admin1"]).status = "closed"
    session.flush()
    with pytest.raises(InvalidTransition):
        _approve(session, staff, apps)


def test_send_back_returns_a_reserve_to_verification(session, staff):
    make_budget(session, staff["admin1"], places=0, appropriation=0)
    (application,) = _verified(session, staff, 1)
    _approve(session, staff, [application])
    application = session.get(Application, application.id)
    assert application.state == "waitlisted"
    send_back_application(session, application, reason="Cek ulang desil", actor=staff["head"])
    assert application.state == "submitted" and application.decree_id is None
