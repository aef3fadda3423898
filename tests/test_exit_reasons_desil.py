"""Participants whose desil rose above the cut-off after a DTSEN update: the list, and
the set-wise exit of those ticked (all or none, in one transaction), verb and page."""
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, BudgetLedger, MembershipExit, clock
from tests.factories import enrol, load_dtsen, make_budget
from tests.helpers import csrf_token, login
from workflows.desil_exits import desil_above_cutoff, end_for_desil
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed

PREMIUM = 16_800


@pytest.fixture
def risen(session, staff):
    """Three participants; the DTSEN update of April puts two above desil 5."""
    make_budget(session, staff["admin1"], places=3)
    members = enrol(session, staff, 3)
    run = load_dtsen(session, staff["cw1"], [(m.worker, d) for m, d in zip(members, (7, 6, 2))],
                     as_of=date(2026, 4, 1))
    return members, run


def test_the_list_names_those_above_the_policy_cut_off(session, staff, risen):
    members, run = risen
    check = desil_above_cutoff(session, clock.today())
    assert check.policy.max_desil == 5 and check.dataset.id == run.id
    assert sorted((r.application_id, r.desil) for r in check.rows) == [
        (members[0].id, 7), (members[1].id, 6)]
    assert all(r.kelurahan and r.full_name for r in check.rows)


def test_the_ticked_memberships_end_together(session, staff, risen):
    members, run = risen
    ended = end_for_desil(session, [members[0].id, members[1].id],
                          effective_month=date(2026, 8, 1), note="Pembaruan DTSEN April",
                          actor=staff["cw2"], on=clock.today())
    assert ended == 2
    for member, desil in zip(members[:2], (7, 6)):
        case = session.get(Application, member.id)
        assert (case.state, case.exit_reason, case.exit_month) == (
            "terminated", "desil_naik", date(2026, 8, 1))
        facts = session.execute(select(MembershipExit).where(
            MembershipExit.application_id == member.id)).scalar_one()
        assert (facts.desil, facts.dtsen_dataset_id) == (desil, run.id)
        assert session.scalar(select(BudgetLedger.amount).where(
            BudgetLedger.application_id == member.id, BudgetLedger.kind == "release")) == (
            -PREMIUM * 5)  # August to December
    assert session.get(Application, members[2].id).state == "enrolled"
    (summary,) = session.execute(select(AuditEvent).where(
        AuditEvent.action == "membership.end_desil_naik")).scalars().all()
    assert json.loads(summary.diff)["applications"] == [None, [members[0].id, members[1].id]]
    assert desil_above_cutoff(session, clock.today()).rows == []


def test_one_case_off_the_list_ends_none(session, staff, risen):
    members, _run = risen
    with pytest.raises(InvalidTransition, match=f"#{members[2].id}"):
        end_for_desil(session, [members[0].id, members[2].id], effective_month=date(2026, 8, 1),
                      note="", actor=staff["cw1"], on=clock.today())
    assert session.scalar(select(func.count()).select_from(Application).where(
        Application.state == "terminated")) == 0


@pytest.mark.parametrize("who", ["head", "audit1", "admin1"])
def test_only_caseworkers_end_for_desil(session, staff, risen, who):
    members, _run = risen
    with pytest.raises(NotAllowed):
        end_for_desil(session, [members[0].id], effective_month=date(2026, 8, 1), note="",
                      actor=staff[who], on=clock.today())


def test_nothing_ticked_or_no_month_is_refused(session, staff, risen):
    members, _run = risen
    with pytest.raises(InvalidInput):
        end_for_desil(session, [], effective_month=date(2026, 8, 1), note="",
                      actor=staff["cw1"], on=clock.today())
    with pytest.raises(InvalidInput):
        end_for_desil(session, [members[0].id], effective_month=None, note="",
                      actor=staff["cw1"], on=clock.today())


def test_the_page_lists_ticks_and_ends(app, client, session, staff, risen):
    members, _run = risen
    session.commit()
    login(client, "audit1")
    html = client.get("/desil-exits/").get_data(as_text=True)
    assert "Desil di atas batas" in html and members[0].worker.full_name in html
    assert 'name="application_id"' not in html  # the auditor reads, never ticks
    assert client.post("/desil-exits/end", data={
        "csrf_token": csrf_token(client, "/desil-exits/"),
        "application_id": str(members[0].id), "effective_month": "2026-08"}).status_code == 403
    client = app.test_client()
    login(client, "cw1")
    html = client.get("/desil-exits/").get_data(as_text=True)
    ticks = re.findall(r'name="application_id" value="(\d+)"', html)
    assert sorted(map(int, ticks)) == sorted([members[0].id, members[1].id])
    token = csrf_token(client, "/desil-exits/")
    refused = client.post("/desil-exits/end", data={
        "csrf_token": token, "application_id": str(members[2].id),
        "effective_month": "2026-08"})
    assert refused.status_code == 409
    assert "Tidak ada kepesertaan yang diakhiri" in refused.get_data(as_text=True)
    done = client.post("/desil-exits/end", data={
        "csrf_token": token, "application_id": ticks, "effective_month": "2026-08",
        "note": "DTSEN April"}, follow_redirects=True)
    assert "2 kepesertaan diakhiri" in done.get_data(as_text=True)
    session.expire_all()
    assert [session.get(Application, m.id).state for m in members] == [
        "terminated", "terminated", "enrolled"]
    reads = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "desil_exits.list"))
    assert reads >= 4  # each showing of the names is an audited read, per participant
