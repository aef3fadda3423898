"""Refused attempts are events: who tried what, where and why it was refused; the
refused change itself leaves nothing, and bad input is not an audit matter."""
import json
from datetime import timedelta


from models import Application, clock
from reports.audit_report import audit_report, exception_rows
from reports.meta import read_chain_head
from reports.period import Period
from tests.factories import make_submitted, make_worker
from tests.helpers import csrf_token, events_since, head_seq, login
from tests.subject_factories import make_request
from workflows.audit import verify_chain


def _submitted_case_open_for(client, session, staff, username):
    """A case cw1 took in and submitted, ``username`` signed in: (case, token, head seq)."""
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, username)
    return application, csrf_token(client, "/cases/"), head_seq(session)


def test_verifying_ones_own_intake_is_refused_and_recorded(client, session, staff):
    application, token, seq = _submitted_case_open_for(client, session, staff, "cw1")
    response = client.post(f"/cases/{application.id}/verify", data={"csrf_token": token})
    assert response.status_code == 403
    event, shown_again = events_since(session, seq)
    assert shown_again.action == "application.view"
    assert (event.action, event.actor_name, event.entity_type, event.entity_id) == (
        "cases.verify.refused", "cw1", "application", str(application.id))
    assert json.loads(event.diff) == {"method": [None, "POST"], "status": [None, 403],
                                      "path": [None, f"/cases/{application.id}/verify"]}
    assert event.reason and "caseworker" in event.reason  # kept in English, the source text
    assert session.get(Application, application.id).state == "submitted"
    assert verify_chain(session).ok


def test_a_wrong_state_is_recorded_but_bad_input_is_not(client, session, staff):
    application, token, seq = _submitted_case_open_for(client, session, staff, "cw2")
    missing_reason = client.post(f"/cases/{application.id}/return", data={"csrf_token": token})
    assert missing_reason.status_code == 422
    # the page shown again is a read
    assert [e.action for e in events_since(session, seq)] == ["application.view"]
    seq = head_seq(session)
    submit_again = client.post(f"/cases/{application.id}/submit", data={"csrf_token": token})
    assert submit_again.status_code == 409
    assert [(e.action, e.actor_name) for e in events_since(session, seq)] == [
        ("cases.submit.refused", "cw2"), ("application.view", "cw2")]


def test_a_page_the_role_may_not_use_is_a_denied_event(client, session):
    login(client, "audit1")
    token, seq = csrf_token(client, "/cases/"), head_seq(session)
    assert client.post("/imports/dtsen", data={"csrf_token": token}).status_code == 403
    assert client.get("/imports/").status_code == 403
    events = events_since(session, seq)
    assert [(e.action, e.actor_name, json.loads(e.diff)["method"][1]) for e in events] == [
        ("imports.upload.denied", "audit1", "POST"), ("imports.index.denied", "audit1", "GET")]


def test_a_denial_is_recorded_once_a_minute_per_user_and_route(client, session):
    login(client, "audit1")
    seq = head_seq(session)
    for _ in range(20):
        assert client.get("/imports/").status_code == 403
    first = [e.action for e in events_since(session, seq) if e.action.endswith(".denied")]
    assert first.count("imports.index.denied") == 1
    with clock.pinned(clock.now() + timedelta(seconds=61)):
        assert client.get("/imports/").status_code == 403
    again = [e.action for e in events_since(session, seq) if e.action.endswith(".denied")]
    assert again.count("imports.index.denied") == 2


def test_anonymous_requests_are_sent_to_sign_in_and_not_recorded(client, session):
    seq = head_seq(session)
    assert client.post("/cases/1/verify").status_code in (302, 400)
    assert events_since(session, seq) == []


def test_the_audit_report_lists_refused_attempts(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    client.post(f"/cases/{application.id}/verify",
                data={"csrf_token": csrf_token(client, "/cases/")})
    session.expire_all()
    today = clock.today()
    period, head = Period(today - timedelta(days=1), today + timedelta(days=1)), \
        read_chain_head(session)
    assert audit_report(session, period, head).exception_counts["refused"] >= 1
    rows = [r for r in exception_rows(session, period, head, "refused")
            if r.entity == f"application {application.id}"]
    assert [(r.actor_name, r.action) for r in rows] == [("cw1", "cases.verify.refused")]


def test_a_denied_attempt_names_the_record_in_the_url(client, session, staff):
    request = make_request(session, staff["cw1"], make_worker(session, staff["cw1"]))
    session.commit()
    login(client, "audit1")
    page = f"/privacy/{request.id}"
    token, seq = csrf_token(client, page), head_seq(session)
    assert client.post(page + "/resolve", data={"csrf_token": token}).status_code == 403
    denied = [e for e in events_since(session, seq) if e.action.endswith(".denied")]
    assert [(e.action, e.entity_type, e.entity_id) for e in denied] == [
        ("privacy.resolve.denied", "data_subject_request", str(request.id))]


def test_a_refusal_quoting_personal_data_is_logged_without_it(client, session, staff):
    worker = make_worker(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    seq = head_seq(session)
    fields = {"nik": worker.nik, "kk_number": worker.kk_number, "full_name": "Orang Lain",
              "birth_place": "Bekasi", "birth_date": worker.birth_date.isoformat(),
              "sex": worker.sex, "address": "Jl. Lain 1", "rt": "001", "rw": "002",
              "kelurahan_code": worker.kelurahan_code, "phone": "", "category": "pedagang",
              "occupation": "PKL", "monthly_income": "1500000", "intake_channel": "walk_in",
              "program_year": "2026", "csrf_token": csrf_token(client, "/cases/new")}
    response = client.post("/cases/new", data=fields)
    assert response.status_code == 409 and worker.nik in response.get_data(as_text=True)
    (event,) = events_since(session, seq)
    assert event.action == "cases.intake.refused" and "%(nik)s" in event.reason
    assert worker.nik not in event.reason + event.diff
    assert worker.full_name not in event.reason + event.diff
