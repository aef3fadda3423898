"""The state table: allowed moves, refused moves, reasons, separation of duties, audit."""
import json

import pytest
from sqlalchemy import select

from models import ApplicationTransition, AuditEvent
from models.application import STATES
from tests.factories import add_documents, make_application, make_submitted, make_worker
from workflows.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from workflows.intake import open_application
from workflows.states import STATE_LABELS, TRANSITIONS, apply_transition, availability


def test_table_only_names_known_states_and_every_state_is_reachable():
    targets = {"draft"} | {t.target for t in TRANSITIONS.values()}
    for transition in TRANSITIONS.values():
        assert set(transition.sources) <= set(STATES) and transition.target in STATES
    assert targets == set(STATES) == set(STATE_LABELS)


def test_submit_moves_draft_to_submitted_with_history_and_audit(session, staff):
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"])
    apply_transition(session, application, "submit", actor=staff["cw1"])
    session.commit()
    assert application.state == "submitted" and application.submitted_at is not None
    steps = session.execute(select(ApplicationTransition).where(
        ApplicationTransition.application_id == application.id)
        .order_by(ApplicationTransition.id)).scalars().all()
    assert [(s.from_state, s.to_state) for s in steps] == [(None, "draft"), ("draft", "submitted")]
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "application.submit")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert event.entity_id == str(application.id) and event.actor_name == "cw1"
    assert json.loads(event.diff) == {"state": ["draft", "submitted"]}


def test_verify_by_another_caseworker_is_allowed(session, staff):
    application = make_submitted(session, staff["cw1"])
    assert availability(application, "verify", staff["cw2"]).allowed
    apply_transition(session, application, "verify", actor=staff["cw2"])
    assert application.state == "verified"


def test_the_caseworker_who_took_it_in_cannot_verify_it(session, staff):
    application = make_submitted(session, staff["cw1"])
    assert not availability(application, "verify", staff["cw1"]).allowed
    with pytest.raises(NotAllowed):
        apply_transition(session, application, "verify", actor=staff["cw1"])
    assert application.state == "submitted"


def test_wrong_role_is_refused_with_403_meaning(session, staff):
    application = make_application(session, staff["cw1"])
    with pytest.raises(NotAllowed) as refused:
        apply_transition(session, application, "submit", actor=staff["head"])
    assert refused.value.status == 403


def test_invalid_transition_is_refused_with_409_meaning(session, staff):
    application = make_application(session, staff["cw1"])
    with pytest.raises(InvalidTransition) as refused:
        apply_transition(session, application, "verify", actor=staff["cw2"])
    assert refused.value.status == 409 and "Draf" in str(refused.value.message)


def test_second_click_on_the_same_action_is_refused_and_leaves_one_event(session, staff):
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"])
    apply_transition(session, application, "submit", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        apply_transition(session, application, "submit", actor=staff["cw1"])
    events = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.submit",
        AuditEvent.entity_id == str(application.id))).scalars().all()
    assert len(events) == 1


@pytest.mark.parametrize("name", ["return", "reject"])
def test_return_and_reject_need_a_reason(session, staff, name):
    application = make_submitted(session, staff["cw1"])
    with pytest.raises(InvalidInput):
        apply_transition(session, application, name, actor=staff["cw2"], reason="  ")
    apply_transition(session, application, name, actor=staff["cw2"], reason="KK tidak terbaca")
    event = session.execute(select(AuditEvent).where(AuditEvent.action == f"application.{name}")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert event.reason == "KK tidak terbaca"


def test_one_application_per_worker_per_year(session, staff):
    worker = make_worker(session, staff["cw1"])
    open_application(session, worker, program_year=2026, intake_channel="kelurahan",
                     actor=staff["cw1"])
    with pytest.raises(Conflict):
        open_application(session, worker, program_year=2026, intake_channel="walk_in",
                         actor=staff["cw1"])
    open_application(session, worker, program_year=2027, intake_channel="walk_in",
                     actor=staff["cw1"])


@pytest.mark.parametrize("field,value", [("nik", "32750112345"), ("nik", "32750a1208900001"),
                                         ("kk_number", "123"), ("kelurahan_code", "3275999999"),
                                         ("category", "pns"), ("sex", "X"),
                                         ("monthly_income", -1)])
def test_intake_refuses_bad_input_and_writes_nothing(session, staff, field, value):
    before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    with pytest.raises(InvalidInput):
        make_worker(session, staff["cw1"], **{field: value})
    after = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before


def test_only_caseworkers_take_applications_in(session, staff):
    with pytest.raises(NotAllowed):
        make_worker(session, staff["audit1"])
