"""Notices to workers through the web layer: the intake's consent checkbox, consent
recorded and withdrawn on the case page, the delivery log under Membership for each
role (the auditor reads, changes nothing), and the retry of a failed notice."""
import json

import pytest
from sqlalchemy import select

from models import AuditEvent, NoticeConsent, Worker, WorkerNotice
from tests.factories import add_documents, load_dtsen, make_application
from tests.helpers import csrf_token, job_result, login
from tests.test_cases_web import INTAKE
from workflows.actor import Actor
from workflows.notices.consent import record_consent
from workflows.notices.delivery import claim, record_delivery
from workflows.verification import submit_application

LOG = "/notices/"


def _post(client, page, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def _consents(session, worker_id):
    session.expire_all()
    return list(session.execute(select(NoticeConsent).where(
        NoticeConsent.worker_id == worker_id).order_by(NoticeConsent.id)).scalars())


@pytest.fixture
def outbox(app, monkeypatch, tmp_path):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setitem(app.config, "NOTICE_GATEWAY", "outbox")
    monkeypatch.setitem(app.config, "NOTICE_OUTBOX_FILE", str(path))
    return path


def test_intake_records_the_consent_ticked_on_the_form(client, session):
    login(client, "cw1")
    form = client.get("/cases/new").get_data(as_text=True)
    assert "Bersedia menerima pemberitahuan lewat SMS/WhatsApp" in form
    refused = _post(client, "/cases/new", "/cases/new",
                    {**INTAKE, "phone": "", "notice_channel": "sms"})
    assert "Isi nomor telepon tujuan pemberitahuan." in refused.get_data(as_text=True)
    assert session.execute(select(Worker).where(Worker.nik == INTAKE["nik"])).first() is None
    saved = _post(client, "/cases/new", "/cases/new",
                  {**INTAKE, "notice_channel": "sms"})
    assert saved.status_code == 302
    worker = session.execute(select(Worker).where(Worker.nik == INTAKE["nik"])).scalar_one()
    [consent] = _consents(session, worker.id)
    assert (consent.channel, consent.phone, consent.withdrawn_at) == ("sms", INTAKE["phone"],
                                                                      None)
    events = [e.action for e in session.execute(select(AuditEvent).where(
        AuditEvent.entity_type == "notice_consent")).scalars()]
    assert events == ["notice.consent_given"]


def test_intake_answered_no_records_no_consent(client, session):
    login(client, "cw1")
    assert _post(client, "/cases/new", "/cases/new", INTAKE).status_code == 302
    worker = session.execute(select(Worker).where(Worker.nik == INTAKE["nik"])).scalar_one()
    assert _consents(session, worker.id) == []


def test_the_case_page_records_and_withdraws_consent_and_lists_notices(client, session, staff):
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 3)])
    submit_application(session, application, actor=staff["cw1"])  # no consent: skipped
    session.commit()
    login(client, "cw2")
    page = f"/cases/{application.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Pemberitahuan ke pekerja (SMS/WhatsApp)" in html
    assert "Belum ada persetujuan menerima pemberitahuan" in html
    assert "Permohonan diterima" in html and "Dilewati (tanpa persetujuan)" in html
    bad = _post(client, page, f"/notices/case/{application.id}/consent",
                {"channel": "whatsapp", "phone": "nomor"})
    assert bad.status_code == 422 and _consents(session, application.worker_id) == []
    done = _post(client, page, f"/notices/case/{application.id}/consent",
                 {"channel": "whatsapp", "phone": "081377778888"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{page}#notices")
    again = _post(client, page, f"/notices/case/{application.id}/consent",
                  {"channel": "whatsapp", "phone": "081377778888"})
    assert again.status_code == 409  # a second click: said so, nothing added
    [consent] = _consents(session, application.worker_id)
    assert consent.recorded_by_id == staff["cw2"].user_id
    html = client.get(page).get_data(as_text=True)
    assert "Bersedia menerima pemberitahuan lewat WhatsApp ke 081377778888" in html
    gone = _post(client, page, f"/notices/case/{application.id}/consent/withdraw")
    assert gone.status_code == 302
    [consent] = _consents(session, application.worker_id)
    assert consent.withdrawn_by_id == staff["cw2"].user_id
    assert _post(client, page, f"/notices/case/{application.id}/consent/withdraw"
                 ).status_code == 409
    actions = [e.action for e in session.execute(select(AuditEvent).where(
        AuditEvent.entity_type == "notice_consent").order_by(AuditEvent.seq)).scalars()]
    assert actions == ["notice.consent_given", "notice.consent_withdrawn"]


def _failed_notice(session, staff):
    """A notice whose delivery was given up (one attempt allowed)."""
    application = make_application(session, staff["cw1"])
    record_consent(session, application.worker, channel="sms", phone="081355554444",
                   actor=staff["cw1"])
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 3)])
    submit_application(session, application, actor=staff["cw1"])
    notice = session.execute(select(WorkerNotice).where(
        WorkerNotice.application_id == application.id)).scalar_one()
    system = Actor.system("scheduler")
    claim(session, notice.id, actor=system)
    record_delivery(session, notice.id, gateway="http", error="HTTP 500", actor=system,
                    max_attempts=1)
    session.commit()
    return notice


@pytest.mark.parametrize("username", ["cw1", "head", "audit1"])
def test_the_delivery_log_for_each_role(client, session, staff, username):
    notice = _failed_notice(session, staff)
    login(client, username)
    response = client.get(LOG)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Pemberitahuan ke pekerja" in html and "Gagal" in html and "HTTP 500" in html
    assert "•••••••••444" in html and "081355554444" not in html
    assert ('data-testid="retry-%d"' % notice.id in html) is (username == "cw1")
    filtered = client.get(f"{LOG}?status=sent").get_data(as_text=True)
    assert f'data-testid="notice-{notice.id}"' not in filtered
    assert f'data-testid="notice-{notice.id}"' in client.get(
        f"{LOG}?status=failed&stage=received").get_data(as_text=True)
    if username != "cw1":  # read-only: the retry and the consent forms are refused
        assert _post(client, LOG, f"{LOG}{notice.id}/retry").status_code == 403
        assert _post(client, LOG, f"/notices/case/{notice.application_id}/consent",
                     {"channel": "sms", "phone": "081300000000"}).status_code == 403
        session.expire_all()
        assert session.get(WorkerNotice, notice.id).status == "failed"


def test_the_admin_does_not_see_the_log(client, session, staff):
    login(client, "admin1")
    assert client.get(LOG).status_code == 403


def test_retry_now_sends_a_failed_notice_through_the_job(client, session, staff, outbox):
    notice = _failed_notice(session, staff)
    login(client, "cw1")
    response = _post(client, LOG, f"{LOG}{notice.id}/retry")
    assert job_result(client, response) == LOG
    session.expire_all()
    notice = session.get(WorkerNotice, notice.id)
    assert (notice.status, notice.attempts) == ("sent", 1)
    [line] = outbox.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["reference"] == f"SIGAP-N{notice.id}"
    again = _post(client, LOG, f"{LOG}{notice.id}/retry")
    assert again.status_code == 409  # sent: nothing to retry
    html = client.get(f"/cases/{notice.application_id}").get_data(as_text=True)
    assert "Terkirim" in html and notice.text in html
