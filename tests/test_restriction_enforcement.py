"""A data subject's restriction of processing (UU PDP) stops what moves a case forward
(submit, verify, approval, BPJS registration) and nothing that moves it back or closes
it; lifting the restriction lets the case go on."""
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from models import (Application, ApplicationTransition, AuditEvent, BudgetLedger, BudgetYear,
                    Decree, RegistrationBatch)
from tests.bpjs_factories import (SK_DAY, START, YEAR, accepted, approved, budget,
                                  import_reply, new_batch, rejected, reply_bytes,
                                  sent_batch)
from tests.factories import add_documents, make_application, make_submitted, make_verified
from tests.helpers import csrf_token, login
from tests.subject_factories import make_request
from workflows.approval import approve_batch, decline_application
from workflows.bpjs.registration import cancel_registration_batch, waiting_counts
from workflows.contributions.generation import generate_contributions
from workflows.errors import InvalidTransition
from workflows.exits import terminate_membership
from workflows.guards import RESTRICTED
from workflows.ranking import ranking
from workflows.states import apply_transition, availability
from workflows.subject_requests import lift_restriction, resolve_request

REFUSAL = "restricted at their request (UU PDP)"


def _restrict(session, staff, application, *, granted=True):
    request = make_request(session, staff["cw1"], application.worker, kind="restriction")
    if granted:
        resolve_request(session, request, outcome="fulfilled", note="", actor=staff["cw1"])
    return request


def _lift(session, staff, request):
    lift_restriction(session, request, note="Data terbukti benar", actor=staff["head"])


def _state(session, application):
    session.expire_all()
    return session.get(Application, application.id).state


def _events(session, action, application=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if application is not None:
        query = query.where(AuditEvent.entity_id == str(application.id))
    return session.execute(query.order_by(AuditEvent.seq)).scalars().all()


def _draft(session, staff):
    application = make_application(session, staff["cw1"], year=YEAR)
    add_documents(session, application, staff["cw1"])
    return application


def _submitted(session, staff):
    return make_submitted(session, staff["cw1"], year=YEAR)


def _approved(session, staff):
    budget(session, staff)
    return approved(session, staff, 1)[0]


# transition -> (a case in its source state, who does it)
FORWARD = {"submit": (_draft, "cw1"), "verify": (_submitted, "cw2"),
           "submit_to_bpjs": (_approved, "cw1")}


@pytest.mark.parametrize("name", FORWARD)
def test_forward_transitions_wait_until_the_restriction_is_lifted(session, staff, name):
    make, user = FORWARD[name]
    application = make(session, staff)
    source = application.state
    restriction = _restrict(session, staff, application)
    assert not availability(application, name, staff[user]).allowed
    with pytest.raises(InvalidTransition) as refused:
        apply_transition(session, application, name, actor=staff[user])
    assert refused.value.status == 409 and refused.value.message is RESTRICTED
    assert _state(session, application) == source
    assert _events(session, f"application.{name}", application) == []
    application = session.get(Application, application.id)
    _lift(session, staff, restriction)
    assert availability(application, name, staff[user]).allowed
    apply_transition(session, application, name, actor=staff[user])
    assert _state(session, application) != source


def test_an_open_request_restricts_until_it_is_refused(session, staff):
    application = _submitted(session, staff)
    request = _restrict(session, staff, application, granted=False)
    with pytest.raises(InvalidTransition):
        apply_transition(session, application, "verify", actor=staff["cw2"])
    resolve_request(session, request, outcome="refused", note="Pasal 33: kewajiban hukum",
                    actor=staff["cw1"])
    apply_transition(session, application, "verify", actor=staff["cw2"])
    assert _state(session, application) == "verified"


def test_the_message_quotes_neither_nik_nor_name():
    assert "%(" not in str(RESTRICTED) and REFUSAL in str(RESTRICTED)


@pytest.mark.parametrize("name,user", [("return", "cw2"), ("reject", "cw2")])
def test_a_submitted_case_can_still_be_returned_or_rejected(session, staff, name, user):
    application = _submitted(session, staff)
    _restrict(session, staff, application)
    apply_transition(session, application, name, actor=staff[user], reason="Data diminta")
    assert _state(session, application) == {"return": "returned", "reject": "rejected"}[name]


def test_a_verified_case_can_still_be_sent_back(session, staff):
    application = make_verified(session, staff["cw1"], staff["cw2"], year=YEAR)
    _restrict(session, staff, application)
    apply_transition(session, application, "send_back", actor=staff["head"],
                     reason="Tunggu keputusan permintaan subjek data")
    assert _state(session, application) == "submitted"


def test_bpjs_cases_can_be_cancelled_answered_corrected_terminated_and_paid(session, staff):
    budget(session, staff)
    first, second = approved(session, staff, 2)
    cancel_registration_batch(session, new_batch(session, staff), reason="Pembatasan",
                              actor=staff["cw1"])
    assert _state(session, first) == "approved"
    sent_batch(session, staff)
    for application in (first, second):
        _restrict(session, staff, application)
    result = import_reply(session, staff, reply_bytes([accepted(first, 1), rejected(second)]))
    assert (result.enrolled, result.refused_by_bpjs) == (1, 1)
    # Paying the membership protects the worker: contributions go on.
    batch = generate_contributions(session, first_month=START, months=1, actor=staff["cw1"])
    assert batch.participant_count == 1 and batch.total > 0
    apply_transition(session, session.get(Application, second.id), "correct_after_bpjs",
                     actor=staff["cw1"], reason="NIK dibetulkan")
    terminate_membership(session, session.get(Application, first.id),
                         reason_code="permintaan_sendiri", effective_month=date(YEAR, 12, 1),
                         note="", actor=staff["cw1"])
    assert (_state(session, first), _state(session, second)) == ("terminated", "returned")


def test_approve_batch_refuses_naming_the_restricted_case_and_changes_nothing(session, staff):
    year = budget(session, staff)
    free, held = (make_verified(session, staff["cw1"], staff["cw2"], year=YEAR)
                  for _ in range(2))
    restriction = _restrict(session, staff, held)
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    with pytest.raises(InvalidTransition) as refused:
        approve_batch(session, fiscal_year=YEAR, application_ids=[free.id, held.id],
                      sk_number="SK-PDP-1", sk_date=SK_DAY, actor=staff["head"])
    message = str(refused.value.message)
    assert refused.value.status == 409 and re.findall(r"\d+", message) == [str(held.id)]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Decree)) == 0
    assert session.scalar(select(func.count()).select_from(BudgetLedger)) == 0
    assert session.get(BudgetYear, year.fiscal_year).committed == 0
    assert {_state(session, free), _state(session, held)} == {"verified"}
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq
    _lift(session, staff, restriction)
    decree = approve_batch(session, fiscal_year=YEAR, application_ids=[free.id, held.id],
                           sk_number="SK-PDP-1", sk_date=SK_DAY, actor=staff["head"])
    assert decree.approved_count == 2


def test_ranking_marks_the_restricted_case_in_its_place(session, staff):
    first = make_verified(session, staff["cw1"], staff["cw2"], year=YEAR, desil=1)
    second = make_verified(session, staff["cw1"], staff["cw2"], year=YEAR, desil=2)
    _restrict(session, staff, first)
    ranked = ranking(session, YEAR)
    assert [(c.application_id, c.rank, c.restricted) for c in ranked] == [
        (first.id, 1, True), (second.id, 2, False)]


def test_waitlist_promotion_passes_over_a_restricted_reserve_until_lifted(session, staff):
    budget(session, staff, places=1)
    top, reserve, next_one = (make_verified(session, staff["cw1"], staff["cw2"], year=YEAR,
                                            desil=d) for d in (1, 2, 3))
    approve_batch(session, fiscal_year=YEAR, application_ids=[top.id, reserve.id, next_one.id],
                  sk_number="SK-PDP-2", sk_date=SK_DAY, actor=staff["head"])
    restriction = _restrict(session, staff, reserve)
    decline_application(session, session.get(Application, top.id), reason="Pekerja formal",
                        actor=staff["head"])
    assert (_state(session, reserve), _state(session, next_one)) == ("waitlisted", "approved")
    assert _events(session, "application.approve", reserve) == []
    waiting = ranking(session, YEAR, states=("waitlisted",))
    assert [(c.application_id, c.restricted) for c in waiting] == [(reserve.id, True)]
    _lift(session, staff, restriction)
    decline_application(session, session.get(Application, next_one.id), reason="Pindah",
                        actor=staff["head"])
    assert _state(session, reserve) == "approved"


def test_a_bpjs_batch_leaves_restricted_cases_out_and_counts_them(session, staff):
    budget(session, staff)
    free, held = approved(session, staff, 2)
    restriction = _restrict(session, staff, held)
    assert waiting_counts(session, YEAR) == (1, 1)
    batch = new_batch(session, staff)
    assert batch.row_count == 1
    assert _state(session, free) == "submitted_to_bpjs"
    held = session.get(Application, held.id)
    assert (held.state, held.registration_batch_id) == ("approved", None)
    (created,) = _events(session, "bpjs.batch_create")
    assert json.loads(created.diff)["held_back_restricted"] == [None, 1]
    assert waiting_counts(session, YEAR) == (0, 1)
    with pytest.raises(InvalidTransition):  # only the held-back case is left
        new_batch(session, staff)
    _lift(session, staff, restriction)
    assert new_batch(session, staff).row_count == 1
    assert _state(session, held) == "submitted_to_bpjs"


def _english(client):
    client.post("/bahasa", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")})


def test_verify_on_the_case_page_is_refused_with_the_message(client, session, staff):
    application = _submitted(session, staff)
    _restrict(session, staff, application)
    session.commit()
    login(client, "cw2")
    _english(client)
    page = f"/cases/{application.id}"
    assert 'data-testid="processing-restricted"' in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/verify", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 409
    assert REFUSAL in response.get_data(as_text=True)
    (event,) = _events(session, "cases.verify.refused", application)
    assert REFUSAL in event.reason and json.loads(event.diff)["status"] == [None, 409]
    assert application.worker.nik not in event.reason
    assert application.worker.full_name not in event.reason
    assert _state(session, application) == "submitted"


def test_the_ranking_page_marks_the_case_and_approving_all_leaves_it_out(client, session,
                                                                          staff):
    budget(session, staff)
    free = make_verified(session, staff["cw1"], staff["cw2"], year=YEAR, desil=2)
    held = make_verified(session, staff["cw1"], staff["cw2"], year=YEAR, desil=1)
    _restrict(session, staff, held)
    session.commit()
    login(client, "head")
    _english(client)
    html = client.get(f"/approval/?year={YEAR}").get_data(as_text=True)
    assert f'data-restricted="{held.id}"' in html and 'data-testid="restricted"' in html
    tick = 'name="application_id" value="{}"'
    assert tick.format(held.id) not in html and tick.format(free.id) in html
    form = {"csrf_token": csrf_token(client, "/approval/"), "year": str(YEAR)}
    ticked = client.post("/approval/propose", data={**form, "application_id": [str(held.id)]})
    assert ticked.status_code == 409 and REFUSAL in ticked.get_data(as_text=True)
    everything = client.post("/approval/propose", data={**form, "scope": "all"})
    assert everything.status_code == 302
    page = everything.headers["Location"]
    signed = client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                               "sk_number": "SK-PDP-3",
                                               "sk_date": SK_DAY.isoformat()})
    assert signed.status_code == 302
    assert (_state(session, free), _state(session, held)) == ("approved", "verified")


def test_the_bpjs_page_says_how_many_were_held_back(client, session, staff):
    budget(session, staff)
    free, held = approved(session, staff, 2)
    _restrict(session, staff, held)
    session.commit()
    login(client, "cw1")
    _english(client)
    page = f"/bpjs/?year={YEAR}"
    assert 'data-testid="held-back"' in client.get(page).get_data(as_text=True)
    created = client.post("/bpjs/batches", data={"csrf_token": csrf_token(client, page),
                                                 "year": str(YEAR)}, follow_redirects=True)
    html = created.get_data(as_text=True)
    assert "1 approved applications were held back" in html
    session.expire_all()
    batch = session.execute(select(RegistrationBatch)).scalar_one()
    assert batch.row_count == 1 and _state(session, held) == "approved"
    assert session.scalar(select(func.count()).select_from(ApplicationTransition).where(
        ApplicationTransition.application_id == held.id,
        ApplicationTransition.to_state == "submitted_to_bpjs")) == 0
