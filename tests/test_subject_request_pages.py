"""The data subject request pages: recording and answering, WIB times, masked NIKs of
people held only in imported data, reads recorded on every rendering, the auditor's
403s, the case page's restriction warning and lifting a restriction."""
import json
import re
from datetime import timedelta

from markupsafe import escape
from sqlalchemy import select

from models import DataSubjectRequest, clock
from models.clock import JAKARTA
from tests.factories import make_application, make_worker
from tests.helpers import csrf_token, login
from tests.subject_factories import (UNKNOWN_NIK, dtsen_only, events_mentioning, events_named,
                                     make_request, request_count)
from workflows.restrictions import processing_restricted
from workflows.subject_requests import NOTHING_HELD, resolve_request


def _post(client, path, data, page="/privacy/"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def test_caseworker_records_and_answers_a_request_on_the_pages(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    response = _post(client, "/privacy/new", {"nik": worker.nik, "kind": "correction",
                                              "requester_name": "Siti", "channel": "letter",
                                              "description": "Nomor HP berubah"})
    assert response.status_code == 302
    request = session.execute(select(DataSubjectRequest)).scalar_one()
    html = client.get("/privacy/").get_data(as_text=True)
    assert f'data-request="{request.id}"' in html and re.search(r"sisa \d+ jam", html)
    page = f"/privacy/{request.id}"
    unconfirmed = _post(client, page + "/resolve", {"outcome": "fulfilled", "note": "Diubah"},
                        page)
    assert unconfirmed.status_code == 422
    assert session.get(DataSubjectRequest, request.id).state == "open"
    done = _post(client, page + "/resolve", {"outcome": "fulfilled", "note": "Diubah",
                                             "confirm": "y"}, page)
    assert done.status_code == 302
    session.expire_all()
    assert session.get(DataSubjectRequest, request.id).state == "fulfilled"
    again = _post(client, page + "/resolve", {"outcome": "refused", "note": "x",
                                              "confirm": "y"}, page)
    assert again.status_code == 409 and "sudah dijawab" in again.get_data(as_text=True)


def test_a_letters_receipt_is_typed_in_jakarta_time(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    session.commit()
    login(client, "head")
    received = clock.now().astimezone(JAKARTA).replace(second=0, microsecond=0) - timedelta(hours=30)
    response = _post(client, "/privacy/new", {
        "nik": worker.nik, "kind": "restriction", "requester_name": "Kuasa hukum",
        "channel": "letter", "description": "Hentikan pemrosesan",
        "received_at": received.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    request = session.execute(select(DataSubjectRequest)).scalar_one()
    assert request.received_at == received and request.due_at == received + timedelta(hours=72)
    html = client.get(f"/privacy/{request.id}").get_data(as_text=True)
    assert 'data-testid="restricted"' in html and 'data-testid="export"' not in html


def test_unknown_nik_on_the_page_is_refused_with_the_message(app, client, session):
    login(client, "head")
    response = _post(client, "/privacy/new", {"nik": UNKNOWN_NIK, "kind": "access",
                                              "requester_name": "X", "channel": "email"})
    assert response.status_code == 422
    with app.test_request_context():
        assert str(escape(NOTHING_HELD)) in response.get_data(as_text=True)
    assert request_count(session) == 0 and events_mentioning(session, UNKNOWN_NIK) == 0


def test_a_dtsen_only_request_on_the_pages_shows_the_nik_masked(client, session, staff):
    person = dtsen_only(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    response = _post(client, "/privacy/new", {"nik": person.nik, "kind": "access",
                                              "requester_name": "Warga", "channel": "counter"})
    assert response.status_code == 302
    request = session.execute(select(DataSubjectRequest)).scalar_one()
    masked = "*" * 12 + person.nik[-4:]
    listing = client.get("/privacy/").get_data(as_text=True)
    assert masked in listing and person.nik not in listing
    detail = client.get(f"/privacy/{request.id}").get_data(as_text=True)
    subject = detail.split('data-testid="subject"', 1)[1].split("</dd>", 1)[0]
    assert masked in subject and person.nik not in detail
    assert 'data-testid="export"' in detail
    (view,) = events_named(session, "subject_request.view")
    assert (view.entity_type, view.entity_id) == ("data_subject_request", str(request.id))
    assert json.loads(view.diff)["worker_id"] == [None, None]


def test_every_rendering_of_a_request_is_a_recorded_read(client, session, staff):
    """Also the page shown again after a refused or incomplete answer (422, 409)."""
    worker = make_worker(session, staff["cw1"])
    access = make_request(session, staff["cw1"], worker)
    restriction = make_request(session, staff["cw1"], worker, kind="restriction")
    resolve_request(session, restriction, outcome="fulfilled", note="", actor=staff["cw1"])
    session.commit()
    login(client, "cw2")
    tries = ((access, "/resolve", {"outcome": "fulfilled"}, 422),  # not confirmed
             (restriction, "/lift", {"note": "Data benar"}, 422),
             (restriction, "/resolve", {"outcome": "refused", "note": "x", "confirm": "y"}, 409),
             (restriction, "/export", {}, 409))
    for request, action, data, status in tries:
        page = f"/privacy/{request.id}"
        token = csrf_token(client, page)
        before = len(events_named(session, "subject_request.view"))
        response = client.post(page + action, data={**data, "csrf_token": token})
        assert response.status_code == status, action
        assert worker.full_name in response.get_data(as_text=True)
        session.expire_all()
        views = events_named(session, "subject_request.view")
        assert len(views) == before + 1, action
        assert (views[-1].entity_id, views[-1].actor_name) == (str(request.id), "cw2")
        assert json.loads(views[-1].diff)["worker_id"] == [None, worker.id]


def test_overdue_requests_are_shown_in_red(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    late = make_request(session, staff["cw1"], worker,
                        received_at=clock.now() - timedelta(hours=80))
    session.commit()
    login(client, "audit1")
    html = client.get("/privacy/").get_data(as_text=True)
    row = html.split(f'data-request="{late.id}"', 1)[0].rsplit("<tr", 1)[1]
    assert "table-danger" in row
    assert 'data-testid="overdue"' in html and "lewat tenggat 8 jam" in html


def test_auditor_sees_requests_but_every_post_is_403(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    request = make_request(session, staff["cw1"], worker)
    session.commit()
    login(client, "audit1")
    assert 'data-testid="record-request"' not in client.get("/privacy/").get_data(as_text=True)
    detail = client.get(f"/privacy/{request.id}").get_data(as_text=True)
    assert "Pemohon Uji" in detail and 'data-testid="resolve"' not in detail
    (view,) = events_named(session, "subject_request.view")  # opening it is a recorded read
    assert (view.entity_id, view.actor_name) == (str(request.id), "audit1")
    assert 'data-testid="export"' not in detail
    for path, data in (("/privacy/new", {"nik": worker.nik, "kind": "access",
                                          "requester_name": "X", "channel": "email"}),
                       (f"/privacy/{request.id}/resolve", {"outcome": "fulfilled",
                                                           "confirm": "y"}),
                       (f"/privacy/{request.id}/export", {})):
        assert _post(client, path, data).status_code == 403, path
    assert request_count(session) == 1
    assert session.get(DataSubjectRequest, request.id).state == "open"


def test_the_case_page_warns_while_a_restriction_stands(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    page = f"/cases/{application.id}"
    assert 'data-testid="processing-restricted"' not in client.get(page).get_data(as_text=True)
    make_request(session, staff["cw1"], application.worker, kind="restriction")
    session.commit()
    assert 'data-testid="processing-restricted"' in client.get(page).get_data(as_text=True)


def test_lifting_on_the_page_needs_the_confirmation(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    restriction = make_request(session, staff["cw1"], worker, kind="restriction")
    resolve_request(session, restriction, outcome="fulfilled", note="", actor=staff["cw1"])
    session.commit()
    login(client, "cw2")
    page = f"/privacy/{restriction.id}"
    assert 'data-testid="lift"' in client.get(page).get_data(as_text=True)
    unconfirmed = _post(client, page + "/lift", {"note": "Data benar"}, page)
    assert unconfirmed.status_code == 422
    session.expire_all()
    assert processing_restricted(session, worker)
    done = _post(client, page + "/lift", {"note": "Data benar", "confirm": "y"}, page)
    assert done.status_code == 302
    session.expire_all()
    assert not processing_restricted(session, worker)
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="lifted"' in html and 'data-testid="lift"' not in html
