"""Data subject requests (UU PDP): recording with the 3x24-hour deadline, answering,
restriction and its lifting, and the database's own checks (the pages:
test_subject_request_pages.py)."""
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from models import DataSubjectRequest, clock
from tests.factories import dtsen_csv, make_worker
from tests.subject_factories import (RESIDENT, UNKNOWN_NIK, dtsen_only, events_mentioning,
                                     events_named, make_request, request_count)
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports.datasets import import_dtsen, import_participants
from workflows.restrictions import processing_restricted
from workflows.subject_requests import (NOTHING_HELD, lift_restriction, record_request,
                                        resolve_request)

@pytest.mark.parametrize("user", ["cw1", "head"])
def test_caseworker_and_head_record_a_request_due_in_72_hours(session, staff, user):
    worker = make_worker(session, staff["cw1"])
    request = make_request(session, staff[user], worker, requester_name="  Siti   Aminah ")
    assert (request.worker_id, request.state, request.requester_name) == (
        worker.id, "open", "Siti Aminah")
    assert request.due_at - request.received_at == timedelta(hours=72)
    assert request.recorded_by_id == staff[user].user_id
    (event,) = events_named(session, "subject_request.record")
    diff = json.loads(event.diff)
    assert event.entity_id == str(request.id) and event.actor_name == user
    assert diff["kind"] == [None, "access"] and diff["requester_name"][1].startswith("hmac:")


def test_a_letter_counts_from_its_receipt_and_becomes_overdue(session, staff):
    worker = make_worker(session, staff["cw1"])
    arrived = clock.now() - timedelta(hours=73)
    request = make_request(session, staff["cw1"], worker, kind="correction", channel="letter",
                           received_at=arrived)
    assert request.due_at == arrived + timedelta(hours=72)
    assert request.is_overdue(clock.now())
    assert not request.is_overdue(arrived + timedelta(hours=71))
    with pytest.raises(InvalidInput):
        make_request(session, staff["cw1"], worker, received_at=clock.now() + timedelta(hours=1))


@pytest.mark.parametrize("user", ["audit1", "admin1"])
def test_auditor_and_admin_only_look(session, staff, user):
    worker = make_worker(session, staff["cw1"])
    with pytest.raises(NotAllowed):
        make_request(session, staff[user], worker)
    request = make_request(session, staff["cw1"], worker)
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
    (event,) = events_named(session, "subject_request.record")
    diff = json.loads(event.diff)
    assert (event.entity_type, event.entity_id) == ("data_subject_request", str(request.id))
    assert diff["nik"][1].startswith("hmac:") and nik not in event.diff
    assert processing_restricted(session, None, nik=nik)
    # Should they apply later, their case page shows the restriction too.
    applicant = make_worker(session, staff["cw1"], nik=nik, birth_date=RESIDENT.birth_date,
                            sex="P")
    assert processing_restricted(session, applicant)
    assert not processing_restricted(session, None, nik=UNKNOWN_NIK)


def test_a_nik_held_nowhere_is_refused_without_quoting_it(session, staff):
    dtsen_only(session, staff["cw1"])  # someone else is held
    with pytest.raises(InvalidInput) as refused:
        record_request(session, nik=UNKNOWN_NIK, kind="access", requester_name="X",
                       channel="email", description=None, actor=staff["cw1"])
    assert refused.value.message is NOTHING_HELD and "holds no data" in str(NOTHING_HELD)
    assert UNKNOWN_NIK not in str(refused.value.message)
    assert request_count(session) == 0 and not events_named(session, "subject_request.record")
    assert events_mentioning(session, UNKNOWN_NIK) == 0


@pytest.mark.parametrize("changes", [{"kind": "correction", "description": " "},
                                     {"kind": "restriction", "description": None},
                                     {"kind": "deletion"}, {"channel": "pigeon"},
                                     {"requester_name": " "}, {"nik": "32750141019"},
                                     {"nik": ""}, {"nik": "3275O14101900001"}])
def test_incomplete_requests_are_refused(session, staff, changes):
    worker = make_worker(session, staff["cw1"])
    with pytest.raises(InvalidInput):
        make_request(session, staff["cw1"], worker, **changes)
    assert request_count(session) == 0


def test_resolve_once_and_a_second_answer_is_409(session, staff):
    worker = make_worker(session, staff["cw1"])
    request = make_request(session, staff["cw1"], worker)
    resolve_request(session, request, outcome="fulfilled", note="Ekspor diserahkan",
                    actor=staff["head"])
    assert (request.state, request.resolved_by_id) == ("fulfilled", staff["head"].user_id)
    assert request.resolved_at is not None
    with pytest.raises(InvalidTransition) as again:
        resolve_request(session, request, outcome="refused", note="x", actor=staff["cw1"])
    assert again.value.status == 409
    (event,) = events_named(session, "subject_request.fulfil")
    assert event.reason == "Ekspor diserahkan"
    assert json.loads(event.diff)["state"] == ["open", "fulfilled"]
    assert not events_named(session, "subject_request.decline")


def test_a_refusal_needs_its_grounds(session, staff):
    request = make_request(session, staff["cw1"], make_worker(session, staff["cw1"]),
                           kind="correction")
    with pytest.raises(InvalidInput):
        resolve_request(session, request, outcome="refused", note="  ", actor=staff["cw1"])
    with pytest.raises(InvalidInput):
        resolve_request(session, request, outcome="maybe", note="x", actor=staff["cw1"])
    resolve_request(session, request, outcome="refused",
                    note="Pasal 33: data masih diperlukan untuk proses hukum",
                    actor=staff["cw1"])
    (event,) = events_named(session, "subject_request.decline")
    assert event.reason.startswith("Pasal 33")


def test_processing_is_restricted_while_a_restriction_stands(session, staff):
    worker = make_worker(session, staff["cw1"])
    assert not processing_restricted(session, worker)
    make_request(session, staff["cw1"], worker, kind="correction")
    assert not processing_restricted(session, worker)
    standing = make_request(session, staff["cw1"], worker, kind="restriction")
    assert processing_restricted(session, worker)
    resolve_request(session, standing, outcome="fulfilled", note="", actor=staff["cw1"])
    assert processing_restricted(session, worker)
    other = make_worker(session, staff["cw1"])
    refused = make_request(session, staff["cw1"], other, kind="restriction")
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


def test_a_granted_restriction_is_lifted_once_with_its_reason(session, staff):
    worker = make_worker(session, staff["cw1"])
    restriction = make_request(session, staff["cw1"], worker, kind="restriction")
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
    (event,) = events_named(session, "subject_request.lift")
    assert event.reason == "Data terbukti benar" and event.actor_name == "head"
    with pytest.raises(InvalidTransition):
        lift_restriction(session, restriction, note="lagi", actor=staff["cw1"])
    access = make_request(session, staff["cw1"], worker)
    resolve_request(session, access, outcome="fulfilled", note="", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        lift_restriction(session, access, note="bukan pembatasan", actor=staff["cw1"])
