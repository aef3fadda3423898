"""The intake, worklist and case pages, through the web layer with CSRF."""
import io
import re
from datetime import timedelta

from sqlalchemy import select

from models import Application, AuditEvent, Worker
from tests.factories import load_dtsen, make_submitted, png_bytes
from tests.helpers import csrf_token, login

INTAKE = {"nik": "3275014502900007", "kk_number": "3275010101000777",
          "full_name": "Siti Aminah", "birth_place": "Bekasi", "birth_date": "1990-02-05",
          "sex": "P", "address": "Jl. Melati No. 3", "rt": "001", "rw": "004",
          "kelurahan_code": "3275011002", "phone": "081298765432", "category": "pedagang",
          "occupation": "PKL", "monthly_income": "1800000", "intake_channel": "walk_in",
          "program_year": "2026"}


def _post(client, page, path, data=None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)},
                       **kwargs)


def _intake(client, **changes):
    return _post(client, "/cases/new", "/cases/new", {**INTAKE, **changes})


def test_intake_upload_submit_and_verify_by_a_second_caseworker(client, session, staff):
    login(client, "cw1")
    response = _intake(client)
    assert response.status_code == 302
    application_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/cases/{application_id}"
    for code in ("ktp", "kk", "pernyataan_penghasilan"):
        upload = _post(client, page, f"{page}/documents", {
            f"file-{code}": (io.BytesIO(png_bytes()), f"{code}.png")},
            content_type="multipart/form-data")
        assert upload.status_code == 302, upload.get_data(as_text=True)[-500:]
    worker = session.execute(select(Worker).where(Worker.nik == INTAKE["nik"])).scalar_one()
    load_dtsen(session, staff["cw1"], [(worker, 2)])
    session.commit()
    assert _post(client, page, f"{page}/submit").status_code == 302

    refused = _post(client, page, f"{page}/verify")
    assert refused.status_code == 403
    assert "caseworker lain" in refused.get_data(as_text=True) or "petugas lain" in (
        refused.get_data(as_text=True))

    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "cw2")
    assert _post(client, page, f"{page}/verify").status_code == 302
    assert session.get(Application, application_id).state == "verified"
    again = _post(client, page, f"{page}/verify")
    assert again.status_code == 409
    actions = session.execute(select(AuditEvent.action).where(
        AuditEvent.entity_type == "application", AuditEvent.entity_id == str(application_id),
        AuditEvent.action != "application.view")  # page reads: tests/test_personal_data_reads
        .order_by(AuditEvent.seq)).scalars().all()
    # cw1 verifying their own intake and cw2's second click are refused attempts, logged
    assert actions == ["application.open", "application.submit", "eligibility.evaluate",
                       "cases.verify.refused", "application.verify", "cases.verify.refused"]


def test_intake_refuses_a_nik_whose_birth_date_disagrees_and_saves_nothing(client, session):
    login(client, "cw1")
    response = _intake(client, birth_date="1990-02-06")
    assert response.status_code == 422
    assert "1990-02-05" in response.get_data(as_text=True)
    assert session.execute(select(Worker).where(Worker.nik == INTAKE["nik"])).first() is None


def test_intake_explains_a_nik_already_registered(client, session):
    login(client, "cw1")
    assert _intake(client).status_code == 302
    second = _intake(client, program_year="2027")
    assert second.status_code == 409 and "Siti Aminah" in second.get_data(as_text=True)


def test_return_needs_a_reason_on_the_page(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    page = f"/cases/{application.id}"
    assert _post(client, page, f"{page}/return", {"reason": ""}).status_code == 422
    assert _post(client, page, f"{page}/return", {"reason": "Foto KTP buram"}).status_code == 302


def test_head_and_auditor_cannot_act_on_cases(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    login(client, "audit1")
    assert client.get(page).status_code == 200
    assert _post(client, page, f"{page}/verify").status_code == 403
    assert client.get("/cases/new").status_code == 403


def test_worklist_is_oldest_first_filtered_and_paged_without_counting(client, session, staff):
    apps = [make_submitted(session, staff["cw1"], kelurahan_code=code)
            for code in ("3275011001", "3275071003", "3275011002")]
    for age, application in zip((3, 9, 5), apps):
        application.submitted_at = application.submitted_at - timedelta(days=age)
    session.commit()
    login(client, "cw2")
    html = client.get("/cases/").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'href="/cases/(\d+)"', html)]
    assert ids == [apps[1].id, apps[2].id, apps[0].id]
    html = client.get("/cases/?kecamatan=327507").get_data(as_text=True)
    assert re.findall(r'href="/cases/(\d+)"', html) == [str(apps[1].id)]
    html = client.get("/cases/?min_age_days=4").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'href="/cases/(\d+)"', html)] == [apps[1].id, apps[2].id]


def test_worklist_pages_by_cursor(app, session, staff):
    from reports.worklist import WorklistFilter, worklist_page
    for _ in range(5):
        make_submitted(session, staff["cw1"])
    first, cursor = worklist_page(session, WorklistFilter(), page_size=2)
    second, cursor2 = worklist_page(session, WorklistFilter(), after=cursor, page_size=2)
    third, cursor3 = worklist_page(session, WorklistFilter(), after=cursor2, page_size=2)
    ids = [r.application_id for r in first + second + third]
    assert len(ids) == 5 and len(set(ids)) == 5 and cursor3 is None


def test_document_download_for_auditor(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    html = client.get(f"/cases/{application.id}").get_data(as_text=True)
    link = re.search(rf'href="(/cases/{application.id}/documents/\d+)"', html).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response.data == png_bytes()
    assert response.headers["Content-Type"] == "image/png"


def test_intake_reads_rupiah_as_people_write_it_and_says_what_a_phone_needs(client, session):
    login(client, "cw1")
    for nik, kk, written in (("3275014502900011", "3275010101000811", "Rp 2.400.000"),
                             ("3275014502900029", "3275010101000829", "2.400.000,00")):
        response = _intake(client, nik=nik, kk_number=kk, monthly_income=written)
        assert response.status_code == 302, response.get_data(as_text=True)[-300:]
        worker = session.execute(select(Worker).where(Worker.nik == nik)).scalar_one()
        assert worker.monthly_income == 2_400_000
    refused = _intake(client, nik="3275014502900037", monthly_income="2,4 juta",
                      phone="0812").get_data(as_text=True)
    assert "Tulis jumlah dalam rupiah bulat, misalnya 2.400.000." in refused
    assert "Nomor telepon terdiri dari 8 sampai 15 digit, boleh diawali +." in refused
    assert 'inputmode="numeric"' in client.get("/cases/new").get_data(as_text=True)


def test_the_intake_page_is_titled_for_what_it_is(client, session):
    login(client, "cw1")
    title = re.search(r"<title>(.*?)</title>", client.get("/cases/new").get_data(as_text=True))
    assert title.group(1) == "Kasus - Permohonan baru - SIGAP Disnaker Kota Bekasi"
