"""The membership status page: importing BPJS status files (caseworkers), reading the
side-by-side list and the differences (heads, auditors), the audited export, and the
BPJS status on the case page."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditEvent, ImportRun, MembershipStatus
from tests.factories import enrol, make_budget
from tests.helpers import csrf_token, job_file, job_result, login
from tests.membership_factories import row_of, status_csv
from workflows.membership.status_import import import_bpjs_status

BASE = "/membership"
PURPOSE = "Tindak lanjut selisih kepesertaan BPJS"


@pytest.fixture
def members(session, staff):
    make_budget(session, staff["admin1"], places=2)
    apps = enrol(session, staff, 2)
    session.commit()
    return apps


def _token(client):
    return csrf_token(client, f"{BASE}/")


def _upload(client, stream, name="status.csv", as_of="2026-07-09", **headers):
    return client.post(f"{BASE}/status-files", data={
        "csrf_token": _token(client), "as_of": as_of, "file": (stream, name)},
        content_type="multipart/form-data", headers=headers)


def _count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_caseworker_imports_a_status_file_and_sees_both_sides(client, session, members):
    login(client, "cw1")
    index = client.get(f"{BASE}/").get_data(as_text=True)
    assert 'data-testid="import-status"' in index and "Selisih yang perlu ditindaklanjuti" in index
    aktif, nonaktif = members
    response = _upload(client, status_csv([row_of(aktif, "AKTIF", "2026-06"),
                                           row_of(nonaktif, "NONAKTIF", "2026-03")]),
                       **{"X-Requested-With": "XMLHttpRequest"})
    result = job_result(client, response)
    assert response.status_code == 200 and result.startswith(f"{BASE}/?run=")
    page = client.get(result).get_data(as_text=True)
    assert "Status 2 peserta dicatat" in page  # the job's message, in Indonesian
    assert f'data-application="{nonaktif.id}" class="table-danger"' in page
    assert nonaktif.worker.nik not in page and nonaktif.worker.full_name not in page  # masked
    assert nonaktif.worker.nik[-4:] in page
    assert _count(session, MembershipStatus, MembershipStatus.lapsed.is_(True)) == 1
    lapsed = client.get(f"{BASE}/?kind=lapsed").get_data(as_text=True)
    assert f'data-application="{nonaktif.id}"' in lapsed
    assert f'data-application="{aktif.id}"' not in lapsed


def test_a_rejected_file_shows_its_problems_and_the_report(client, session, members):
    login(client, "cw1")
    response = _upload(client, status_csv([("3275010101990001", "26000000001", "AKTIF",
                                            "2026-06")]))
    page = client.get(job_result(client, response)).get_data(as_text=True)
    assert 'data-testid="status-problems"' in page
    run = session.execute(select(ImportRun).where(ImportRun.kind == "bpjs_status")).scalar_one()
    assert run.status == "rejected" and _count(session, MembershipStatus) == 0
    report = client.post(f"{BASE}/runs/{run.id}/report.csv", data={
        "csrf_token": _token(client), "purpose": PURPOSE})
    assert report.status_code == 200 and "3275010101990001" in report.get_data(as_text=True)
    assert _count(session, AuditEvent, AuditEvent.action == "import.report_download") == 1


def test_a_future_day_or_no_file_is_refused(client, session, members):
    login(client, "cw1")
    assert _upload(client, status_csv([row_of(members[0])]),
                   as_of="2026-07-11").status_code == 422
    no_file = client.post(f"{BASE}/status-files", data={"csrf_token": _token(client)})
    assert no_file.status_code == 422
    assert _count(session, ImportRun, ImportRun.kind == "bpjs_status") == 0


@pytest.mark.parametrize("username", ["head", "audit1"])
def test_heads_and_auditors_read_but_do_not_import(client, session, members, username):
    login(client, username)
    page = client.get(f"{BASE}/")
    assert page.status_code == 200 and 'data-testid="import-status"' not in page.get_data(
        as_text=True)
    assert 'data-testid="export-form"' in page.get_data(as_text=True)
    assert _upload(client, status_csv([row_of(members[0])])).status_code == 403
    assert _count(session, ImportRun, ImportRun.kind == "bpjs_status") == 0


def test_the_admin_does_not_see_the_page(client, members):
    login(client, "admin1")
    assert client.get(f"{BASE}/").status_code == 403


def test_the_export_is_an_audited_read_with_a_purpose(client, session, staff, members):
    with_status, without = members
    import_bpjs_status(session, status_csv([row_of(with_status, "AKTIF", "2026-06")]),
                       file_name="status.csv", as_of=date(2026, 7, 8), actor=staff["cw1"])
    session.commit()
    login(client, "audit1")
    refused = client.post(f"{BASE}/export", data={"csrf_token": _token(client),
                                                  "format": "csv", "purpose": "x"})
    assert refused.status_code == 422
    assert _count(session, AuditEvent, AuditEvent.action == "job.queued") == 0
    response = client.post(f"{BASE}/export", data={
        "csrf_token": _token(client), "format": "csv", "kind": "no_status",
        "purpose": PURPOSE})
    download = job_file(client, response)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][2] == without.worker.nik and rows[1][3] == without.kpj
    assert "Terdaftar, belum ada status BPJS" in rows[1][-1]
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "membership.differences_download")).scalar_one()
    assert event.reason == PURPOSE and event.actor_name == "audit1"
    assert '"kind":[null,"no_status"]' in event.diff and '"rows":[null,1]' in event.diff


def test_the_xlsx_export_carries_the_chain_head(client, session, members):
    from openpyxl import load_workbook
    login(client, "head")
    download = job_file(client, client.post(f"{BASE}/export", data={
        "csrf_token": _token(client), "format": "xlsx", "purpose": PURPOSE}))
    book = load_workbook(io.BytesIO(download.get_data()), read_only=True)
    first = list(book.worksheets[0].iter_rows(values_only=True))
    info = dict(row[:2] for row in book.worksheets[-1].iter_rows(values_only=True))
    assert len(first) == 3  # the header and both participants: no status yet
    assert any("(seq)" in str(label) for label in info)


def test_the_case_page_shows_the_status_at_bpjs(client, session, staff, members):
    member, other = members
    import_bpjs_status(session, status_csv([row_of(member, "NONAKTIF", "2026-05")]),
                       file_name="status.csv", as_of=date(2026, 7, 8), actor=staff["cw1"])
    session.commit()
    login(client, "cw1")
    page = client.get(f"/cases/{member.id}").get_data(as_text=True)
    assert 'data-testid="bpjs-status"' in page and "NONAKTIF" in page and "2026-05" in page
    assert 'data-testid="lapsed"' in page and "BPJS melaporkan NONAKTIF" in page
    plain = client.get(f"/cases/{other.id}").get_data(as_text=True)
    assert "belum ada status" in plain and 'data-testid="lapsed"' not in plain
