"""Correcting a worker's data: the verb's rules (roles, reason, validation, frozen
states, audit) and the case page's correction card."""
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, AuditEvent, EligibilityEvaluation, Worker
from tests.factories import enrol, make_application, make_budget, make_submitted, make_verified
from tests.helpers import csrf_token, login
from workflows.approval import approve_batch, decline_application
from workflows.audit.masking import mask
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.worker_corrections import (EDITABLE_FIELDS, FROZEN_ONCE_APPROVED,
                                          correct_worker, correctable_fields)

REASON = "Permintaan koreksi no. 12"
OTHER_KK = "3275010101999912"


def _corrections(session, worker_id: int) -> list[AuditEvent]:
    return session.execute(select(AuditEvent).where(
        AuditEvent.action == "worker.correct", AuditEvent.entity_id == str(worker_id))
        .order_by(AuditEvent.seq)).scalars().all()


def _snapshot(worker: Worker) -> dict:
    return {name: getattr(worker, name) for name in EDITABLE_FIELDS}


@pytest.mark.parametrize("username", ["cw1", "head"])
def test_caseworker_or_head_corrects_with_one_masked_audit_event(session, staff, username):
    worker = make_application(session, staff["cw1"]).worker
    correction = correct_worker(session, worker, actor=staff[username], reason=f"  {REASON} ",
                                changes={"address": "Jl. Mawar No. 7", "rt": "003",
                                         "phone": "", "full_name": "Pekerja Uji Benar",
                                         "occupation": "PKL"})  # unchanged: not in the diff
    assert set(correction.fields) == {"address", "rt", "phone", "full_name"}
    assert not correction.affects_eligibility
    assert (worker.address, worker.rt, worker.phone) == ("Jl. Mawar No. 7", "003", None)
    (event,) = _corrections(session, worker.id)
    diff = json.loads(event.diff)
    assert event.reason == REASON and event.actor_name == username
    assert set(diff) == {"address", "rt", "phone", "full_name"}
    assert diff["rt"] == ["001", "003"]  # not personal: in clear
    assert diff["address"] == [mask("Jl. Uji No. 1"), mask("Jl. Mawar No. 7")]
    assert diff["phone"] == [mask("081234567890"), None]
    assert "Benar" not in event.diff and "Mawar" not in event.diff


@pytest.mark.parametrize("username", ["audit1", "admin1"])
def test_auditor_and_admin_may_not_correct(session, staff, username):
    worker = make_application(session, staff["cw1"]).worker
    with pytest.raises(NotAllowed):
        correct_worker(session, worker, changes={"address": "Jl. Lain"}, reason=REASON,
                       actor=staff[username])
    assert worker.address == "Jl. Uji No. 1" and not _corrections(session, worker.id)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(session, staff, reason):
    worker = make_application(session, staff["cw1"]).worker
    with pytest.raises(InvalidInput):
        correct_worker(session, worker, changes={"address": "Jl. Lain"}, reason=reason,
                       actor=staff["cw1"])
    assert worker.address == "Jl. Uji No. 1"


def test_nothing_to_correct_is_refused(session, staff):
    worker = make_application(session, staff["cw1"]).worker
    same = {**_snapshot(worker), "address": f"  {worker.address} "}
    with pytest.raises(InvalidInput, match="Nothing to correct"):
        correct_worker(session, worker, changes=same, reason=REASON, actor=staff["cw1"])
    assert not _corrections(session, worker.id)


@pytest.mark.parametrize("changes,says", [
    ({"rt": "12a"}, "RT and RW"),
    ({"rw": "1234"}, "at most 3"),
    ({"kk_number": "32750101010001"}, "16 digits"),
    ({"kk_number": "3275 0101 0100 0199"}, "16 digits"),
    ({"kelurahan_code": "3275999999"}, "Unknown kelurahan"),
    ({"birth_date": date(1991, 8, 1)}, "NIK gives birth date"),
    ({"birth_date": None}, "empty"),
    ({"sex": "P"}, "marks a man"),
    ({"sex": "X"}, "L or P"),
    ({"phone": "0812"}, "phone number"),
    ({"full_name": "  "}, "required"),
    ({"occupation": "x" * 101}, "at most 100"),
    ({"nik": "3275010108900001"}, "new registration"),
    ({"monthly_income": 1}, "cannot be corrected here"),
])
def test_invalid_values_are_refused_and_nothing_changes(session, staff, changes, says):
    worker = make_application(session, staff["cw1"]).worker
    before = _snapshot(worker)
    with pytest.raises(InvalidInput, match=says):
        correct_worker(session, worker, changes={"address": "Jl. Baru", **changes},
                       reason=REASON, actor=staff["cw1"])
    session.expire_all()
    assert _snapshot(session.get(Worker, worker.id)) == before
    assert not _corrections(session, worker.id)


def _evaluations(session, application) -> int:
    return session.scalar(select(func.count()).select_from(EligibilityEvaluation).where(
        EligibilityEvaluation.application_id == application.id))


def test_a_change_eligibility_reads_is_flagged_and_evaluations_stay(session, staff):
    application = make_submitted(session, staff["cw1"])
    evaluations = _evaluations(session, application)
    kk = correct_worker(session, application.worker, changes={"kk_number": OTHER_KK},
                        reason="salah ketik saat intake", actor=staff["cw2"])
    assert kk.fields == ("kk_number",) and kk.affects_eligibility
    moved = correct_worker(session, application.worker, reason="pindah domisili",
                           changes={"kelurahan_code": "3275071003"}, actor=staff["cw2"])
    assert not moved.affects_eligibility  # eligibility does not read the kelurahan
    assert _evaluations(session, application) == evaluations
    assert application.worker.kk_number == OTHER_KK


def test_verified_and_closed_cases_are_correctable_in_full(session, staff):
    verified = make_verified(session, staff["cw1"], staff["cw2"])
    assert correctable_fields(session, verified.worker) == EDITABLE_FIELDS
    assert correct_worker(session, verified.worker, changes={"kk_number": OTHER_KK},
                          reason=REASON, actor=staff["cw1"]).affects_eligibility
    decline_application(session, verified, reason="Data tidak sesuai", actor=staff["head"])
    assert correctable_fields(session, verified.worker) == EDITABLE_FIELDS
    correct_worker(session, verified.worker, changes={"kelurahan_code": "3275011002"},
                   reason=REASON, actor=staff["cw1"])


def _approved(session, staff, state: str) -> Application:
    make_budget(session, staff["admin1"], places=1)
    if state == "enrolled":
        return enrol(session, staff)[0]
    application = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[application.id],
                  sk_number="SK-KOREKSI-1", sk_date=date(2026, 1, 5), actor=staff["head"])
    return application


@pytest.mark.parametrize("state", ["approved", "enrolled"])
def test_once_approved_the_decision_fields_are_frozen_contact_data_is_not(session, staff,
                                                                          state):
    application = _approved(session, staff, state)
    assert application.state == state
    worker = application.worker
    assert set(correctable_fields(session, worker)) == set(EDITABLE_FIELDS) - FROZEN_ONCE_APPROVED
    for frozen in ({"kk_number": OTHER_KK}, {"kelurahan_code": "3275071003"}):
        with pytest.raises(InvalidTransition, match="no longer be corrected"):
            correct_worker(session, worker, changes={"address": "Jl. Baru", **frozen},
                           reason=REASON, actor=staff["cw1"])
    assert worker.address == "Jl. Uji No. 1"
    moved = correct_worker(session, worker, reason="pindah rumah", actor=staff["cw1"],
                           changes={"address": "Jl. Baru", "phone": "081299990000",
                                    "kk_number": worker.kk_number})  # unchanged: allowed
    assert moved.fields == ("address", "phone")


# The case page -------------------------------------------------------------------------

def _form(worker: Worker, **changes) -> dict:
    data = {name: getattr(worker, name) or "" for name in EDITABLE_FIELDS}
    data["birth_date"] = worker.birth_date.isoformat()
    return {**data, "reason": REASON, **changes}


def _post(client, application, data):
    return client.post(f"/cases/{application.id}/worker_correction",
                       data={**data, "csrf_token": csrf_token(client, "/")})


def _in_english(client):
    client.post("/bahasa", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")})


def test_the_card_is_prefilled_for_caseworkers_and_heads_only(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    for username, shown in (("cw2", True), ("head", True), ("audit1", False)):
        login(client, username)
        html = client.get(page).get_data(as_text=True)
        assert ('data-testid="worker-correction"' in html) is shown, username
        # The card offers the form by a link; the form itself comes when asked for.
        assert 'value="Jl. Uji No. 1"' not in html
        assert (f'href="{page}?koreksi=1#worker-correction"' in html) is shown, username
        html = client.get(f"{page}?koreksi=1").get_data(as_text=True)
        assert ('value="Jl. Uji No. 1"' in html and 'name="nik"' not in html) is shown, username
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "admin1")
    assert client.get(page).status_code == 403


def test_the_form_corrects_the_worker(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    _in_english(client)
    response = _post(client, application, _form(application.worker, address="Jl. Mawar 7"))
    assert response.status_code == 302
    assert "data was corrected" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    session.expire_all()
    worker = session.get(Worker, application.worker_id)
    assert worker.address == "Jl. Mawar 7"
    (event,) = _corrections(session, worker.id)
    assert set(json.loads(event.diff)) == {"address"} and event.reason == REASON


def test_the_page_suggests_evaluating_again_after_a_kk_correction(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    _in_english(client)
    response = _post(client, application, _form(application.worker, kk_number=OTHER_KK))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "evaluate it again" in html


@pytest.mark.parametrize("changes,says", [
    ({"address": "Jl. Baru", "reason": ""}, "marked fields"),
    ({"address": "Jl. Baru", "rt": "12a"}, "marked fields"),
    ({"address": "Jl. Baru", "kelurahan_code": "3275999999"}, "marked fields"),  # no choice
    ({}, "Nothing to correct"),
])
def test_a_refused_correction_shows_the_form_again(client, session, staff, changes, says):
    application = make_application(session, staff["cw1"])
    session.commit()
    before = _snapshot(application.worker)
    login(client, "cw2")
    _in_english(client)
    response = _post(client, application, _form(application.worker, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and says in html
    assert 'data-testid="worker-correction"' in html and "<details open" in html
    session.expire_all()
    assert _snapshot(session.get(Worker, application.worker_id)) == before


@pytest.mark.parametrize("username", ["audit1", "admin1"])
def test_auditor_and_admin_are_refused_on_the_page(client, session, staff, username):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, username)
    response = _post(client, application, _form(application.worker, address="Jl. Baru"))
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Worker, application.worker_id).address == "Jl. Uji No. 1"


def test_the_page_refuses_a_frozen_field_after_enrolment(client, session, staff):
    make_budget(session, staff["admin1"], places=1)
    (member,) = enrol(session, staff)
    session.commit()
    login(client, "cw2")
    _in_english(client)
    html = client.get(f"/cases/{member.id}?koreksi=1").get_data(as_text=True)
    assert 'data-testid="frozen-fields"' in html and 'name="kk_number"' not in html
    posted = _post(client, member, _form(member.worker, kk_number=OTHER_KK))
    assert posted.status_code == 409 and "no longer be corrected" in posted.get_data(
        as_text=True)
    session.expire_all()
    assert session.scalar(select(AuditEvent.reason).where(  # a refused attempt, logged
        AuditEvent.action == "cases.worker_correction.refused",
        AuditEvent.entity_id == str(member.id))).startswith("Application %(id)s is")
    assert session.get(Application, member.id).worker.kk_number != OTHER_KK
