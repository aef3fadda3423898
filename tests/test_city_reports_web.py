"""The city reports on the Reports page: who sees which form, what each role may
generate, the purpose the by-name list needs, and refusals before anything is queued."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Job
from models.audit import READ_MARK
from tests.city_report_helpers import BEKASIJAYA, PURPOSE, members
from tests.factories import make_budget
from tests.helpers import csrf_token, job_file, job_result, login
from tests.report_helpers import diff_of, flat, pdf_pages, report_events, translated

CITY = ("city_participants", "city_budget", "city_coverage", "city_inpres")
SEES = {"head": set(CITY), "audit1": set(CITY),
        "cw1": {"city_participants", "city_coverage", "city_inpres"},
        "admin1": {"city_budget", "city_coverage", "city_inpres"}}


@pytest.mark.parametrize("user", sorted(SEES))
def test_each_role_sees_and_may_generate_its_city_reports(app, session, client, staff, user):
    make_budget(session, staff["admin1"], places=3)
    session.commit()
    login(client, user)
    page = client.get("/reports/").get_data(as_text=True)
    shown = {kind for kind in CITY if f'data-testid="report-{kind}"' in page}
    assert shown == SEES[user]
    token = csrf_token(client, "/reports/")
    data = {"csrf_token": token, "year": "2026", "semester": "2026-S1", "format": "xlsx",
            "purpose": PURPOSE}
    jobs = session.scalar(select(func.count()).select_from(Job))
    for kind in sorted(set(CITY) - SEES[user]):
        assert client.post(f"/reports/{kind}", data=data).status_code == 403
    assert session.scalar(select(func.count()).select_from(Job)) == jobs
    for kind in sorted(SEES[user]):
        response = job_file(client, client.post(f"/reports/{kind}", data=data))
        assert response.status_code == 200 and response.data.startswith(b"PK")


def test_the_auditor_reads_the_by_name_list_under_a_stated_purpose(app, session, client,
                                                                    staff):
    make_budget(session, staff["admin1"], places=3)
    member = members(session, staff, 1, kelurahan_code=BEKASIJAYA)[0]
    session.commit()
    login(client, "audit1")
    token = csrf_token(client, "/reports/")
    form = {"csrf_token": token, "year": "2026", "kelurahan": BEKASIJAYA, "format": "xlsx"}
    jobs = session.scalar(select(func.count()).select_from(Job))
    refused = client.post("/reports/city_participants", data=form)
    assert refused.status_code == 422
    assert translated(app, "State the purpose of this export (at least %(min)s characters); "
                           "it is kept in the audit log.", min=10) in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Job)) == jobs
    response = job_file(client, client.post("/reports/city_participants",
                                            data={**form, "purpose": PURPOSE}))
    book = load_workbook(io.BytesIO(response.data))
    assert member.worker.nik in [row[3] for row in book.worksheets[0].iter_rows(values_only=True)]
    generated = report_events(session, "report.generate")[-1]
    downloaded = report_events(session, "report.download")[-1]
    for event in (generated, downloaded):
        assert (event.actor_name, event.reason) == ("audit1", PURPOSE)
        assert diff_of(event)[READ_MARK] == "bulk"
    assert diff_of(downloaded)["destination"] == "http"
    pdf = job_file(client, client.post("/reports/city_participants",
                                       data={**form, "format": "pdf", "purpose": PURPOSE}))
    text = flat(" ".join(pdf_pages(pdf.data)))
    assert member.worker.full_name in text and member.worker.nik not in text


def test_bad_parameters_are_refused_on_the_page(app, session, client, staff):
    login(client, "head")
    token = csrf_token(client, "/reports/")
    jobs = session.scalar(select(func.count()).select_from(Job))
    for kind, data in (("city_inpres", {"semester": "2026-S3"}),
                       ("city_inpres", {"semester": "S1-2026"}),
                       ("city_coverage", {"year": "dua ribu"}),
                       ("city_participants", {"year": "2026", "kecamatan": "bekasi",
                                              "purpose": PURPOSE})):
        response = client.post(f"/reports/{kind}", data={"csrf_token": token, "format": "pdf",
                                                         **data})
        assert response.status_code == 422, (kind, data)
    assert session.scalar(select(func.count()).select_from(Job)) == jobs
    # A code of the right shape that names no kelurahan: the job finds it, says so.
    missing = client.post("/reports/city_participants", data={
        "csrf_token": token, "format": "pdf", "year": "2026", "kelurahan": "3275999999",
        "purpose": PURPOSE})
    assert job_result(client, missing) == "/reports/"
    assert translated(app, "There is no kelurahan %(code)s in that kecamatan.",
                      code="3275999999") in client.get("/reports/").get_data(as_text=True)
    # No budget year 2031 for the quarterly realisation.
    none = client.post("/reports/city_budget", data={"csrf_token": token, "format": "xlsx",
                                                     "year": "2031"})
    assert job_result(client, none) == "/reports/"
