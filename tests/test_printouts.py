"""The papers printed for the worker from the case page: the receipt with its QR code
to the public status page, and the membership letter. Checked through the PDF's
extracted text, the QR code read back from the PDF's own drawing, and the audit log."""
import io
import re

import segno
from flask_babel import format_date
from pypdf import PdfReader

from caseapp.reports.qr import ERROR_LEVEL, qr_svg
from caseapp.status.tokens import status_token
from models import Application
from models.audit import READ_MARK
from reports.formatting import masked_nik
from reports.pdf import render_pdf
from tests.factories import add_documents, enrol, kpj_of, make_application, make_budget
from tests.helpers import csrf_token, login
from tests.report_helpers import diff_of, flat, pdf_pages, report_events, sha256, translated
from workflows.exits import terminate_membership

# The QR's white square (its viewBox, quiet zone included), then its dark runs: segno
# draws each row of modules as horizontal strokes at y = row + 0.5, WeasyPrint keeps
# those coordinates in the PDF.
_QR_BOX = re.compile(r"0 0 m\n(\d+) 0 l\n\1 \1 l\n0 \1 l\nh\nf\n")
_RUN = re.compile(r"^(\d+) (\d+)\.5 m\n(\d+) \2\.5 l$", re.M)
BORDER = 4


def qr_matrix_in(pdf: bytes) -> list[list[int]]:
    """The modules of the (one) QR code the PDF draws, as rows of 0/1."""
    stream = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    box = _QR_BOX.search(stream)
    assert box, "no QR code drawn in the PDF"
    size = int(box.group(1)) - 2 * BORDER
    drawing = stream[box.end():stream.index("\nQ\n", box.end())]
    matrix = [[0] * size for _ in range(size)]
    for x1, y, x2 in ((int(a), int(b), int(c)) for a, b, c in _RUN.findall(drawing)):
        for x in range(x1, x2):
            matrix[y - BORDER][x - BORDER] = 1
    return matrix


def qr_modules(text: str) -> list[list[int]]:
    """What segno makes of ``text`` on its own, with the receipt's settings."""
    return [list(row) for row in segno.make(text, error=ERROR_LEVEL, micro=False).matrix]


def print_paper(client, application_id: int, kind: str):
    token = csrf_token(client, f"/cases/{application_id}")
    return client.post(f"/cases/{application_id}/{kind}", data={"csrf_token": token})


def status_address(app, application_id: int) -> str:
    with app.test_request_context():
        return f"http://localhost/status/{status_token(application_id)}"


def test_receipt_has_the_number_masked_nik_and_a_qr_code_of_the_status_url(
        app, client, session, staff):
    application = make_application(session, staff["cw1"], full_name="Siti Rahmawati")
    add_documents(session, application, staff["cw1"])
    worker = application.worker
    session.commit()
    login(client, "cw1")
    response = print_paper(client, application.id, "receipt")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"tanda-terima_{application.id}.pdf" in response.headers["Content-Disposition"]
    content = response.data
    text = flat(" ".join(pdf_pages(content)))
    url = status_address(app, application.id)
    assert url in text
    assert worker.nik not in text and worker.nik[:6] not in text
    assert masked_nik(worker.nik) in text and masked_nik(worker.nik).endswith(worker.nik[-4:])
    for expected in (str(application.id), "Siti Rahmawati", "Pegawai cw1", "PEMERINTAH KOTA BEKASI",
                     translated(app, "Application receipt").upper(), worker.kelurahan.name,
                     str(translated(app, "a. Trader (pedagang)"))):
        assert expected in text, expected
    assert qr_matrix_in(content) == qr_modules(url)
    # The receipt is a read of the worker's data, tied to the chain head in its footer.
    generated = report_events(session, "report.generate")[-1]
    detail = diff_of(generated)
    assert (generated.actor_name, generated.entity_type, generated.entity_id) == (
        "cw1", "application", str(application.id))
    assert detail[READ_MARK] == "record" and detail["report"] == "receipt"
    assert detail["sha256"] == sha256(content)
    assert f"seq {detail['chain_head_seq']}," in text and detail["chain_head_hash"] in text
    assert diff_of(report_events(session, "report.download")[-1])["destination"] == "http"


def test_receipt_of_a_draft_without_documents_says_none_yet(app, client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    response = print_paper(client, application.id, "receipt")
    text = flat(pdf_pages(response.data)[0])
    assert translated(app, "none yet") in text
    assert "Pegawai cw1" in text  # who took it in, not who printed it


def test_the_qr_reader_sees_what_is_drawn():
    """The reader must tell two addresses apart, or the receipt test proves nothing."""
    one, other = "http://localhost/status/abc", "http://localhost/status/abd"
    drawn = qr_matrix_in(render_pdf(f"<style>svg.qr {{ width: 30mm }}</style>{qr_svg(one)}"))
    assert drawn == qr_modules(one) and drawn != qr_modules(other)


def test_the_status_url_follows_the_public_address_when_one_is_set(
        app, client, session, staff, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://sigap.example.go.id/")
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    text = flat(pdf_pages(print_paper(client, application.id, "receipt").data)[0])
    with app.app_context():
        assert f"https://sigap.example.go.id/status/{status_token(application.id)}" in text


def test_letter_for_an_enrolled_member(app, client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    member = enrol(session, staff, full_name="Budi Santoso")[0]
    worker = session.get(Application, member.id).worker
    session.commit()
    login(client, "cw1")
    assert 'data-testid="print-letter"' in client.get(f"/cases/{member.id}").get_data(
        as_text=True)
    response = print_paper(client, member.id, "letter")
    assert response.status_code == 200, response.status_code
    assert f"surat-keterangan-kepesertaan_{member.id}.pdf" in \
        response.headers["Content-Disposition"]
    pages = pdf_pages(response.data)
    text = flat(" ".join(pages))
    assert len(pages) == 1
    for expected in ("Budi Santoso", masked_nik(worker.nik), kpj_of(member.id),
                     "Jaminan Kecelakaan Kerja (JKK)", "Jaminan Kematian (JKM)",
                     "Nomor 11 Tahun 2024, Pasal 90",
                     translated(app, "Certificate of membership").upper(),
                     translated(app, "Head of the Manpower Office of Kota Bekasi")):
        assert expected in text, expected
    assert worker.nik not in text
    with app.test_request_context():
        assert format_date(member.coverage_start, "MMMM yyyy") in text
    assert diff_of(report_events(session, "report.generate")[-1])["report"] == "letter"


def test_no_letter_before_enrolment_nor_after_the_membership_ended(app, client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    member = enrol(session, staff)[0]
    draft = make_application(session, staff["cw1"])
    terminate_membership(session, session.get(Application, member.id),
                         reason_code="permintaan_sendiri", effective_month=member.coverage_start,
                         note="", actor=staff["cw1"])
    session.commit()
    login(client, "cw1")
    assert 'data-testid="print-letter"' not in client.get(f"/cases/{draft.id}").get_data(
        as_text=True)
    generated = len(report_events(session, "report.generate"))
    for application_id in (draft.id, member.id):
        response = print_paper(client, application_id, "letter")
        assert response.status_code == 409
        assert translated(app, "The membership letter is made once the worker is enrolled "
                               "with BPJS Ketenagakerjaan (has a KPJ number) and while the "
                               "membership lasts.") in response.get_data(as_text=True)
    assert len(report_events(session, "report.generate")) == generated


def test_only_caseworkers_print_for_the_worker(app, session, staff):
    """Auditors read the case (and its case file) but hand nothing out; the head and the
    admin neither: the papers are the desk's."""
    application = make_application(session, staff["cw1"])
    session.commit()
    for username in ("audit1", "head"):
        client = app.test_client()
        login(client, username)
        assert 'data-testid="printouts"' not in client.get(
            f"/cases/{application.id}").get_data(as_text=True)
        for kind in ("receipt", "letter"):
            response = print_paper(client, application.id, kind)
            assert response.status_code == 403, (username, kind)
            assert not response.data.startswith(b"%PDF")
    admin = app.test_client()
    login(admin, "admin1")
    assert admin.post(f"/cases/{application.id}/receipt", data={
        "csrf_token": csrf_token(admin, "/auth/password")}).status_code == 403
    assert report_events(session, "report.generate") == []
    anonymous = app.test_client()
    answer = anonymous.post(f"/cases/{application.id}/receipt", data={
        "csrf_token": csrf_token(anonymous, "/auth/login")})
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def test_printing_needs_the_csrf_token(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    assert client.post(f"/cases/{application.id}/receipt").status_code == 400
    assert report_events(session, "report.generate") == []


def test_the_reports_page_does_not_queue_the_papers(client, session, staff):
    login(client, "cw1")
    token = csrf_token(client, "/reports/")
    for kind in ("receipt", "letter"):
        assert client.post(f"/reports/{kind}", data={
            "csrf_token": token, "format": "pdf", "application_id": "1"}).status_code == 403
