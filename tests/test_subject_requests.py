"""Data subject requests (UU PDP): recording with the 3x24-hour deadline, answering,
restriction, the database's own checks, and the pages."""
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from models import AuditEvent, DataSubjectRequest
from models.base import utcnow
from reports.period import JAKARTA
from tests.factories import dtsen_csv, load_dtsen, make_application, make_worker
from tests.helpers import csrf_token, login
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports.datasets import import_dtsen, import_participants
from workflows.restrictions import processing_restricted
from workflows.subject_requests import (NOTHING_HELD, lift_restriction, record_request,
                                        resolve_request)

UNKNOWN_NIK = "3275014101900001"


# Someone in the DTSEN extract who never applied.
RESIDENT = SimpleNamespace(nik="3275016203850007", kk_number="3275010101990001",
                           full_name="Warga Dtsen", birth_date=date(1985, 3, 22), sex="P",
                           kelurahan_code="3275011001")


def dtsen_only(session, actor):
    load_dtsen(session, actor, [(RESIDENT, 2)])
    return RESIDENT


def _record(session, staff, worker, user="cw1", kind="access", **fields):
    values = {"nik": worker.nik, "kind": kind, "requester_name": "Pemohon Uji",
              "channel": "counter", "description": "Alamat salah ketik" if kind != "access"
              else None, **fields}
    return record_request(session, actor=staff[user], **values)


def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _count(session):
    return session.scalar(select(func.count()).select_from(DataSubjectRequest))


@pytest.mark.parametrize("user", ["cw1", "head"])
def test_caseworker_and_head_record_a_request_due_in_72_hours(session, staff, user):
    worker = make_worker(session, staff["cw1"])
    request = _record(session, staff, worker, user=user, requester_name="  Siti   Aminah ")
    assert (request.worker_id, request.state, request.requester_name) == (
        worker.id, "open", "Siti Aminah")
    assert request.due_at - request.received_at == timedelta(hours=72)
    assert request.recorded_by_id == staff[user].user_id
    (event,) = _events(session, "subject_request.record")
    diff = json.loads(event.diff)
    assert event.entity_id == str(request.id) and event.actor_name == user
    assert diff["kind"] == [None, "access"] and diff["requester_name"][1].startswith("hmac:")


def test_a_letter_counts_from_its_receipt_and_becomes_overdue(session, staff):
    worker = make_worker(session, staff["cw1"])
    arrived = utcnow() - timedelta(hours=73)
    request = _record(session, staff, worker, kind="correction", channel="letter",
                      received_at=arrived)
    assert request.due_at == arrived + timedelta(hours=72)
    assert request.is_overdue(utcnow())
    assert not request.is_overdue(arrived + timedelta(hours=71))
    with pytest.raises(InvalidInput):
        _record(session, staff, worker, received_at=utcnow() + timedelta(hours=1))


@pytest.mark.parametrize("user", ["audit1", "admin1"])
def test_auditor_and_admin_only_look(session, staff, user):
    worker = make_worker(session, staff["cw1"])
    with pytest.raises(NotAllowed):
        _record(session, staff, worker, user=user)
    request = _record(session, staff, worker)
    with pytest.raises(NotAllowed):
        resolve_request(session, request, outcome="fulfilled", note="", actor=staff[user])
    assert session.get(DataSubjectRequest, request.id).state == "open"


@pytest.mark.parametrize("held_in", ["dtsen", "participants", "problem_report"])
def test_a_nik_held_only_in_imported_data_is_recorded(session, staff, held_in):
    nik = RESIDENT.nik
    if held_in == "dtsen":
        dtsen_only(session, staff["cw1"])
    elif held_in == "participants":
        import_participants(session, io.BytesIO(f"nik,nama,sumber\n{nik},Warga,CSR\n".encode()),
                            file_name="csr.csv", as_of=date(2026, 1, 1), actor=staff["cw1"])
    else:  # the same NIK twice: a rejected file whose report quotes it
        assert import_dtsen(session, dtsen_csv([(RESIDENT, 2)] * 2), file_name="ganda.csv",
                            as_of=date(2026, 1, 1), actor=staff["cw1"]).rejected
    request = record_request(session, nik=f" {nik} ", kind="restriction", requester_name="Warga",
                             channel="counter", description="Jangan proses", actor=staff["cw1"])
    assert (request.nik, request.worker_id) == (nik, None)
    (event,) = _events(session, "subject_request.record")
    diff = json.loads(event.diff)
    assert (event.entity_type, event.entity_id) == ("data_subject_request", str(request.id))
    assert diff["nik"][1].startswith("hmac:") and nik not in event.diff
    assert processing_restricted(session, None, nik=nik)
    # Should they apply later, their case page shows the restriction too.
    applicant = make_worker(session, staff["cw1"], nik=nik, birth_date=RESIDENT.birth_date,
                            sex="P")
    assert processing_restricted(session, applicant)
    assert not processing_restricted(session, None, nik=UNKNOWN_NIK)


def _mentioning(session, text):
    return session.scalar(select(func.count()).select_from(AuditEvent).where(or_(
        AuditEvent.diff.contains(text), AuditEvent.reason.contains(text))))


def test_a_nik_held_nowhere_is_refused_without_quoting_it(session, staff):
    dtsen_only(session, staff["cw1"])  # someone else is held
    with pytest.raises(InvalidInput) as refused:
        record_request(session, nik=UNKNOWN_NIK, kind="access", requester_name="X",
                       channel="email", description=None, actor=staff["cw1"])
    assert refused.value.message is NOTHING_HELD and "holds no data" in str(NOTHING_HELD)
    assert UNKNOWN_NIK not in str(refused.value.message)
    assert _count(session) == 0 and not _events(session, "subject_request.record")
    assert _mentioning(session, UNKNOWN_NIK) == 0


@pytest.mark.parametrize("changes", [{"kind": "correction", "description": " "},
                                     {"kind": "restriction", "description": None},
                                     {"kind": "deletion"}, {"channel": "pigeon"},
                                     {"requester_name": " "}, {"nik": "32750141019"},
                                     {"nik": ""}, {"nik": "3275O14101900001"}])
def test_incomplete_requests_are_refused(session, staff, changes):
    worker = make_worker(session, staff["cw1"])
    with pytest.raises(InvalidInput):
        _record(session, staff, worker, **changes)
    assert _count(session) == 0


def test_resolve_once_and_a_second_answer_is_409(session, staff):
    worker = make_worker(session, staff["cw1"])
    request = _record(session, staff, worker)
    resolve_request(session, request, outcome="fulfilled", note="Ekspor diserahkan",
                    actor=staff["head"])
    assert (request.state, request.resolved_by_id) == ("fulfilled", staff["head"].user_id)
    assert request.resolved_at is not None
    with pytest.raises(InvalidTransition) as again:
        resolve_request(session, request, outcome="refused", note="x", actor=staff["cw1"])
    assert again.value.status == 409
    (event,) = _events(session, "subject_request.fulfil")
    assert event.reason == "Ekspor diserahkan"
    assert json.loads(event.diff)["state"] == ["open", "fulfilled"]
    assert not _events(session, "subject_request.decline")


def test_a_refusal_needs_its_grounds(session, staff):
    request = _record(session, staff, make_worker(session, staff["cw1"]), kind="correction")
    with pytest.raises(InvalidInput):
        resolve_request(session, request, outcome="refused", note="  ", actor=staff["cw1"])
    with pytest.raises(InvalidInput):
        resolve_request(session, request, outcome="maybe", note="x", actor=staff["cw1"])
    resolve_request(session, request, outcome="refused",
                    note="Pasal 33: data masih diperlukan untuk proses hukum",
                    actor=staff["cw1"])
    (event,) = _events(session, "subject_request.decline")
    assert event.reason.startswith("Pasal 33")


def test_processing_is_restricted_while_a_restriction_stands(session, staff):
    worker = make_worker(session, staff["cw1"])
    assert not processing_restricted(session, worker)
    _record(session, staff, worker, kind="correction")
    assert not processing_restricted(session, worker)
    standing = _record(session, staff, worker, kind="restriction")
    assert processing_restricted(session, worker)
    resolve_request(session, standing, outcome="fulfilled", note="", actor=staff["cw1"])
    assert processing_restricted(session, worker)
    other = make_worker(session, staff["cw1"])
    refused = _record(session, staff, other, kind="restriction")
    resolve_request(session, refused, outcome="refused", note="Kewajiban hukum",
                    actor=staff["cw1"])
    assert not processing_restricted(session, other)


_NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("changes", [
    {"state": "fulfilled"},  # closed without who and when
    {"resolved_at": _NOW},  # open but with a closing time
    {"due_at": _NOW},  # deadline not after receipt
    {"kind": "correction", "description": None},
    {"state": "refused", "resolved_at": _NOW, "resolution_note": ""},
    {"kind": "deletion"},
    {"channel": "pigeon"},
    # a lift only ends a granted restriction, and says who lifted it and why
    {"lifted_at": _NOW, "lift_note": "x"},
    {"kind": "restriction", "description": "d", "state": "fulfilled", "resolved_at": _NOW,
     "lifted_at": _NOW, "lift_note": "Data sudah benar"},
])
def test_the_database_refuses_an_inconsistent_request(session, staff, changes):
    worker = make_worker(session, staff["cw1"])
    values = {"nik": worker.nik, "worker_id": worker.id, "kind": "access", "state": "open",
              "requester_name": "X", "channel": "counter", "received_at": _NOW,
              "due_at": _NOW + timedelta(hours=72), "recorded_by_id": staff["cw1"].user_id,
              **changes}
    if values.get("resolved_at") and values["state"] != "open":
        values["resolved_by_id"] = staff["cw1"].user_id
    if values.get("lifted_at") and values["state"] == "open":
        values["lifted_by_id"] = staff["cw1"].user_id
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(DataSubjectRequest(**values))
        session.flush()


# --- pages -------------------------------------------------------------------------------

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
    received = datetime.now(JAKARTA).replace(second=0, microsecond=0) - timedelta(hours=30)
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
    assert _count(session) == 0 and _mentioning(session, UNKNOWN_NIK) == 0


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
    (view,) = _events(session, "subject_request.view")
    assert (view.entity_type, view.entity_id) == ("data_subject_request", str(request.id))
    assert json.loads(view.diff)["worker_id"] == [None, None]


def test_every_rendering_of_a_request_is_a_recorded_read(client, session, staff):
    """Also the page shown again after a refused or incomplete answer (422, 409)."""
    worker = make_worker(session, staff["cw1"])
    access = _record(session, staff, worker)
    restriction = _record(session, staff, worker, kind="restriction")
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
        before = len(_events(session, "subject_request.view"))
        response = client.post(page + action, data={**data, "csrf_token": token})
        assert response.status_code == status, action
        assert worker.full_name in response.get_data(as_text=True)
        session.expire_all()
        views = _events(session, "subject_request.view")
        assert len(views) == before + 1, action
        assert (views[-1].entity_id, views[-1].actor_name) == (str(request.id), "cw2")
        assert json.loads(views[-1].diff)["worker_id"] == [None, worker.id]


def test_overdue_requests_are_shown_in_red(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    late = _record(session, staff, worker, received_at=utcnow() - timedelta(hours=80))
    session.commit()
    login(client, "audit1")
    html = client.get("/privacy/").get_data(as_text=True)
    row = html.split(f'data-request="{late.id}"', 1)[0].rsplit("<tr", 1)[1]
    assert "table-danger" in row
    assert 'data-testid="overdue"' in html and "lewat tenggat 8 jam" in html


def test_auditor_sees_requests_but_every_post_is_403(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    request = _record(session, staff, worker)
    session.commit()
    login(client, "audit1")
    assert 'data-testid="record-request"' not in client.get("/privacy/").get_data(as_text=True)
    detail = client.get(f"/privacy/{request.id}").get_data(as_text=True)
    assert "Pemohon Uji" in detail and 'data-testid="resolve"' not in detail
    (view,) = _events(session, "subject_request.view")  # opening it is a recorded read
    assert (view.entity_id, view.actor_name) == (str(request.id), "audit1")
    assert 'data-testid="export"' not in detail
    for path, data in (("/privacy/new", {"nik": worker.nik, "kind": "access",
                                          "requester_name": "X", "channel": "email"}),
                       (f"/privacy/{request.id}/resolve", {"outcome": "fulfilled",
                                                           "confirm": "y"}),
                       (f"/privacy/{request.id}/export", {})):
        assert _post(client, path, data).status_code == 403, path
    assert _count(session) == 1
    assert session.get(DataSubjectRequest, request.id).state == "open"


def test_the_case_page_warns_while_a_restriction_stands(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    page = f"/cases/{application.id}"
    assert 'data-testid="processing-restricted"' not in client.get(page).get_data(as_text=True)
    _record(session, staff, application.worker, kind="restriction")
    session.commit()
    assert 'data-testid="processing-restricted"' in client.get(page).get_data(as_text=True)


def test_a_granted_restriction_is_lifted_once_with_its_reason(session, staff):
    worker = make_worker(session, staff["cw1"])
    restriction = _record(session, staff, worker, kind="restriction")
    with pytest.raises(InvalidTransition):  # not granted yet
        lift_restriction(session, restriction, note="Data benar", actor=staff["cw1"])
    resolve_request(session, restriction, outcome="fulfilled", note="", actor=staff["cw1"])
    with pytest.raises(NotAllowed):
        lift_restriction(session, restriction, note="Data benar", actor=staff["audit1"])
    with pytest.raises(InvalidInput):
        lift_restriction(session, restriction, note="  ", actor=staff["cw1"])
    assert processing_restricted(session, worker)
    lift_restriction(session, restriction, note="Data terbukti benar", actor=staff["head"])
    assert not processing_restricted(session, worker)
    assert restriction.lifted_by_id == staff["head"].user_id
    (event,) = _events(session, "subject_request.lift")
    assert event.reason == "Data terbukti benar" and event.actor_name == "head"
    with pytest.raises(InvalidTransition):
        lift_restriction(session, restriction, note="lagi", actor=staff["cw1"])
    access = _record(session, staff, worker)
    resolve_request(session, access, outcome="fulfilled", note="", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        lift_restriction(session, access, note="bukan pembatasan", actor=staff["cw1"])


def test_lifting_on_the_page_needs_the_confirmation(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    restriction = _record(session, staff, worker, kind="restriction")
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
