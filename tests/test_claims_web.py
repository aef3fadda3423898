"""The claims desk in the browser's shoes: a death from the case page to the heir's
letter and the payout, the register and the yearly report (PDF text, XLSX read back),
a forged upload refused, a second click, and who may do what."""
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent, Claim, ClaimDocument
from models.audit import READ_MARK
from reports.formatting import masked_nik
from tests.claim_factories import attach_required, died, jkk_claim, jkm_claim, member
from tests.factories import png_bytes
from tests.helpers import csrf_token, head_seq, job_file, login
from tests.report_helpers import diff_of, flat, pdf_pages, report_events, translated
from tests.subject_factories import make_request
from workflows.claims import record_payout, submit_claim
from workflows.subject_requests import resolve_request

DIED_ON = date(2026, 5, 20)


def _post(client, path, data, page):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)},
                       content_type="multipart/form-data")


def _deceased(session, staff, **fields):
    return died(session, staff, member(session, staff, **fields), DIED_ON)


def test_a_death_from_the_case_page_to_the_payout_and_the_heirs_letter(app, client, session,
                                                                      staff):
    application = _deceased(session, staff, full_name="Budi Santoso")
    session.commit()
    login(client, "cw1")
    case_page = client.get(f"/cases/{application.id}").get_data(as_text=True)
    assert 'data-testid="record-claim"' in case_page and "Catat klaim" in case_page
    new = f"/claims/new/{application.id}"
    form = client.get(new).get_data(as_text=True)
    assert re.search(r'<option selected value="jkm"|<option value="jkm" selected', form)
    response = _post(client, new, {"kind": "jkm", "event_date": DIED_ON.isoformat(),
                                   "heir_name": "Siti Aminah", "heir_relation": "suami_istri",
                                   "description": "Sakit jantung"}, new)
    assert response.status_code == 302, response.get_data(as_text=True)
    claim = session.execute(select(Claim)).scalar_one()
    page = f"/claims/{claim.id}"
    assert response.headers["Location"] == page
    seq = head_seq(session)
    html = client.get(page).get_data(as_text=True)
    assert "Siti Aminah" in html and "Budi Santoso" in html and "Akta kematian" in html
    (read,) = session.execute(select(AuditEvent).where(AuditEvent.seq > seq)).scalars()
    assert (read.action, read.entity_id) == ("claim.view", str(claim.id))
    assert claim.claim_number in client.get(f"/cases/{application.id}").get_data(as_text=True)

    forged = _post(client, page + "/documents", {
        "kind": "akta_kematian", "file": (io.BytesIO(b"<html><body>akta</body></html>"),
                                          "akta.pdf")}, page)
    assert forged.status_code == 422 and "kode halaman web (HTML)" in forged.get_data(
        as_text=True)
    assert session.scalar(select(ClaimDocument.id)) is None
    not_yet = _post(client, page + "/submit", {"confirm": "y"}, page)
    assert not_yet.status_code == 409 and "Dokumen yang masih kurang" in not_yet.get_data(
        as_text=True)
    for kind in ("akta_kematian", "surat_ahli_waris", "kartu_kpj"):
        stored = _post(client, page + "/documents",
                       {"kind": kind, "file": (io.BytesIO(png_bytes()), f"{kind}.png")}, page)
        assert stored.status_code == 302, stored.get_data(as_text=True)
    document = session.execute(select(ClaimDocument)).scalars().first()
    opened = client.get(f"{page}/documents/{document.id}")
    assert opened.status_code == 200 and opened.data == png_bytes()

    unconfirmed = _post(client, page + "/submit", {}, page)
    assert unconfirmed.status_code == 422
    assert _post(client, page + "/submit", {"confirm": "y"}, page).status_code == 302
    again = _post(client, page + "/submit", {"confirm": "y"}, page)
    assert again.status_code == 409 and "sudah berstatus Diajukan ke BPJS" in again.get_data(
        as_text=True)
    paid = _post(client, page + "/pay", {"amount": "42.000.000", "paid_on": "2026-07-01",
                                         "reference": "BPJS-JKM-7781", "confirm": "y"}, page)
    assert paid.status_code == 302
    session.expire_all()
    claim = session.get(Claim, claim.id)
    assert (claim.state, claim.payout_amount) == ("dibayar", 42_000_000)

    letter = _post(client, page + "/letter", {}, page)
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    text = flat(" ".join(pdf_pages(letter.data)))
    generated = report_events(session, "report.generate")[-1]
    detail = diff_of(generated)
    assert detail["report"] == "claim_letter" and generated.entity_id == str(claim.id)
    for expected in ("Budi Santoso", application.kpj, masked_nik(application.worker.nik),
                     claim.claim_number, "Siti Aminah", "Suami atau istri",
                     "Iuran lunas sampai", "20 Mei 2026", "1 Februari 2026",
                     detail["chain_head_hash"],
                     translated(app, "Head of the Manpower Office of Kota Bekasi")):
        assert expected in text, expected
    assert application.worker.nik not in text
    assert json.loads(generated.diff)[READ_MARK][1] == "record"  # a read of their data


def test_payout_register_and_the_yearly_report(app, client, session, staff):
    application = _deceased(session, staff, full_name="Budi Santoso")
    claim = jkm_claim(session, staff, application, DIED_ON)
    attach_required(session, staff, claim)
    submit_claim(session, claim, actor=staff["cw1"])
    record_payout(session, claim, amount=42_000_000, paid_on=date(2026, 7, 1),
                  reference="BPJS-JKM-7781", actor=staff["cw1"])
    other = member(session, staff, places=None)  # a second one in the same budget year
    accident = jkk_claim(session, staff, other, date(2026, 6, 2))
    attach_required(session, staff, accident)
    submit_claim(session, accident, actor=staff["cw1"])
    record_payout(session, accident, amount=5_250_000, paid_on=date(2026, 6, 30),
                  reference="BPJS-JKK-0042", actor=staff["cw1"])
    session.commit()
    login(client, "head")
    register = client.get("/claims/register").get_data(as_text=True)
    assert "BPJS-JKM-7781" in register and "Rp47.250.000" in register
    assert "B. S." in register and "Budi Santoso" not in register
    assert application.worker.nik not in register
    pdf = job_file(client, _post(client, "/reports/claims", {"year": "2026", "format": "pdf"},
                                 "/claims/register"))
    text = flat(" ".join(pdf_pages(pdf.data)))
    for expected in (claim.claim_number, accident.claim_number, "Rp42.000.000",
                     "Rp5.250.000", "Rp47.250.000", "BPJS-JKK-0042", "B. S."):
        assert expected in text, expected
    assert "Budi Santoso" not in text
    head = diff_of(report_events(session, "report.generate")[-1])
    assert head["chain_head_hash"] in text
    xlsx = job_file(client, _post(client, "/reports/claims", {"year": "2026", "format": "xlsx"},
                                  "/claims/register"))
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [claim.claim_number, accident.claim_number]
    assert rows[1][4] == 42_000_000 and rows[1][6] == "BPJS-JKM-7781"
    totals = list(book.worksheets[1].iter_rows(values_only=True))
    assert totals[1] == (2026, 2, 5_250_000, 42_000_000, 47_250_000)
    info = dict(book["Info"].iter_rows(values_only=True))
    assert diff_of(report_events(session, "report.generate")[-1])["chain_head_hash"] in \
        info.values()
    empty = job_file(client, _post(client, "/reports/claims", {"year": "2025", "format": "pdf"},
                                   "/claims/register"))
    assert "Tidak ada klaim yang dibayar" in flat(" ".join(pdf_pages(empty.data)))


def test_jkm_without_a_recorded_death_is_refused_on_the_page(client, session, staff):
    application = member(session, staff)
    session.commit()
    login(client, "cw1")
    new = f"/claims/new/{application.id}"
    response = _post(client, new, {"kind": "jkm", "event_date": DIED_ON.isoformat(),
                                   "heir_name": "Siti", "heir_relation": "anak"}, new)
    assert response.status_code == 409
    assert "Akhiri kepesertaan: meninggal dunia" in response.get_data(as_text=True)
    assert session.scalar(select(Claim.id)) is None


def test_a_late_jkk_report_asks_for_the_reason_on_the_page(client, session, staff):
    application = member(session, staff)
    session.commit()
    login(client, "cw1")
    new = f"/claims/new/{application.id}"
    data = {"kind": "jkk", "event_date": "2026-07-01", "event_time": "08:00",
            "reported_at": "2026-07-03T08:01", "description": "Jatuh dari tangga"}
    refused = _post(client, new, data, new)
    assert refused.status_code == 422 and "lebih dari 2 x 24 jam" in refused.get_data(
        as_text=True)
    recorded = _post(client, new, {**data, "late_reason": "Dirawat di RS"}, new)
    assert recorded.status_code == 302
    claim = session.execute(select(Claim)).scalar_one()
    assert claim.reported_late and claim.event_time.hour == 8
    listing = client.get("/claims/?status=dicatat").get_data(as_text=True)
    assert claim.claim_number in listing and "terlambat" in listing
    assert claim.claim_number not in client.get("/claims/?status=dibayar").get_data(
        as_text=True)


def test_a_restricted_worker_who_died_covered_is_claimable_on_the_page(client, session, staff):
    application = member(session, staff)
    request = make_request(session, staff["cw1"], application.worker, kind="restriction")
    resolve_request(session, request, outcome="fulfilled", note="", actor=staff["cw1"])
    application = died(session, staff, application, DIED_ON)
    session.commit()
    login(client, "cw1")
    new = f"/claims/new/{application.id}"
    response = _post(client, new, {"kind": "jkm", "event_date": DIED_ON.isoformat(),
                                   "heir_name": "Siti", "heir_relation": "anak"}, new)
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="restricted"' in html


@pytest.mark.parametrize("user", ["audit1", "head"])
def test_the_auditor_and_the_head_read_and_change_nothing(client, session, staff, user):
    application = _deceased(session, staff)
    claim = jkm_claim(session, staff, application, DIED_ON)
    attach_required(session, staff, claim)
    session.commit()
    login(client, user)
    page = f"/claims/{claim.id}"
    html = client.get(page).get_data(as_text=True)
    assert claim.claim_number in html and 'data-testid="submit-claim"' not in html
    assert 'data-testid="claim-letter"' not in html
    assert client.get("/claims/").status_code == 200
    assert client.get("/claims/register").status_code == 200
    assert client.get(f"/claims/new/{application.id}").status_code == 403
    assert 'data-testid="record-claim"' not in client.get(
        f"/cases/{application.id}").get_data(as_text=True)
    seq = head_seq(session)
    for path, data in ((f"/claims/new/{application.id}", {"kind": "jkm"}),
                       (page + "/submit", {"confirm": "y"}), (page + "/letter", {}),
                       (page + "/pay", {"amount": "1", "paid_on": "2026-07-01",
                                        "reference": "X", "confirm": "y"}),
                       (page + "/reject", {"reason": "x", "confirm": "y"}),
                       (page + "/documents", {"kind": "kartu_kpj",
                                              "file": (io.BytesIO(png_bytes()), "k.png")})):
        assert _post(client, path, data, page).status_code == 403, path
    session.expire_all()
    assert session.get(Claim, claim.id).state == "dicatat"
    changes = [e.action for e in session.execute(select(AuditEvent).where(
        AuditEvent.seq > seq)).scalars() if e.action.startswith(("claim.", "report."))]
    assert set(changes) == {"claim.view"}  # the pages read for the forms' tokens, no more


def test_the_admin_does_not_see_the_claims_desk(client, session, staff):
    login(client, "admin1")
    assert client.get("/claims/").status_code == 403
