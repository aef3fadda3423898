"""The Imports page for issue 14 items 2 and 7: the DTSEN form asks full or partial; a
full update that would shrink the data aktual comes back held, with what it would do,
until confirmed (box ticked), applied as partial, or cancelled; a rejected import shows
its first problems on the page. Jobs run at once here (JOB_QUEUE immediate)."""
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import DtsenRecord, ImportRun, Job
from tests.helpers import csrf_token, job_result, login
from tests.test_dtsen_scope import kecamatan_rows, seed_aktual
from tests.test_imports import DTSEN_HEADER, count
from workflows.imports.datasets import current_dataset


def _csv(rows) -> io.BytesIO:
    lines = [",".join(DTSEN_HEADER)] + [",".join(r) for r in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


@pytest.fixture
def aktual(session, staff, tmp_path):
    return seed_aktual(session, staff, tmp_path)


def _upload(client, rows, name="dua.csv", **fields):
    return client.post("/imports/dtsen", data={
        "csrf_token": csrf_token(client, "/imports/"), "file": (_csv(rows), name),
        "as_of": "2026-02-01", **fields}, content_type="multipart/form-data")


def _decide(client, run_id, **fields):
    return client.post(f"/imports/{run_id}/decide",
                       data={"csrf_token": csrf_token(client, "/imports/"), **fields})


def _two_rows():
    return kecamatan_rows(1, 1, "327501") + kecamatan_rows(1, 50, "327501")


def _latest_run(session) -> ImportRun:
    return session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)
                           ).scalar_one()


def _jobs(session) -> int:
    return session.scalar(select(func.count()).select_from(Job))


def _testid(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    return match and match.group(1)


def test_a_small_full_upload_is_held_with_what_it_would_do(client, session, aktual):
    login(client, "cw1")
    response = _upload(client, _two_rows())
    run = _latest_run(session)
    assert (run.status, run.scope) == ("held", "full")
    assert job_result(client, response) == f"/imports/?run={run.id}"
    assert current_dataset(session, "dtsen").id == aktual.id
    assert json.loads(session.execute(select(Job).order_by(Job.id.desc())).scalars().first()
                      .outcome)["category"] == "warning"
    page = client.get(f"/imports/?run={run.id}").get_data(as_text=True)
    assert f'data-testid="held-{run.id}"' in page
    assert (_testid(page, "rows-now"), _testid(page, "rows-new")) == ("10", "2")
    assert _testid(page, "kecamatan-missing") == "Bekasi Barat"
    assert 'data-testid="understood"' in page and 'data-testid="apply-partial"' in page


def test_full_without_the_box_ticked_changes_nothing(client, session, aktual):
    login(client, "cw1")
    _upload(client, _two_rows())
    run, jobs = _latest_run(session), _jobs(session)
    response = _decide(client, run.id, decision="full")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/imports/?run={run.id}")
    assert _jobs(session) == jobs and session.get(ImportRun, run.id).status == "held"
    assert current_dataset(session, "dtsen").id == aktual.id


def test_full_with_the_box_ticked_replaces_the_data_aktual(client, session, aktual):
    login(client, "cw1")
    _upload(client, _two_rows())
    run = _latest_run(session)
    response = _decide(client, run.id, decision="full", understood="yes")
    assert job_result(client, response) == f"/imports/?run={run.id}"
    session.refresh(run)
    assert (run.status, run.scope) == ("applied", "full")
    assert current_dataset(session, "dtsen").id == run.id and count(session, DtsenRecord,
                                                                     run) == 2


def test_partial_instead_merges_and_a_second_click_changes_nothing(client, session, aktual):
    login(client, "cw1")
    _upload(client, _two_rows())
    run = _latest_run(session)
    job_result(client, _decide(client, run.id, decision="partial"))
    session.refresh(run)
    assert (run.status, run.scope) == ("applied", "partial")
    assert count(session, DtsenRecord, run) == 11 and current_dataset(session,
                                                                      "dtsen").id == run.id
    again = _decide(client, run.id, decision="full", understood="yes")
    assert job_result(client, again) == "/imports/"
    failed = session.execute(select(Job).order_by(Job.id.desc())).scalars().first()
    assert failed.status == "failed" and "no longer waiting" in failed.outcome
    session.refresh(run)
    assert run.scope == "partial" and count(session, DtsenRecord, run) == 11
    assert 'data-testid="held-' not in client.get("/imports/").get_data(as_text=True)


def test_cancel_removes_the_staged_rows(client, session, aktual):
    login(client, "cw1")
    _upload(client, _two_rows())
    run = _latest_run(session)
    page = client.get("/imports/").get_data(as_text=True)
    assert re.search(r'<form[^>]*data-confirm="[^"]+">\s*<input[^>]*>\s*<button[^>]*'
                     r'value="cancel"', page)  # asked first (static/js/confirm.js)
    job_result(client, _decide(client, run.id, decision="cancel"))
    session.refresh(run)
    assert run.status == "cancelled" and count(session, DtsenRecord, run) == 0
    assert current_dataset(session, "dtsen").id == aktual.id


def test_an_upload_declared_partial_is_merged_at_once(client, session, aktual):
    login(client, "cw1")
    job_result(client, _upload(client, _two_rows(), scope="partial"))
    run = _latest_run(session)
    assert (run.status, run.scope) == ("applied", "partial")
    assert current_dataset(session, "dtsen").id == run.id and count(session, DtsenRecord,
                                                                     run) == 11


def test_bad_scope_and_an_earlier_partial_change_nothing(client, session, aktual):
    login(client, "cw1")
    runs, jobs = count(session, ImportRun), _jobs(session)
    response = _upload(client, _two_rows(), scope="semua")
    assert response.status_code == 302 and _jobs(session) == jobs
    earlier = _upload(client, _two_rows(), scope="partial", as_of="2026-01-01")
    assert job_result(client, earlier) == "/imports/"
    assert count(session, ImportRun) == runs and count(session, DtsenRecord) == 10
    assert current_dataset(session, "dtsen").as_of == date(2026, 1, 15)


def test_the_form_asks_the_scope_with_full_preselected(client):
    login(client, "cw1")
    page = client.get("/imports/").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="scope" value="full"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="scope" value="partial"', page)


def test_only_importers_decide(client, session, aktual):
    login(client, "cw1")
    _upload(client, _two_rows())
    run = _latest_run(session)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "audit1")
    assert _decide(client, run.id, decision="partial").status_code == 403
    assert session.get(ImportRun, run.id).status == "held"


def test_a_rejected_import_shows_its_first_problems_on_the_page(client, session):
    login(client, "cw1")
    rows = kecamatan_rows(25, 1, "327501")
    for row in rows:
        row[6] = "11"
    response = _upload(client, rows)
    run = _latest_run(session)
    assert run.status == "rejected" and run.error_count == 25
    assert job_result(client, response) == f"/imports/?run={run.id}"
    page = client.get(f"/imports/?run={run.id}").get_data(as_text=True)
    card = page[page.index('data-testid="import-problems"'):]
    card = card[:card.index("</table>")]
    shown = re.findall(r"<tr><td>(\d+)</td><td>desil</td><td>([^<]+)</td></tr>", card)
    assert [int(r) for r, _ in shown] == list(range(2, 22))  # the first 20 rows
    assert {m for _, m in shown} == {"desil harus berupa bilangan bulat dari 1 sampai 10."}
    assert rows[0][0] not in card  # the values stay in the CSV behind a purpose
    assert 'data-testid="problems-download"' in page


def test_problems_are_shown_only_to_who_uploaded_the_file(client, session, staff):
    """Their messages quote the file's values: a colleague reads them in the CSV, behind
    a purpose."""
    login(client, "cw1")
    rows = kecamatan_rows(2, 1, "327501")
    rows[0][6] = "0"
    _upload(client, rows)
    run = _latest_run(session)
    assert 'data-testid="import-problems"' in client.get(
        f"/imports/?run={run.id}").get_data(as_text=True)
    for other in ("cw2", "admin1"):  # admins import, but the DTSEN report is for caseworkers
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
        login(client, other)
        page = client.get(f"/imports/?run={run.id}").get_data(as_text=True)
        assert 'data-testid="import-runs"' in page
        assert 'data-testid="import-problems"' not in page
    assert client.get(f"/imports/?run={2**64}").status_code == 200  # no such run
