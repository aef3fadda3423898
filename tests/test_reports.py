"""Compliance reports: content checked through the PDF's extracted text, and the
audit events of every generation and download."""
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select, text

from models import Application, Decree, Job
from reports.pdf import LocalOnlyFetcher, RefusedURL, render_pdf
from tests.conftest_config import FIXTURE_DAY
from tests.factories import enrol, kpj_of, make_budget, make_verified
from tests.helpers import job_file, job_result, login, tamper
from tests.report_helpers import (diff_of, flat, page_label, pdf_pages, report_events,
                                  run_report, sha256, translated)
from workflows.approval import approve_batch, decline_application
from workflows.proposal import propose_batch

# Report periods are calendar days in Bekasi (WIB); a day either side keeps the tests
# clear of midnight.
TODAY = FIXTURE_DAY.isoformat()
FROM = (FIXTURE_DAY - timedelta(days=1)).isoformat()
TO = (FIXTURE_DAY + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("url", ["http://example.org/logo.png", "https://example.org/a.css",
                                 "ftp://example.org/x", "file:///etc/passwd",
                                 "data:image/png;base64,AAAA"])
def test_the_url_fetcher_refuses_everything_but_its_own_fonts(url):
    fetcher = LocalOnlyFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    font = next(iter(fetcher.allowed))
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"  # a TrueType file


def test_rendering_never_contacts_a_server_named_in_the_html():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        pdf = render_pdf(f'<style>@import url("{base}/a.css"); body {{ background: '
                         f'url("{base}/b.png") }}</style><img src="{base}/c.png"><p>Halo</p>')
    finally:
        server.shutdown()
    assert hits == [] and "Halo" in pdf_pages(pdf)[0]


def test_case_file_shows_letterhead_numbering_chain_head_and_timeline_actors(
        app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    member = enrol(session, staff)[0]
    sk_number = session.get(Decree, member.decree_id).sk_number
    session.commit()
    content = run_report(app, ["case", str(member.id), "--as", "audit1"], tmp_path / "b.pdf")
    pages = pdf_pages(content)
    everything = flat(" ".join(pages))
    assert "PEMERINTAH KOTA BEKASI" in pages[0] and "DINAS KETENAGAKERJAAN" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert page_label(app, number, len(pages)) in page
    generated = report_events(session, "report.generate")[-1]
    shown = diff_of(generated)["chain_head_seq"]
    assert generated.seq == shown + 1  # the head printed is the log just before the report
    assert all(f"seq {shown}," in flat(page) for page in pages)
    assert diff_of(generated)["chain_head_hash"] in everything
    assert diff_of(generated)["sha256"] == sha256(content)
    assert (generated.actor_name, generated.entity_type, generated.entity_id) == (
        "audit1", "application", str(member.id))
    worker = session.get(Application, member.id).worker
    for expected in (worker.nik, worker.full_name, kpj_of(member.id), sk_number,
                     "Pegawai cw1", "Pegawai cw2", "Pegawai head", "application.verify",
                     "application.enrol", "Pegawai audit1 (audit1)",
                     # the decisions, each step from state to state
                     "Diajukan → Terverifikasi", "Diajukan ke BPJS → Terdaftar (peserta aktif)"):
        assert expected in everything, expected
    download = report_events(session, "report.download")[-1]
    assert download.seq == generated.seq + 1
    assert diff_of(download)["destination"] == str((tmp_path / "b.pdf").resolve())


def test_decree_annex_prints_the_frozen_lists_their_hash_and_the_signatory(
        app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    cases = [make_verified(session, staff["cw1"], staff["cw2"], desil=d) for d in (1, 2, 3)]
    decree = approve_batch(session, fiscal_year=2026, application_ids=[c.id for c in cases],
                           sk_number="500/SK-LAMPIRAN/2026", sk_date=date(2026, 3, 2),
                           actor=staff["head"])
    # Declining afterwards changes the case, not what the decree froze.
    decline_application(session, session.get(Application, cases[0].id), reason="Pindah",
                        actor=staff["head"])
    session.commit()
    content = run_report(app, ["decree", "500/SK-LAMPIRAN/2026", "--as", "head",
                                 "--purpose", "Arsip lampiran keputusan"],
                         tmp_path / "sk.pdf")
    pages = pdf_pages(content)
    everything = flat(" ".join(pages))
    niks = [session.get(Application, c.id).worker.nik for c in cases]
    assert all(nik in everything for nik in niks)
    assert decree.snapshot_sha256 in everything
    assert translated(app, "the lists printed here match the hash recorded when the decree "
                           "was signed") in everything
    # The list of the mayor's decree; the head who entered it is named on the cover.
    assert translated(app, "MAYOR OF BEKASI") in pages[-1] and "Pegawai head" in pages[0]
    assert decree.proposal_number in pages[0]
    for number, page in enumerate(pages, start=1):
        assert page_label(app, number, len(pages)) in page
    event = report_events(session, "report.generate")[-1]
    assert (event.entity_type, event.entity_id) == ("decree", str(decree.id))


def test_a_proposal_prints_for_signature_under_its_own_number(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=1)
    cases = [make_verified(session, staff["cw1"], staff["cw2"], desil=d) for d in (1, 2)]
    proposal = propose_batch(session, fiscal_year=2026, application_ids=[c.id for c in cases],
                             actor=staff["head"])
    session.commit()
    content = run_report(app, ["decree", proposal.proposal_number, "--as", "head",
                               "--purpose", "Usulan untuk ditandatangani"], tmp_path / "u.pdf")
    pages = pdf_pages(content)
    everything = flat(" ".join(pages))
    assert translated(app, "Proposal of the Head of the Manpower Office for the Decree of the "
                           "Mayor of Bekasi").upper() in everything  # the title is in capitals
    assert translated(app, "the lists printed here match the hash recorded when they were "
                           "proposed") in everything
    assert proposal.snapshot_sha256 in everything
    assert "Pegawai head" in pages[-1] and "NIP." in pages[-1]
    assert all(session.get(Application, c.id).worker.nik in everything for c in cases)


def test_decree_annex_says_when_the_stored_lists_no_longer_match(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    case = make_verified(session, staff["cw1"], staff["cw2"])
    decree = approve_batch(session, fiscal_year=2026, application_ids=[case.id],
                           sk_number="SK-UBAH", sk_date=date(2026, 3, 2), actor=staff["head"])
    session.commit()
    session.execute(text("UPDATE decree SET snapshot = replace(snapshot, 'desil', 'Desil') "
                         "WHERE id = :id"), {"id": decree.id})
    stored = session.scalar(text("SELECT snapshot FROM decree WHERE id = :id"), {"id": decree.id})
    content = run_report(app, ["decree", "SK-UBAH", "--as", "audit1",
                                 "--purpose", "Arsip lampiran keputusan"], tmp_path / "x.pdf")
    everything = flat(" ".join(pdf_pages(content)))
    assert translated(app, "the lists printed here match the hash recorded when the decree "
                           "was signed") not in everything
    assert translated(app, "the stored lists do NOT match the hash recorded at signing "
                           "(recomputed %(sha)s)", sha=sha256(stored.encode())) in everything


def test_audit_report_shows_the_verdict_and_the_failed_sign_ins(app, session, client, tmp_path):
    login(client, "siapa-ini", password="salah-sekali")
    login(client, "cw1", password="juga-salah")
    session.commit()
    content = run_report(app, ["audit", "--from", FROM, "--to", TO, "--as", "audit1"],
                         tmp_path / "a.pdf")
    everything = flat(" ".join(pdf_pages(content)))
    shown = diff_of(report_events(session, "report.generate")[-1])["chain_head_seq"]
    head_hash = diff_of(report_events(session, "report.generate")[-1])["chain_head_hash"]
    assert translated(app, "OK: audit chain intact, %(n)d events, head seq %(seq)d hash "
                      "%(hash)s", n=shown, seq=shown, hash=head_hash) in everything
    # An unknown username may be someone's password: never shown (issue 12 item 18).
    assert "siapa-ini" not in everything and "anonymous:cw1" in everything
    assert re.search(r"auth\.login_failed \d+", everything)


def test_audit_report_names_a_broken_chain(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=1)
    session.commit()
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = 3")
    content = run_report(app, ["audit", "--from", FROM, "--to", TO, "--as", "audit1"],
                         tmp_path / "a.pdf")
    everything = flat(" ".join(pdf_pages(content)))
    assert translated(app, "BROKEN at seq %(seq)d: %(problem)s", seq=3, problem="x")[:-1] \
        in everything


def test_roles_decide_who_generates_what(app, session, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "r.pdf"
    refused = runner.invoke(args=["report", "audit", "--from", TODAY, "--to", TODAY,
                                  "--output", str(out), "--as", "cw1"])
    assert refused.exit_code == 1 and not out.exists()
    assert runner.invoke(args=["report", "case", "1", "--output", str(out),
                               "--as", "admin1"]).exit_code == 1
    assert runner.invoke(args=["report", "case", "1", "--output", str(tmp_path / "r.xlsx"),
                               "--as", "audit1"]).exit_code == 2  # no XLSX of a case file
    assert report_events(session, "report.generate") == []


def test_program_and_budget_reports_through_the_web_page(app, session, client, staff):
    make_budget(session, staff["admin1"], places=2)
    enrol(session, staff)
    session.commit()
    login(client, "head")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-testid="report-program"' in page and 'data-testid="report-audit"' not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = job_file(client, client.post("/reports/program", data={
        "csrf_token": token, "from": "2026-01-01", "to": TODAY, "format": "pdf"}))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = pdf_pages(response.data)
    assert translated(app, "Received (first submission)") in flat(" ".join(pages))
    assert diff_of(report_events(session, "report.download")[-1])["destination"] == "http"
    budget = job_file(client, client.post("/reports/budget", data={
        "csrf_token": token, "year": "2026", "format": "pdf"}))
    assert "Rp16.800" in flat(" ".join(pdf_pages(budget.data)))
    # A missing budget year is found by the job, which ends on the Reports page saying so.
    missing = client.post("/reports/budget", data={"csrf_token": token, "year": "2031",
                                                    "format": "pdf"})
    assert job_result(client, missing) == "/reports/"
    assert translated(app, "There is no budget year %(year)d.", year=2031) in \
        client.get("/reports/").get_data(as_text=True)
    # Refused in the request, nothing queued: another role's report, a bad parameter.
    jobs = session.scalar(select(func.count()).select_from(Job))
    assert client.post("/reports/audit", data={"csrf_token": token, "from": TODAY, "to": TODAY,
                                               "format": "pdf"}).status_code == 403
    assert client.post("/reports/budget", data={"csrf_token": token, "year": "x",
                                                "format": "pdf"}).status_code == 422
    assert client.post("/reports/budget", data={"csrf_token": token, "year": "2026",
                                                "format": "csv"}).status_code == 422
    assert client.post("/reports/nope", data={"csrf_token": token}).status_code == 403
    assert session.scalar(select(func.count()).select_from(Job)) == jobs
    assert client.get("/reports/program").status_code == 405
