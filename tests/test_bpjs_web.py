"""The BPJS registration page: list, create, download, mark sent, cancel, reply upload."""
import hashlib
import io

import pytest
from sqlalchemy import select

from models import Application, AuditEvent, ImportRun, RegistrationBatch
from tests.bpjs_factories import (YEAR, accepted, approved, budget, new_batch, reply_bytes,
                                  sent_batch)
from tests.helpers import csrf_token, job_result, login

PAGE = f"/bpjs/?year={YEAR}"
PURPOSE = {"purpose": "Pendaftaran peserta ke BPJS Ketenagakerjaan"}


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, PAGE), **(data or {})},
                       **kwargs)


def _batch(session):
    session.expire_all()
    return session.execute(select(RegistrationBatch).order_by(RegistrationBatch.id.desc())
                           ).scalars().first()


@pytest.fixture
def two_approved(session, staff):
    budget(session, staff)
    cases = approved(session, staff, 2)
    session.commit()
    return cases


def test_caseworker_creates_downloads_and_marks_a_batch_sent(client, session, two_approved):
    login(client, "cw1")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-testid="waiting"' in page and ">2 " in page.split('data-testid="waiting"')[1]
    assert client.post("/bpjs/batches", data={"year": str(YEAR)}).status_code == 400  # no CSRF
    assert _batch(session) is None
    created = _post(client, "/bpjs/batches", {"year": str(YEAR)})
    assert created.status_code == 302
    batch = _batch(session)
    assert batch.row_count == 2 and batch.status == "prepared"
    listing = client.get(PAGE).get_data(as_text=True)
    assert batch.batch_number in listing and batch.csv_sha256 in listing
    assert batch.xlsx_sha256 in listing
    for file_format, digest in (("csv", batch.csv_sha256), ("xlsx", batch.xlsx_sha256)):
        first = _post(client, f"/bpjs/batches/{batch.id}/{file_format}", PURPOSE)
        second = _post(client, f"/bpjs/batches/{batch.id}/{file_format}", PURPOSE)
        assert first.status_code == second.status_code == 200
        assert first.data == second.data and hashlib.sha256(first.data).hexdigest() == digest
        assert f"{batch.batch_number}.{file_format}" in first.headers["Content-Disposition"]
    reads = session.execute(select(AuditEvent).where(
        AuditEvent.action == "bpjs.batch_download")).scalars().all()
    assert len(reads) == 4 and {e.actor_name for e in reads} == {"cw1"}
    assert _post(client, f"/bpjs/batches/{batch.id}/pdf", PURPOSE).status_code == 404
    assert _post(client, f"/bpjs/batches/{batch.id}/sent").status_code == 302
    assert _batch(session).status == "sent"
    late = _post(client, f"/bpjs/batches/{batch.id}/cancel", {"reason": "salah kirim"})
    assert late.status_code == 409 and batch.batch_number in late.get_data(as_text=True)
    assert {a.state for a in session.execute(select(Application)).scalars()} == {
        "submitted_to_bpjs"}


def test_cancel_needs_a_reason_and_restores_approved(client, session, staff, two_approved):
    batch = new_batch(session, staff)
    session.commit()
    login(client, "cw2")
    assert _post(client, f"/bpjs/batches/{batch.id}/cancel", {"reason": ""}).status_code == 422
    assert _batch(session).status == "prepared"
    done = _post(client, f"/bpjs/batches/{batch.id}/cancel", {"reason": "Data HP salah"})
    assert done.status_code == 302
    assert _batch(session).status == "cancelled"
    assert {a.state for a in session.execute(select(Application)).scalars()} == {"approved"}
    assert _post(client, "/bpjs/batches/999999/sent").status_code == 404


def test_reply_upload_enrols_and_a_bad_one_leaves_a_report(client, session, staff,
                                                           two_approved):
    first, second = two_approved
    sent_batch(session, staff)
    session.commit()
    login(client, "cw1")
    bad = reply_bytes([accepted(first, 1), [second.worker.nik, "123", "DITERIMA", "",
                                            f"{YEAR}-08-01"]])
    response = _post(client, "/bpjs/responses",
                     {"file": (io.BytesIO(bad), "balasan.csv")},
                     headers={"X-Requested-With": "XMLHttpRequest"},
                     content_type="multipart/form-data")
    assert response.status_code == 200 and "/bpjs/" in job_result(client, response)
    run = session.execute(select(ImportRun).where(ImportRun.kind == "bpjs_response")
                          ).scalar_one()
    assert run.status == "rejected"
    report = _post(client, f"/bpjs/responses/{run.id}/report.csv", PURPOSE)
    assert report.status_code == 200 and "3,kpj,123," in report.get_data(as_text=True)
    good = reply_bytes([accepted(first, 1), accepted(second, 2)])
    done = _post(client, "/bpjs/responses", {"file": (io.BytesIO(good), "balasan.csv")},
                 content_type="multipart/form-data")
    assert done.status_code == 302
    session.expire_all()
    assert {a.state for a in session.execute(select(Application)).scalars()} == {"enrolled"}
    assert "balasan.csv" in client.get(PAGE).get_data(as_text=True)
    empty = _post(client, "/bpjs/responses", {}, content_type="multipart/form-data")
    assert empty.status_code == 422


@pytest.mark.parametrize("username,files", [("head", True), ("audit1", True),
                                            ("admin1", False)])
def test_other_roles_read_but_do_not_act(client, session, staff, two_approved, username,
                                         files):
    batch = new_batch(session, staff)
    session.commit()
    login(client, username)
    page = client.get(PAGE)
    assert page.status_code == 200 and batch.batch_number in page.get_data(as_text=True)
    assert 'data-testid="create-batch"' not in page.get_data(as_text=True)
    assert _post(client, f"/bpjs/batches/{batch.id}/csv", PURPOSE).status_code == (
        200 if files else 403)
    assert _post(client, f"/bpjs/batches/{batch.id}/sent").status_code == 403
    assert _post(client, f"/bpjs/batches/{batch.id}/cancel", {"reason": "x"}).status_code == 403
    assert _post(client, "/bpjs/batches", {"year": str(YEAR)}).status_code == 403
    assert _batch(session).status == "prepared"


def test_anonymous_is_sent_to_login(client):
    response = client.get("/bpjs/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
