"""Heads racing for the last places with real connections: the appropriation and
quota hold exactly, every outcome is audited, and a double click approves once."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from models import Application, AuditEvent, BudgetLedger, BudgetYear
from tests.conftest import committed_app
from tests.factories import make_budget, make_staff, make_verified, staff_actors
from workflows.actor import Actor
from workflows.approval import approve_batch
from workflows.audit import verify_chain
from workflows.budget import revise_budget_year
from workflows.errors import WorkflowError
from workflows.reference import load_reference_data

THREADS, PLACES = 20, 7


@pytest.fixture(scope="module")
def race(backend, tmp_path_factory):
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        staff = make_staff(session)
        make_budget(session, staff["admin1"], places=PLACES)
        for _ in range(THREADS):
            make_verified(session, staff["cw1"], staff["cw2"])

    with committed_app(backend, tmp_path_factory.mktemp("race"), "race", setup) as app:
        yield app


def _run_threads(app, work):
    barrier, outcomes = threading.Barrier(THREADS), []
    with app.app_context():
        actor = staff_actors(db.session)["head"]

    def run(n):
        # No query before the barrier: on SQLite an open transaction holds the write lock.
        with app.app_context():
            barrier.wait()
            try:
                work(n, actor)
                db.session.commit()
                outcomes.append("ok")
            except WorkflowError as exc:
                db.session.rollback()
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def test_twenty_heads_racing_never_exceed_quota_or_money(race):
    with race.app_context():
        ids = db.session.execute(select(Application.id).where(
            Application.state == "verified").order_by(Application.id)).scalars().all()
    outcomes = _run_threads(race, lambda n, actor: approve_batch(
        db.session, fiscal_year=2026, application_ids=[ids[n]], sk_number=f"SK-{n:02d}",
        sk_date=date(2026, 1, 5), actor=actor))
    assert outcomes.count("ok") == THREADS
    with race.app_context():
        states = db.session.execute(select(Application.state)).scalars().all()
        assert states.count("approved") == PLACES
        assert states.count("waitlisted") == THREADS - PLACES
        year = db.session.get(BudgetYear, 2026)
        ledger = db.session.scalar(select(func.sum(BudgetLedger.amount)))
        assert year.places_used == PLACES and year.committed == ledger <= year.appropriation
        outcomes_audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["application.approve", "application.waitlist"])))
        assert outcomes_audited == THREADS
        assert verify_chain(db.session).ok


def test_the_same_batch_clicked_twenty_times_is_approved_once(race):
    with race.app_context():
        ids = db.session.execute(select(Application.id).where(
            Application.state == "waitlisted")).scalars().all()
        year = db.session.get(BudgetYear, 2026)
        revise_budget_year(db.session, 2026, appropriation=year.appropriation * 3,
                           quota=year.quota * 3, reason="APBD-Perubahan",
                           actor=staff_actors(db.session)["admin1"])
        db.session.commit()
        before = db.session.scalar(select(func.max(AuditEvent.seq)))
    outcomes = _run_threads(race, lambda n, actor: approve_batch(
        db.session, fiscal_year=2026, application_ids=ids, sk_number="SK-KLIK-GANDA",
        sk_date=date(2026, 1, 5), actor=actor))
    # Each later click waits for the first and hears that this SK is already entered.
    assert outcomes.count("ok") == 1 and outcomes.count("Repeated") == THREADS - 1
    with race.app_context():
        created = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "decree.sign", AuditEvent.seq > before))
        assert created == 1
        assert verify_chain(db.session).ok
