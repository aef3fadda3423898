"""Reads of personal data are audit events (UU PDP Pasal 31): page opens, document
downloads, reports and bulk exports; bulk exports are refused without a stated purpose."""
import io
import json
import re
from datetime import date

import pytest

from models import AuditEvent, ImportRun, clock
from tests.bpjs_factories import (YEAR, accepted, approved, budget, import_reply, new_batch,
                                  reply_bytes, sent_batch)
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import enrol, make_budget, make_submitted, make_verified, png_bytes
from tests.helpers import csrf_token, events_since, head_seq, job_file, login
from tests.plans import recorded
from workflows.approval import approve_batch
from workflows.audit import verify_chain
from workflows.audit.access import READ_MARK, record_read
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.reconciliation import reconcile
from workflows.imports.datasets import import_dtsen

PURPOSE = "Pemeriksaan berkas oleh Inspektorat"
SHORT = "cek"


def _diff(event: AuditEvent) -> dict:
    return {key: new for key, (_old, new) in json.loads(event.diff).items()}


def _only_read(session, seq: int, action: str, entity: tuple[str, object], actor: str, *,
               mark: str = "record", purpose: str | None = None) -> dict:
    """The one event written since ``seq``: the expected read, and the chain still holds."""
    events = events_since(session, seq)
    assert [e.action for e in events] == [action]
    event = events[0]
    assert (event.entity_type, event.entity_id) == (entity[0], str(entity[1]))
    assert (event.actor_name, event.reason) == (actor, purpose)
    diff = _diff(event)
    assert diff[READ_MARK] == mark
    assert verify_chain(session).ok
    return diff


def _refused(response, session, seq: int) -> None:
    assert response.status_code == 422
    assert response.mimetype == "text/html" and "attachment" not in response.headers.get(
        "Content-Disposition", "")
    assert events_since(session, seq) == []


# --- single records: pages and documents ---------------------------------------------

def test_every_rendering_of_the_case_page_is_a_read(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    token = csrf_token(client, "/cases/")
    seq = head_seq(session)
    assert client.get(f"/cases/{application.id}").status_code == 200
    diff = _only_read(session, seq, "application.view", ("application", application.id), "cw1")
    assert diff["worker_id"] == application.worker_id
    seq = head_seq(session)
    refused = client.post(f"/cases/{application.id}/verify", data={"csrf_token": token})
    assert refused.status_code == 403  # the attempt, and the page shown again is a read
    assert [e.action for e in events_since(session, seq)] == ["cases.verify.refused",
                                                         "application.view"]
    seq = head_seq(session)
    missing = client.get(f"/cases/{application.id}/documents/999999")
    assert missing.status_code == 404 and application.worker.nik not in missing.get_data(
        as_text=True)
    assert events_since(session, seq) == []  # a 404 page shows no personal data


def test_opening_worker_and_application_details_is_a_read_but_lists_are_not(client, session,
                                                                             staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    seq = head_seq(session)
    assert client.get("/workers/").status_code == 200
    assert client.get("/applications/").status_code == 200
    assert events_since(session, seq) == []
    page = client.get(f"/workers/details/?id={application.worker_id}")
    assert page.status_code == 200 and application.worker.nik in page.get_data(as_text=True)
    _only_read(session, seq, "worker.view", ("worker", application.worker_id), "audit1")
    seq = head_seq(session)
    assert client.get(f"/applications/details/?id={application.id}").status_code == 200
    diff = _only_read(session, seq, "application.view", ("application", application.id),
                      "audit1")
    assert diff["worker_id"] == application.worker_id
    seq = head_seq(session)
    assert client.get("/workers/details/?id=999999").status_code == 302  # no such record
    assert events_since(session, seq) == []


def test_each_row_a_worker_search_shows_is_a_read_with_the_term_masked(client, session, staff):
    found = make_submitted(session, staff["cw1"])
    make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    seq = head_seq(session)
    page = client.get(f"/workers/?search={found.worker.nik}").get_data(as_text=True)
    assert found.worker.full_name in page
    (event,) = events_since(session, seq)
    assert (event.action, event.entity_type, event.entity_id, event.actor_name) == (
        "worker.view_search", "worker", str(found.worker_id), "cw2")
    diff = _diff(event)
    assert diff[READ_MARK] == "record" and diff["search"].startswith("hmac:")
    assert found.worker.nik not in event.diff
    seq = head_seq(session)
    assert client.get("/workers/?search=0000000000000000").status_code == 200
    assert events_since(session, seq) == []  # nothing shown, nothing read


def test_a_document_download_is_a_read_of_the_worker(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "head")
    html = client.get(f"/cases/{application.id}").get_data(as_text=True)
    link = re.search(rf'href="(/cases/{application.id}/documents/(\d+))"', html)
    seq = head_seq(session)
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.data == png_bytes()
    diff = _only_read(session, seq, "document.read", ("document", link.group(2)), "head")
    assert (diff["application_id"], diff["worker_id"]) == (application.id,
                                                           application.worker_id)


# --- reports ---------------------------------------------------------------------------

@pytest.fixture
def decree(session, staff):
    make_budget(session, staff["admin1"], places=2)
    case = make_verified(session, staff["cw1"], staff["cw2"])
    decree = approve_batch(session, fiscal_year=2026, application_ids=[case.id],
                           sk_number="SK-BACA-1", sk_date=date(2026, 3, 2), actor=staff["head"])
    session.commit()
    return decree


def _report(client, kind: str, **form):
    return client.post(f"/reports/{kind}", data={
        "csrf_token": csrf_token(client, "/reports/"), **form})


def test_the_decree_annex_needs_a_purpose_on_the_page(client, session, decree):
    login(client, "head")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-testid="decree-purpose"' in page and 'data-testid="case-purpose"' in page
    seq = head_seq(session)
    for purpose in (None, SHORT, "   " + SHORT + "      "):
        form = {"sk_number": "SK-BACA-1", "format": "csv"}
        refused = _report(client, "decree", **form, **({"purpose": purpose} if purpose else {}))
        _refused(refused, session, seq)
        assert "10" in refused.get_data(as_text=True)  # the message says what is missing
    done = job_file(client, _report(client, "decree", sk_number="SK-BACA-1", format="csv",
                                    purpose=PURPOSE))
    assert done.status_code == 200 and done.mimetype.startswith("text/csv")
    steps = events_since(session, seq)  # the job generates; the download is the page's
    assert [e.action for e in steps] == ["job.queued", "job.started", "report.generate",
                                         "job.finished", "report.download"]
    events = [e for e in steps if e.action.startswith("report.")]
    generated = events[0]
    assert (generated.entity_type, generated.entity_id) == ("decree", str(decree.id))
    assert (generated.actor_name, generated.reason) == ("head", PURPOSE)
    diff = _diff(generated)
    assert diff[READ_MARK] == "bulk" and diff["report"] == "decree"
    assert {"format", "parameters", "file_name", "bytes", "sha256", "chain_head_seq",
            "chain_head_hash"} <= set(diff)
    downloaded = _diff(events[1])  # the file leaving is a read under the same purpose
    assert downloaded[READ_MARK] == "bulk" and events[1].reason == PURPOSE
    assert verify_chain(session).ok


def test_the_case_file_is_a_record_read_with_an_optional_purpose(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    for purpose in (None, PURPOSE):
        seq = head_seq(session)
        form = {"application_id": str(application.id), "format": "pdf"}
        response = job_file(client, _report(client, "case", **form,
                                            **({"purpose": purpose} if purpose else {})))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        generated = _generated(session, seq)
        assert (generated.action, generated.entity_type, generated.entity_id) == (
            "report.generate", "application", str(application.id))
        assert (generated.reason, _diff(generated)[READ_MARK]) == (purpose, "record")
    seq = head_seq(session)
    today = clock.today().isoformat()
    assert job_file(client, _report(client, "audit", **{"from": today, "to": today})
                    ).status_code == 200
    assert READ_MARK not in _diff(_generated(session, seq))  # aggregates, no personal data


def _generated(session, seq: int) -> AuditEvent:
    return next(e for e in events_since(session, seq) if e.action == "report.generate")


def test_cli_decree_refuses_a_missing_or_short_purpose(app, session, decree, tmp_path):
    runner = app.test_cli_runner()
    output = tmp_path / "sk.csv"
    seq = head_seq(session)
    base = ["report", "decree", "SK-BACA-1", "--as", "head", "--output", str(output)]
    missing = runner.invoke(args=base)
    assert missing.exit_code != 0 and "--purpose" in missing.output
    short = runner.invoke(args=base + ["--purpose", SHORT])
    assert short.exit_code == 1 and not output.exists() and events_since(session, seq) == []
    done = runner.invoke(args=base + ["--purpose", PURPOSE])
    assert done.exit_code == 0, done.output
    generated = events_since(session, seq)[0]
    assert (generated.action, generated.reason, _diff(generated)[READ_MARK]) == (
        "report.generate", PURPOSE, "bulk")


# --- bulk downloads ---------------------------------------------------------------------

def test_bpjs_batch_files_are_posted_with_a_purpose(client, session, staff):
    budget(session, staff)
    approved(session, staff, 1)
    batch = new_batch(session, staff)
    session.commit()
    login(client, "cw2")
    page = client.get(f"/bpjs/?year={YEAR}").get_data(as_text=True)
    assert f"/bpjs/batches/{batch.id}/csv" in page and 'name="purpose"' in page
    url = f"/bpjs/batches/{batch.id}/csv"
    assert client.get(url).status_code == 405
    token = csrf_token(client, "/bpjs/")
    seq = head_seq(session)
    for form in ({}, {"purpose": SHORT}):
        _refused(client.post(url, data={"csrf_token": token, **form}), session, seq)
    done = client.post(url, data={"csrf_token": token, "purpose": PURPOSE})
    assert done.status_code == 200 and done.data == batch.csv_content
    diff = _only_read(session, seq, "bpjs.batch_download", ("registration_batch", batch.id),
                      "cw2", mark="bulk", purpose=PURPOSE)
    assert (diff["format"], diff["sha256"]) == ("csv", batch.csv_sha256)


def test_cli_bpjs_download_needs_a_purpose(app, session, staff, tmp_path):
    budget(session, staff)
    approved(session, staff, 1)
    batch = new_batch(session, staff)
    session.commit()
    runner = app.test_cli_runner()
    base = ["bpjs", "download", batch.batch_number, "--as", "audit1",
            "--output", str(tmp_path / "b.csv")]
    seq = head_seq(session)
    assert runner.invoke(args=base).exit_code != 0
    assert runner.invoke(args=base + ["--purpose", SHORT]).exit_code == 1
    assert not (tmp_path / "b.csv").exists() and events_since(session, seq) == []
    assert runner.invoke(args=base + ["--purpose", PURPOSE]).exit_code == 0
    _only_read(session, seq, "bpjs.batch_download", ("registration_batch", batch.id),
               "audit1", mark="bulk", purpose=PURPOSE)


def _rejected_dtsen(session, staff) -> ImportRun:
    bad = io.BytesIO(b"nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kode_kelurahan,desil\n"
                     b"3275,3275010101000001,Siti,1990-01-01,P,3275011001,3\n")
    run = import_dtsen(session, bad, file_name="dtsen-salah.csv", as_of=date(2026, 1, 1),
                       actor=staff["cw1"]).run
    assert run.status == "rejected" and run.error_report
    return run


def _reply_problems(session, staff) -> ImportRun:
    budget(session, staff)
    first = approved(session, staff, 1)[0]
    sent_batch(session, staff)
    run = import_reply(session, staff, reply_bytes([accepted(first, 1)[:1] + [
        "123", "DITERIMA", "", f"{YEAR}-08-01"]])).run
    assert run.status == "rejected" and run.error_report
    return run


def _reconciled(session, staff):
    make_budget(session, staff["admin1"], places=1)
    enrol(session, staff, 1)
    batch = generate_contributions(session, first_month=date(2026, 3, 1), months=1,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-BACA", sp2d_date=date(2026, 3, 9),
                   invoice_number="INV-BACA", actor=staff["cw1"])
    reconcile(session, bill_csv(matching_rows(session, batch)), file_name="tagihan.csv",
              batch=batch, actor=staff["cw1"])
    return batch


@pytest.mark.parametrize("make,page,url,action,entity_type,filename", [
    (_rejected_dtsen, "/imports/", "/imports/{id}/report.csv", "import.report_download",
     "import_run", "laporan-impor-"),
    (_reply_problems, f"/bpjs/?year={YEAR}", "/bpjs/responses/{id}/report.csv",
     "import.report_download", "import_run", "laporan-balasan-bpjs-"),
    (_reconciled, "/contributions-payments/batches/{id}",
     "/contributions-payments/batches/{id}/reconciliation.csv",
     "contributions.report_download", "payment_batch", "rekonsiliasi-iuran-"),
], ids=["import", "bpjs-reply", "reconciliation"])
def test_reports_quoting_niks_are_posted_with_a_purpose(client, session, staff, make, page,
                                                        url, action, entity_type, filename):
    entity = make(session, staff)
    session.commit()
    login(client, "cw1")
    page, url = page.format(id=entity.id), url.format(id=entity.id)
    html = client.get(page).get_data(as_text=True)
    assert url in html and 'name="purpose"' in html
    assert client.get(url).status_code == 405
    token = csrf_token(client, page)
    seq = head_seq(session)
    for form in ({}, {"purpose": SHORT}):
        _refused(client.post(url, data={"csrf_token": token, **form}), session, seq)
    done = client.post(url, data={"csrf_token": token, "purpose": PURPOSE})
    assert done.status_code == 200 and filename in done.headers["Content-Disposition"]
    _only_read(session, seq, action, (entity_type, entity.id), "cw1", mark="bulk",
               purpose=PURPOSE)


def test_the_decree_page_listing_its_workers_is_a_read(client, session, decree):
    session.commit()
    login(client, "head")
    seq = head_seq(session)
    page = client.get(f"/approval/decrees/{decree.id}").get_data(as_text=True)
    assert "SK-BACA-1" in page
    _only_read(session, seq, "decree.view", ("decree", decree.id), "head")


def test_the_case_history_shows_changes_not_reads_or_attempts(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    record_read(session, staff["audit1"], "audit.evidence_pack", entity=application,
                purpose="Pemeriksaan dugaan pungli petugas", bulk=True)
    session.commit()
    login(client, "cw1")
    client.get(f"/cases/{application.id}")
    client.post(f"/cases/{application.id}/verify",
                data={"csrf_token": csrf_token(client, "/cases/")})  # refused: own intake
    page = client.get(f"/cases/{application.id}").get_data(as_text=True)
    assert '<span title="application.submit">Permohonan diajukan</span>' in page
    for hidden in ("application.view", "audit.evidence_pack", "pungli", "cases.verify.refused"):
        assert hidden not in page, hidden


def test_the_case_history_leaves_the_pages_own_reads_in_the_database(client, session, staff):
    """Every opening of the case page is a read of it: the history's statement must not
    fetch them, or a case opened a thousand times loads a thousand events to show five."""
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    for _ in range(5):
        client.get(f"/cases/{application.id}")
    with recorded(session) as statements:
        assert client.get(f"/cases/{application.id}").status_code == 200
    history = [(sql, params) for sql, params in statements
               if "FROM audit_event" in sql and "ORDER BY audit_event.seq" in sql]
    assert len(history) == 1
    rows = session.connection().exec_driver_sql(*history[0]).mappings().all()
    actions = [row["action"] for row in rows]
    assert "application.submit" in actions and "application.view" not in actions, actions
    assert not [row for row in rows if READ_MARK in row["diff"]]


@pytest.mark.parametrize("make,url,username", [
    (_reply_problems, "/imports/{id}/report.csv", "admin1"),  # a BPJS reply through Imports
    (_rejected_dtsen, "/imports/{id}/report.csv", "admin1"),
    (_reconciled, "/contributions-payments/batches/{id}/reconciliation.csv", "admin1"),
    (_rejected_dtsen, "/bpjs/responses/{id}/report.csv", "head"),  # not a reply: not there
], ids=["reply-via-imports", "dtsen", "reconciliation", "dtsen-via-bpjs"])
def test_a_report_is_authorised_by_what_it_holds_not_by_the_route(client, session, staff, make,
                                                                   url, username):
    entity = make(session, staff)
    session.commit()
    login(client, username)
    seq = head_seq(session)
    response = client.post(url.format(id=entity.id), data={
        "csrf_token": csrf_token(client, "/"), "purpose": PURPOSE})
    assert response.status_code in (403, 404)
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert [e.action for e in events_since(session, seq) if e.action.endswith(
        ("_download", "report_download"))] == []
