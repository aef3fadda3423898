"""Notices to workers, workflow side: consent recorded and withdrawn (audited), each
stage queueing its template through the real verbs (single steps, the set-wise decree
and the BPJS reply), no consent -> skipped, lapse risk once a month, and no NIK or KK
in any template."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, WorkerNotice, clock
from tests.bpjs_factories import (START, accepted, approved, budget, import_reply, reply_bytes,
                                  sent_batch)
from tests.factories import add_documents, enrol, load_dtsen, make_application, make_budget, \
    make_verified
from tests.helpers import events_since, head_seq
from workflows.actor import Actor
from workflows.approval import approve_batch
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.exits import terminate_membership
from workflows.notices.consent import open_consent, record_consent, withdraw_consent
from workflows.notices.queue import notify_lapse_risk, stage_of
from workflows.notices.templates import CURRENT, TEMPLATES, UnsafeText, first_name, render
from workflows.states import apply_transition
from workflows.verification import return_application, submit_application

NIK_LIKE = re.compile(r"\d{16}")


def _notices(session, application_id=None) -> list[WorkerNotice]:
    session.expire_all()
    stmt = select(WorkerNotice).order_by(WorkerNotice.id)
    if application_id is not None:
        stmt = stmt.where(WorkerNotice.application_id == application_id)
    return list(session.execute(stmt).scalars())


def _consent(session, staff, worker, channel="whatsapp", phone="081234567890"):
    return record_consent(session, worker, channel=channel, phone=phone, actor=staff["cw1"])


# --- consent -------------------------------------------------------------------------

def test_consent_is_recorded_replaced_and_withdrawn_with_audit_events(session, staff):
    worker = make_application(session, staff["cw1"]).worker
    before = head_seq(session)
    consent = _consent(session, staff, worker)
    assert (consent.channel, consent.phone, consent.recorded_by_id) == (
        "whatsapp", "081234567890", staff["cw1"].user_id)
    given = events_since(session, before)
    assert [e.action for e in given] == ["notice.consent_given"]
    assert "081234567890" not in given[0].diff and "hmac:" in given[0].diff  # phone masked

    with pytest.raises(Repeated):  # the same consent twice: said so, nothing added
        _consent(session, staff, worker)
    before = head_seq(session)
    second = _consent(session, staff, worker, channel="sms", phone="+6281299998888")
    assert [e.action for e in events_since(session, before)] == [
        "notice.consent_withdrawn", "notice.consent_given"]
    assert open_consent(session, worker.id).id == second.id

    before = head_seq(session)
    withdrawn = withdraw_consent(session, worker, actor=staff["cw2"])
    assert withdrawn.withdrawn_by_id == staff["cw2"].user_id and withdrawn.withdrawn_at
    assert [e.action for e in events_since(session, before)] == ["notice.consent_withdrawn"]
    assert open_consent(session, worker.id) is None
    with pytest.raises(Repeated):
        withdraw_consent(session, worker, actor=staff["cw2"])


@pytest.mark.parametrize("user", ["head", "audit1", "admin1"])
def test_only_intake_staff_record_or_withdraw_consent(session, staff, user):
    worker = make_application(session, staff["cw1"]).worker
    with pytest.raises(NotAllowed):
        _consent(session, {"cw1": staff[user]}, worker)
    _consent(session, staff, worker)
    with pytest.raises(NotAllowed):
        withdraw_consent(session, worker, actor=staff[user])


def test_consent_needs_a_channel_and_a_phone_number(session, staff):
    worker = make_application(session, staff["cw1"]).worker
    for channel, phone in (("email", "081234567890"), ("sms", ""), ("sms", "12ab")):
        with pytest.raises(InvalidInput):
            _consent(session, staff, worker, channel=channel, phone=phone)


# --- each stage queues its template -------------------------------------------------------

def _submitted(session, staff, *, consent=True):
    application = make_application(session, staff["cw1"])
    if consent:
        _consent(session, staff, application.worker)
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 3)])
    submit_application(session, application, actor=staff["cw1"])
    return application


def test_first_submission_queues_received_and_a_resubmission_nothing(session, staff):
    application = _submitted(session, staff)
    [notice] = _notices(session, application.id)
    assert (notice.stage, notice.template_code, notice.status) == (
        "received", CURRENT["received"], "queued")
    assert notice.worker_id == application.worker_id and notice.next_attempt_at is not None
    return_application(session, application, actor=staff["cw2"], reason="KTP buram")
    submit_application(session, application, actor=staff["cw1"])
    assert len(_notices(session, application.id)) == 1


def test_no_consent_means_the_notice_is_logged_as_skipped(session, staff):
    application = _submitted(session, staff, consent=False)
    [notice] = _notices(session, application.id)
    assert (notice.stage, notice.status, notice.skip_reason) == ("received", "skipped",
                                                                 "no_consent")
    assert notice.next_attempt_at is None and notice.text is None


def test_the_set_wise_decree_queues_approved_for_each_case(session, staff):
    make_budget(session, staff["admin1"], places=3)
    cases = [make_verified(session, staff["cw1"], staff["cw2"]) for _ in range(3)]
    _consent(session, staff, cases[0].worker)
    _consent(session, staff, cases[1].worker, channel="sms")
    approve_batch(session, fiscal_year=2026, application_ids=[a.id for a in cases],
                  sk_number="SK-NOTICE-1", sk_date=date(2026, 7, 1), actor=staff["head"])
    approved_notices = [n for n in _notices(session) if n.stage == "approved"]
    assert {n.application_id: n.status for n in approved_notices} == {
        cases[0].id: "queued", cases[1].id: "queued", cases[2].id: "skipped"}
    assert {n.template_code for n in approved_notices} == {"approved.v1"}


def test_the_bpjs_reply_queues_kpj_issued(session, staff):
    budget(session, staff)
    cases = approved(session, staff, 2)
    _consent(session, staff, cases[0].worker)
    sent_batch(session, staff)
    run = import_reply(session, staff, reply_bytes([accepted(cases[0], 1),
                                                    accepted(cases[1], 2)]))
    assert run.enrolled == 2, run.run.error_report
    issued = {n.application_id: n for n in _notices(session) if n.stage == "kpj_issued"}
    assert {i: n.status for i, n in issued.items()} == {cases[0].id: "queued",
                                                        cases[1].id: "skipped"}
    text = render(issued[cases[0].id].template_code, full_name=cases[0].worker.full_name,
                  application_id=cases[0].id,
                  kpj=session.get(Application, cases[0].id).kpj)
    assert "KPJ 20000000001" in text and START.isoformat() not in text


def test_a_single_enrolment_and_a_termination_queue_kpj_issued_and_ended(session, staff):
    make_budget(session, staff["admin1"], places=1)
    [application] = enrol(session, staff, 1, coverage_start=date(2026, 2, 1))
    _consent(session, staff, application.worker)
    terminate_membership(session, application, reason_code="pindah_domisili",
                         effective_month=date(2026, 9, 1), note="Pindah ke Bogor",
                         actor=staff["cw1"])
    stages = [(n.stage, n.status) for n in _notices(session, application.id)]
    # consent came after enrolment: the card's notice was skipped, the end's is queued
    assert stages == [("received", "skipped"), ("approved", "skipped"),
                      ("kpj_issued", "skipped"), ("ended", "queued")]


def test_ending_as_a_self_payer_queues_how_to_continue(session, staff):
    make_budget(session, staff["admin1"], places=1)
    [application] = enrol(session, staff, 1, coverage_start=date(2026, 2, 1))
    _consent(session, staff, application.worker)
    application.exit_reason, application.exit_month = "peserta_mandiri", date(2026, 9, 1)
    apply_transition(session, application, "terminate", actor=staff["cw1"],
                     reason="peserta_mandiri: lanjut bayar sendiri")
    last = _notices(session, application.id)[-1]
    assert (last.stage, last.template_code) == ("continue_self_payer",
                                                "continue_self_payer.v1")
    text = render(last.template_code, full_name="Siti Aminah", application_id=application.id,
                  month=date(2026, 9, 1))
    assert "mandiri" in text and "NIK" in text and "JMO" in text and "September 2026" in text


def test_the_mapping_of_transitions_to_stages():
    assert stage_of("submit", "draft", None) == "received"
    assert stage_of("submit", "returned", None) is None
    assert stage_of("approve", "verified", None) == stage_of("continue", "approved",
                                                              None) == "approved"
    assert stage_of("enrol", "submitted_to_bpjs", None) == "kpj_issued"
    assert stage_of("terminate", "enrolled", "pindah_domisili") == "ended"
    assert stage_of("terminate", "enrolled", "meninggal") is None  # not to the dead's phone
    assert stage_of("terminate", "enrolled", "peserta_mandiri") == "continue_self_payer"
    for name in ("verify", "return", "reject", "decline", "waitlist", "submit_to_bpjs"):
        assert stage_of(name, "x", None) is None


# --- lapse risk ------------------------------------------------------------------------

def test_lapse_risk_is_queued_once_a_month_per_participant(session, staff):
    make_budget(session, staff["admin1"], places=2)
    near, lapsed = enrol(session, staff, 2, coverage_start=date(2026, 6, 1))
    session.get(Application, lapsed.id).coverage_start = date(2026, 1, 1)  # 7 unpaid months
    _consent(session, staff, near.worker)
    before = head_seq(session)
    assert notify_lapse_risk(session, date(2026, 7, 10), actor=staff["cw1"]) == 1
    assert [e.action for e in events_since(session, before)] == ["notice.lapse_queued"]
    assert notify_lapse_risk(session, date(2026, 7, 17), actor=staff["cw1"]) == 0
    with clock.pinned(date(2026, 8, 3)):
        assert notify_lapse_risk(session, date(2026, 8, 3), actor=staff["cw1"]) == 1
    risk = [n for n in _notices(session) if n.stage == "lapse_risk"]
    assert [(n.application_id, n.period, n.status) for n in risk] == [
        (near.id, date(2026, 7, 1), "queued"), (near.id, date(2026, 8, 1), "queued")]


@pytest.mark.day(date(2026, 12, 31))
def test_lapse_risk_months_hold_across_the_year_end(session, staff):
    """December and January are separate months; 31 Dec and 1 Jan differ."""
    make_budget(session, staff["admin1"], places=1)
    [near] = enrol(session, staff, 1, coverage_start=date(2026, 6, 1))
    session.get(Application, near.id).coverage_start = date(2026, 11, 1)
    with clock.pinned(date(2026, 12, 31)):
        assert notify_lapse_risk(session, date(2026, 12, 31), actor=staff["cw1"]) == 1
        assert notify_lapse_risk(session, date(2026, 12, 31), actor=staff["cw1"]) == 0
    # enrolment in 2026 is over by January, but a participant still at risk is told again
    near = session.get(Application, near.id)
    assert near.state == "enrolled"
    with clock.pinned(date(2027, 1, 1)):
        assert notify_lapse_risk(session, date(2027, 1, 1), actor=staff["cw1"]) == 1
    periods = [n.period for n in _notices(session, near.id) if n.stage == "lapse_risk"]
    assert periods == [date(2026, 12, 1), date(2027, 1, 1)]


# --- the texts ----------------------------------------------------------------------------

def test_every_template_is_short_indonesian_and_never_holds_a_nik(session):
    nik_name = "Budi 3275010108900001 Santoso"  # a NIK typed into the name stays out
    for code, template in TEMPLATES.items():
        text = render(code, full_name=nik_name, application_id=12345, kpj="26000012345",
                      month=date(2026, 2, 1))
        assert not NIK_LIKE.search(text), code
        assert "Yth. Budi," in text and "12345" in text and "Santoso" not in text
        assert len(render(code, full_name="Abdurrahmanxy", application_id=1234567,
                          kpj="26000012345", month=date(2026, 9, 1))) <= 160, code
        assert code.startswith(template.stage + ".v")
    assert set(CURRENT.values()) <= set(TEMPLATES)
    with pytest.raises(UnsafeText):  # a KPJ that is really a NIK is refused
        render("kpj_issued.v1", full_name="Budi", application_id=1, kpj="3275010108900001")
    assert first_name("  ") == "Bapak/Ibu" and first_name("siti aminah") == "siti"


def test_february_29_renders_as_a_month_name():
    text = render("ended.v1", full_name="Ani", application_id=7, month=date(2028, 2, 29))
    assert "Februari 2028" in text


def test_a_notice_still_waiting_when_the_worker_dies_is_skipped_not_sent(session, staff):
    """A lapse-risk notice queued on 10 July; the death is recorded before the sender
    takes it: nothing goes to the phone, and the death itself queues no "ended"."""
    from workflows.exits import record_death
    from workflows.notices.delivery import claim
    make_budget(session, staff["admin1"], places=1)
    (near,) = enrol(session, staff, 1, coverage_start=date(2026, 6, 1))
    _consent(session, staff, near.worker)
    assert notify_lapse_risk(session, date(2026, 7, 10), actor=staff["cw1"]) == 1
    record_death(session, near, date_of_death=date(2026, 7, 2), note="", actor=staff["cw1"])
    [risk] = [n for n in _notices(session, near.id) if n.stage == "lapse_risk"]
    before = head_seq(session)
    assert claim(session, risk.id, actor=Actor.system("notices")) == "skipped"
    assert (risk.status, risk.skip_reason) == ("skipped", "ended")
    assert [e.action for e in events_since(session, before)] == ["notice.skipped"]
    assert "ended" not in [n.stage for n in _notices(session, near.id)]


def test_the_database_holds_one_notice_per_stage_and_application(session, staff):
    """Two racing transitions could each find no "received" yet: the second insert fails."""
    from sqlalchemy.exc import IntegrityError
    application = make_application(session, staff["cw1"])
    first = WorkerNotice(application_id=application.id, worker_id=application.worker_id,
                         stage="received", template_code=CURRENT["received"], status="skipped",
                         skip_reason="no_consent")
    session.add(first)
    session.flush()
    savepoint = session.begin_nested()
    session.add(WorkerNotice(application_id=application.id, worker_id=application.worker_id,
                             stage="received", template_code=CURRENT["received"],
                             status="skipped", skip_reason="no_consent"))
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()
