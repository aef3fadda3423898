"""Renewal (lanjutan) into the next budget year: re-check, decree, continuing cover with
the same KPJ, and those who do not continue ending on 31 December."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import (Application, AuditEvent, BudgetYear, ContributionMonth, Decree,
                    EligibilityEvaluation, clock)
from reports.contributions import lapse_list
from tests.factories import add_documents, enrol, make_application, make_budget
from tests.helpers import csrf_token, login
from tests.renewal_factories import dtsen_update, payer_list
from workflows.approval import approve_batch
from workflows.exits import terminate_membership
from workflows.contributions.generation import generate_contributions
from workflows.errors import InvalidTransition, NotAllowed
from workflows.intake import open_application
from workflows.renewal import end_at_year_end, recheck_renewals
from workflows.verification import submit_application, verify_application

OCTOBER, DECEMBER, JANUARY = date(2026, 10, 15), date(2026, 12, 10), date(2027, 1, 5)


def _renewal_of(session, previous):
    session.expire_all()
    return session.execute(select(Application).where(
        Application.renews_id == previous.id)).scalar_one_or_none()


def _rules(session, application) -> dict:
    results = session.execute(select(EligibilityEvaluation.results).where(
        EligibilityEvaluation.application_id == application.id)).scalar_one()
    return {r["rule"]: r for r in json.loads(results)["rules"]}


def _newcomer(session, staff, year_2026, year):
    """A verified applicant of ``year`` in desil 1, in a DTSEN update that keeps the rest."""
    newcomer = make_application(session, staff["cw1"], year=year)
    add_documents(session, newcomer, staff["cw1"])
    dtsen_update(session, staff, [(p.worker, d) for p, d in zip(year_2026, (2, 7, 3, 4, 1))]
                 + [(newcomer.worker, 1)], as_of=date(2026, 10, 2))
    submit_application(session, newcomer, actor=staff["cw1"])
    verify_application(session, newcomer, actor=staff["cw2"])
    return newcomer


@pytest.fixture
def year_2026(session, staff):
    """Five participants of 2026: one stays poor, one's desil rose, one is paid by the
    province now, one is on BPJS's list of active members (the city's own membership),
    one has turned 66 since joining."""
    make_budget(session, staff["admin1"], places=5)
    stays, richer, province, active, older = enrol(session, staff, 5)
    older.worker.birth_date = date(1960, 3, 1)  # 66 in October 2026
    older.worker.nik = f"{older.worker.nik[:6]}010360{older.worker.nik[-4:]}"
    session.flush()
    dtsen_update(session, staff, [(stays.worker, 2), (richer.worker, 7), (province.worker, 3),
                                  (active.worker, 4), (older.worker, 1)])
    payer_list(session, staff, [(province.worker, "PROVINSI"), (active.worker, "BPJS_AKTIF")])
    return stays, richer, province, active, older


@pytest.mark.day(OCTOBER)
def test_the_recheck_opens_a_renewal_for_each_participant_under_the_intake_rules(
        session, staff, year_2026):
    stays, richer, province, active, older = year_2026
    outcome = recheck_renewals(session, year=2027, actor=staff["cw1"])
    assert (outcome.renewals, outcome.eligible) == (5, 3)
    assert outcome.failed == {"desil": 1, "other_payer": 1}
    states = {p.id: _renewal_of(session, p).state for p in year_2026}
    assert states == {stays.id: "verified", richer.id: "submitted", province.id: "submitted",
                      active.id: "verified", older.id: "verified"}
    renewal = _renewal_of(session, older)
    assert (renewal.program_year, renewal.worker_id, renewal.kpj) == (2027, older.worker_id, None)
    rules = _rules(session, renewal)
    assert rules["age"]["expected"] == "continuing member" and rules["age"]["value"] == 66
    assert rules["other_payer"]["passed"]  # BPJS_AKTIF is the city's own membership
    assert _rules(session, _renewal_of(session, province))["other_payer"]["value"] == "PROVINSI"
    events = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.renew")).scalars().all()
    assert len(events) == 5 and all('"renews":[null,' in e.diff for e in events)
    assert recheck_renewals(session, year=2027, actor=staff["cw1"]).renewals == 0  # once


@pytest.mark.day(date(2026, 9, 30))
def test_the_recheck_opens_in_october_and_only_for_caseworkers(session, staff, year_2026):
    with pytest.raises(InvalidTransition, match="2026-10-01"):
        recheck_renewals(session, year=2027, actor=staff["cw1"])
    with clock.pinned(OCTOBER), pytest.raises(NotAllowed):
        recheck_renewals(session, year=2027, actor=staff["head"])


@pytest.mark.day(OCTOBER)
def test_december_decree_continues_the_membership_with_the_same_kpj_from_january(
        session, staff, year_2026):
    stays, richer, province, active, older = year_2026
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    make_budget(session, staff["admin1"], year=2027, places=3)
    newcomer = _newcomer(session, staff, year_2026, 2027)
    ready = [_renewal_of(session, p) for p in (stays, active, older)]
    with clock.pinned(DECEMBER):
        decree = approve_batch(session, fiscal_year=2027,
                               application_ids=[newcomer.id] + [r.id for r in ready],
                               sk_number="500.15.1/Kep.900-Disnaker/XII/2026", sk_date=DECEMBER,
                               actor=staff["head"])
    # Ranked with the new applicant: desil 1 first, then the renewals by desil; the
    # quota of 3 leaves the renewal with the highest desil on the waiting list.
    assert (decree.approved_count, decree.waitlisted_count) == (3, 1)
    session.expire_all()
    continuing = _renewal_of(session, older)  # desil 1
    assert (continuing.state, continuing.kpj, continuing.coverage_start) == (
        "enrolled", older.kpj, date(2027, 1, 1))
    assert continuing.commitment == 16_800 * 12 and continuing.decree_id == decree.id
    assert _renewal_of(session, active).state == "waitlisted"  # desil 4
    assert session.get(Application, newcomer.id).state == "approved"  # registers with BPJS
    year = session.get(BudgetYear, 2027)
    assert year.committed == 16_800 * 12 * 3 and year.places_used == 3
    steps = [t.to_state for t in continuing.transitions]
    assert steps == ["submitted", "verified", "approved", "enrolled"]


@pytest.mark.day(OCTOBER)
def test_december_2026_and_january_2027_months_under_two_decrees_with_one_kpj(
        session, staff, year_2026):
    stays = year_2026[0]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    make_budget(session, staff["admin1"], year=2027, places=5)
    with clock.pinned(DECEMBER):
        decree_2027 = approve_batch(session, fiscal_year=2027,
                                    application_ids=[_renewal_of(session, stays).id],
                                    sk_number="SK-LANJUT-2027", sk_date=DECEMBER,
                                    actor=staff["head"])
        generate_contributions(session, first_month=date(2026, 12, 1), months=1,
                               actor=staff["cw1"])
    with clock.pinned(JANUARY):
        generate_contributions(session, first_month=date(2027, 1, 1), months=1,
                               actor=staff["cw1"])
    renewal = _renewal_of(session, stays)
    months = session.execute(
        select(ContributionMonth.month, Application.kpj, Application.decree_id)
        .join(Application, Application.id == ContributionMonth.application_id)
        .where(Application.worker_id == stays.worker_id,
               ContributionMonth.month.in_([date(2026, 12, 1), date(2027, 1, 1)]))
        .order_by(ContributionMonth.month)).all()
    decree_2026 = session.get(Application, stays.id).decree_id
    assert months == [(date(2026, 12, 1), stays.kpj, decree_2026),
                      (date(2027, 1, 1), stays.kpj, decree_2027.id)]
    assert decree_2026 != decree_2027.id and renewal.kpj == stays.kpj
    assert session.get(Decree, decree_2026).fiscal_year == 2026


@pytest.mark.day(OCTOBER)
def test_a_renewal_decided_too_late_registers_again_at_bpjs(session, staff, year_2026):
    stays = year_2026[0]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    make_budget(session, staff["admin1"], year=2027)
    with clock.pinned(date(2027, 4, 2)):  # January to April unpaid: the membership lapsed
        approve_batch(session, fiscal_year=2027, application_ids=[_renewal_of(session, stays).id],
                      sk_number="SK-TERLAMBAT", sk_date=date(2027, 4, 2), actor=staff["head"])
    renewal = _renewal_of(session, stays)
    assert (renewal.state, renewal.kpj, renewal.commitment) == ("approved", None, 16_800 * 9)


@pytest.mark.day(OCTOBER)
def test_those_who_do_not_continue_end_on_31_december(session, staff, year_2026):
    stays, richer = year_2026[:2]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    with pytest.raises(InvalidTransition, match="still open to the decree"):
        end_at_year_end(session, stays, year=2027, reason_code="akhir_tahun_program",
                        note="Kuota 2027", actor=staff["cw1"])
    end_at_year_end(session, richer, year=2027, reason_code="tidak_memenuhi_syarat",
                    note="Desil naik menjadi 7 (DTSEN Oktober 2026)", actor=staff["cw1"])
    richer = session.get(Application, richer.id)
    assert (richer.state, richer.exit_reason, richer.exit_month) == (
        "terminated", "tidak_memenuhi_syarat", date(2027, 1, 1))
    assert _renewal_of(session, richer).state == "rejected"
    with clock.pinned(DECEMBER):  # December is still paid for
        batch = generate_contributions(session, first_month=date(2026, 12, 1), months=1,
                                       actor=staff["cw1"])
    assert batch.participant_count == 5


@pytest.mark.day(OCTOBER)
def test_the_lapse_list_follows_the_membership_into_its_renewal(session, staff, year_2026):
    stays, richer = year_2026[:2]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    make_budget(session, staff["admin1"], year=2027)
    with clock.pinned(DECEMBER):
        approve_batch(session, fiscal_year=2027, application_ids=[_renewal_of(session, stays).id],
                      sk_number="SK-LAPSE", sk_date=DECEMBER, actor=staff["head"])
    listed = {w.application_id for w in lapse_list(session, date(2027, 3, 10))}
    assert stays.id not in listed and _renewal_of(session, stays).id in listed
    assert richer.id in listed  # neither continued nor ended: it is about to lapse


@pytest.mark.day(OCTOBER)
def test_the_worklist_page_rechecks_and_ends(client, session, staff, year_2026):
    richer = year_2026[1]
    session.commit()
    login(client, "cw1")
    page = client.get("/renewal/").get_data(as_text=True)
    assert 'name="year" value="2027"' in page and 'data-figure="unchecked">5' in page
    done = client.post("/renewal/recheck", data={"csrf_token": csrf_token(client, "/renewal/"),
                                                 "year": "2027"})
    assert done.status_code == 302
    page = client.get("/renewal/?year=2027").get_data(as_text=True)
    assert 'data-figure="ready">3' in page and 'data-figure="failed">2' in page
    assert f'data-previous="{richer.id}"' in page
    renewal = _renewal_of(session, richer)
    case = client.get(f"/cases/{richer.id}").get_data(as_text=True)
    assert f'href="/cases/{renewal.id}"' in case.split('data-testid="continued-by"')[1][:80]
    case = client.get(f"/cases/{renewal.id}").get_data(as_text=True)
    assert f'href="/cases/{richer.id}"' in case.split('data-testid="continues"')[1][:80]
    ended = client.post(f"/renewal/{richer.id}/end", data={
        "csrf_token": csrf_token(client, "/renewal/"), "year": "2027",
        "exit_reason": "tidak_memenuhi_syarat", "note": "Desil naik"})
    assert ended.status_code == 302
    assert 'data-figure="ended">1' in client.get("/renewal/?year=2027").get_data(as_text=True)


@pytest.mark.day(OCTOBER)
def test_ending_at_the_year_end_frees_no_place_before_it(session, staff, year_2026):
    richer = year_2026[1]
    year = session.get(BudgetYear, 2026)
    reserve = _newcomer(session, staff, year_2026, 2026)
    approve_batch(session, fiscal_year=2026, application_ids=[reserve.id], sk_number="SK-R",
                  sk_date=date(2026, 10, 1), actor=staff["head"])
    assert session.get(Application, reserve.id).state == "waitlisted"  # all five places taken
    places = year.places_used
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    end_at_year_end(session, session.get(Application, richer.id), year=2027,
                    reason_code="tidak_memenuhi_syarat", note="Desil naik", actor=staff["cw1"])
    session.expire_all()
    # Covered to December: the place is still theirs, nobody is promoted into it.
    assert session.get(BudgetYear, 2026).places_used == places
    assert session.get(Application, reserve.id).state == "waitlisted"


@pytest.mark.day(OCTOBER)
def test_a_promoted_renewal_continues_and_the_log_keeps_no_kpj(session, staff, year_2026):
    stays, active = year_2026[0], year_2026[3]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    # One place, and money enough for a reserve continuing from January later on.
    make_budget(session, staff["admin1"], year=2027, places=1, appropriation=16_800 * 24)
    with clock.pinned(DECEMBER):
        approve_batch(session, fiscal_year=2027,
                      application_ids=[_renewal_of(session, p).id for p in (stays, active)],
                      sk_number="SK-1-2027", sk_date=DECEMBER, actor=staff["head"])
    with clock.pinned(date(2027, 2, 3)):
        terminate_membership(session, _renewal_of(session, stays), reason_code="pindah_domisili",
                             effective_month=date(2027, 2, 1), note="Pindah ke Depok",
                             actor=staff["cw1"])
    waiting = _renewal_of(session, active)  # promoted from the waiting list, within 3 months
    assert (waiting.state, waiting.kpj, waiting.coverage_start) == (
        "enrolled", active.kpj, date(2027, 1, 1))
    diffs = session.execute(select(AuditEvent.diff).where(
        AuditEvent.entity_id == str(waiting.id))).scalars().all()
    assert not any(active.kpj in d for d in diffs)


@pytest.mark.day(OCTOBER)
def test_a_membership_continues_only_from_the_year_right_before(session, staff, year_2026):
    stays = year_2026[0]
    recheck_renewals(session, year=2027, actor=staff["cw1"])
    renewal = _renewal_of(session, stays)
    renewal.program_year = 2028  # as if left undecided and carried over a year later
    session.flush()
    make_budget(session, staff["admin1"], year=2028)
    with clock.pinned(date(2027, 12, 1)):
        approve_batch(session, fiscal_year=2028, application_ids=[renewal.id],
                      sk_number="SK-2028", sk_date=date(2027, 12, 1), actor=staff["head"])
    assert (_renewal_of(session, stays).state, _renewal_of(session, stays).kpj) == (
        "approved", None)  # nothing was paid for 2027: it registers with BPJS again


@pytest.mark.day(OCTOBER)
def test_a_participant_takes_the_renewal_not_a_second_intake(client, session, staff,
                                                             year_2026):
    stays = year_2026[0]
    fresh = open_application(session, stays.worker, program_year=2027,
                             intake_channel="walk_in", actor=staff["cw1"])
    add_documents(session, fresh, staff["cw1"])
    submit_application(session, fresh, actor=staff["cw1"])
    assert _rules(session, fresh)["other_payer"]["value"] == f"SIGAP #{stays.id}"
    session.commit()
    login(client, "cw1")
    page = client.get("/renewal/?year=2027").get_data(as_text=True)
    assert 'data-figure="unchecked">4' in page and f'data-previous="{stays.id}"' in page
