"""The lapse rule (more than 3 consecutive unpaid months: nonaktif) at its boundary, on
the days months and years turn, and reactivation when the late payment arrives."""
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, AuditEvent, ContributionMonth, MembershipStatus, clock
from reports.contributions import lapse_list
from tests.factories import enrol, make_budget
from tests.membership_factories import generate, pay, row_of, status_csv
from workflows.actor import Actor
from workflows.contributions.payment import record_payment
from workflows.errors import NotAllowed
from workflows.membership.lapse import mark_lapsed, update_lapses
from workflows.membership.status_import import import_bpjs_status


def _lapsed(session, application) -> bool:
    record = session.execute(select(MembershipStatus).where(
        MembershipStatus.worker_id == application.worker_id)).scalar_one_or_none()
    return record is not None and record.lapsed


def _events(session, action) -> list[AuditEvent]:
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _unpay(session, application, *months) -> None:
    for month in months:
        session.execute(ContributionMonth.__table__.update().where(
            ContributionMonth.application_id == application.id,
            ContributionMonth.month == month).values(status="due"))


@pytest.fixture
def two(session, staff):
    """Two participants from January, both paid January to September; the second's
    September taken back, so it is paid through August."""
    make_budget(session, staff["admin1"], places=2)
    three, four = enrol(session, staff, 2)
    for first in (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)):
        pay(session, staff, first, 3)
    _unpay(session, four, date(2026, 9, 1))
    return three, four


@pytest.mark.day(date(2026, 12, 31))
def test_on_31_december_three_unpaid_months_are_not_yet_a_lapse(session, staff, two):
    three, four = two  # October to December unpaid / September to December unpaid
    assert mark_lapsed(session, today=clock.today(), actor=staff["cw1"]) == 1
    assert (_lapsed(session, three), _lapsed(session, four)) == (False, True)
    # The same rule as the lapse warnings on the contributions page.
    warned = {w.application_id: w.lapsed for w in lapse_list(session, clock.today())}
    assert warned == {three.id: False, four.id: True}
    event = _events(session, "membership.lapse")
    assert len(event) == 1 and '"months_unpaid":[null,4]' in event[0].diff
    assert '"paid_through":[null,"2026-08"]' in event[0].diff
    assert session.get(Application, four.id).state == "enrolled"


@pytest.mark.day(date(2027, 1, 1))
def test_on_1_january_the_fourth_month_lapses(session, staff, two):
    three, four = two
    assert mark_lapsed(session, today=clock.today(), actor=Actor.system("scheduler")) == 2
    assert _lapsed(session, three) and _lapsed(session, four)
    record = session.execute(select(MembershipStatus).where(
        MembershipStatus.worker_id == three.worker_id)).scalar_one()
    assert (record.lapse_reason, record.lapsed_on, record.bpjs_status) == (
        "unpaid", date(2027, 1, 1), None)
    events = _events(session, "membership.lapse")
    assert len(events) == 2 and {e.actor_name for e in events} == {"system:scheduler"}
    # A second run the same day finds nobody and writes nothing.
    assert mark_lapsed(session, today=clock.today(), actor=staff["cw1"]) == 0
    assert len(_events(session, "membership.lapse")) == 2


@pytest.mark.day(date(2028, 2, 29))
def test_on_29_february_months_bpjs_shows_paid_count_as_paid(session, staff):
    make_budget(session, staff["admin1"], places=2)
    near, over = enrol(session, staff, 2)
    # Paid at BPJS through November / October 2027 (nothing recorded paid here).
    import_bpjs_status(session, status_csv([row_of(near, "AKTIF", "2027-11"),
                                            row_of(over, "AKTIF", "2027-10")]),
                       file_name="status.csv", as_of=date(2028, 2, 28), actor=staff["cw1"])
    assert mark_lapsed(session, today=clock.today(), actor=staff["cw1"]) == 1
    assert (_lapsed(session, near), _lapsed(session, over)) == (False, True)


def test_only_caseworkers_or_the_scheduler_mark_lapses(session, staff, two):
    for actor in ("head", "audit1", "admin1"):
        with pytest.raises(NotAllowed):
            mark_lapsed(session, today=date(2027, 1, 1), actor=staff[actor])
    assert not _events(session, "membership.lapse")


def test_the_late_payment_reactivates_once_the_arrears_are_paid(session, staff):
    """Today 10 July 2026: paid through March, April to July unpaid (4 months)."""
    make_budget(session, staff["admin1"], places=1)
    member = enrol(session, staff, 1)[0]
    pay(session, staff, date(2026, 1, 1), 3)
    assert update_lapses(session, today=clock.today(), actor=staff["cw1"]) == (1, 0)
    pay(session, staff, date(2026, 4, 1), 1)  # April only: May to July still open
    assert _lapsed(session, member) and not _events(session, "membership.reactivate")
    pay(session, staff, date(2026, 5, 1), 3)  # May to July: the arrears are paid
    assert not _lapsed(session, member)
    event = _events(session, "membership.reactivate")
    assert len(event) == 1 and event[0].actor_name == "cw1"
    assert '"reactivated_by":[null,"payment"]' in event[0].diff
    assert '"paid_through":[null,"2026-07"]' in event[0].diff
    record = session.execute(select(MembershipStatus).where(
        MembershipStatus.worker_id == member.worker_id)).scalar_one()
    assert (record.lapse_reason, record.reactivated_on) == (None, clock.today())
    assert update_lapses(session, today=clock.today(), actor=staff["cw1"]) == (0, 0)


def test_a_payment_leaves_those_still_in_arrears_lapsed(session, staff):
    make_budget(session, staff["admin1"], places=2)
    paid, unpaid = enrol(session, staff, 2)
    pay(session, staff, date(2026, 1, 1), 3)
    generate(session, staff, date(2026, 4, 1), 3)
    assert mark_lapsed(session, today=clock.today(), actor=staff["cw1"]) == 2
    batch = generate(session, staff, date(2026, 7, 1), 1)
    # The first one's April to June paid meanwhile (another batch); the second's not.
    session.execute(ContributionMonth.__table__.update().where(
        ContributionMonth.application_id == paid.id,
        ContributionMonth.month < date(2026, 7, 1)).values(status="paid"))
    record_payment(session, batch, sp2d_number="SP2D-JUL", sp2d_date=date(2026, 7, 9),
                   invoice_number="INV-JUL", actor=staff["cw1"])
    assert (_lapsed(session, paid), _lapsed(session, unpaid)) == (False, True)


def test_the_scheduler_runs_the_daily_lapse_as_a_job(app, session, staff):
    import json

    from caseapp.jobs.periodic import SCHEDULE, run_scheduled
    from models import Job

    assert "membership.lapse" in SCHEDULE
    make_budget(session, staff["admin1"], places=1)
    member = enrol(session, staff, 1)[0]  # nothing paid since January: lapsed in July
    session.commit()
    job = session.get(Job, run_scheduled(app, app.extensions["caseapp_jobs"].huey,
                                         "membership.lapse"))
    assert (job.status, job.started_by_id) == ("done", None)
    assert json.loads(job.outcome)["message"] == (
        "%(lapsed)d membership(s) lapsed, %(reactivated)d reactivated.")
    session.expire_all()
    assert _lapsed(session, member)
    event = _events(session, "membership.lapse")
    assert len(event) == 1 and event[0].actor_name == "system:scheduler"
