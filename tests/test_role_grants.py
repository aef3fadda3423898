"""An admin cannot make itself, or a shadow account it controls, a caseworker, head or
auditor: case roles wait for a second person, and a password the admin set only opens
the page where the person picks their own."""
import json

import pytest
from sqlalchemy import select

from models import AuditEvent, User
from tests.helpers import csrf_token, login
from workflows.errors import NotAllowed
from workflows.role_grants import confirm, pending
from workflows.users import set_roles

ALL_ROLES = ["caseworker", "head", "auditor", "admin"]


def _user(session, username):
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    session.refresh(user)
    return user


def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def _admin_post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _shadow(client):
    """The admin makes an account with a password it chose and asks for the caseworker role."""
    login(client, "admin1")
    return _admin_post(client, "/users/new/", {
        "username": "bayangan", "full_name": "Petugas Bayangan",
        "password": "Dipilih-Admin-2026", "roles": ["caseworker"]})


def test_an_admin_cannot_give_itself_every_role(client, session):
    login(client, "admin1")
    admin = _user(session, "admin1")
    response = _admin_post(client, f"/users/edit/?id={admin.id}", {
        "full_name": admin.full_name, "active": "y", "roles": ALL_ROLES})
    assert response.status_code in (200, 302)
    assert _user(session, "admin1").role_names == ("admin",)
    assert not pending(session, admin)
    assert client.get("/cases/").status_code == 403


def test_the_verb_refuses_an_admin_with_case_roles(session, staff):
    cw = _user(session, "cw1")
    with pytest.raises(NotAllowed):
        set_roles(session, cw, ["caseworker", "admin"], actor=staff["admin1"])


def test_a_shadow_caseworker_holds_no_role_until_a_head_confirms(app, client, session):
    assert _shadow(client).status_code == 302
    shadow = _user(session, "bayangan")
    assert shadow.role_names == () and str(shadow.password_set_by) == "admin1"
    # The admin signs in as the shadow with the password it chose: one page only.
    browser = app.test_client()
    assert login(browser, "bayangan", "Dipilih-Admin-2026").headers["Location"] == \
        "/auth/password"
    assert browser.get("/workers/").headers["Location"] == "/auth/password"
    used = _events(session, "user.one_time_password_used")[-1]
    assert json.loads(used.diff) == {"password_set_by": [None, "admin1"]}
    # Even with its own password the account reaches no case data until confirmed.
    browser.post("/auth/password", data={
        "current": "Dipilih-Admin-2026", "new": "Pohon-Kelapa-Tinggi-9",
        "confirm": "Pohon-Kelapa-Tinggi-9", "csrf_token": csrf_token(browser, "/auth/password")})
    assert browser.get("/workers/").status_code == 403
    assert browser.get("/cases/").status_code == 403


def test_a_head_confirms_a_caseworker_grant(app, client, session):
    _shadow(client)
    grant = pending(session, _user(session, "bayangan"))[0]
    assert client.post(f"/role-grants/{grant.id}/confirm", data={
        "csrf_token": csrf_token(client, "/role-grants/")}).status_code == 403
    head = app.test_client()
    login(head, "head")
    page = head.get("/role-grants/").get_data(as_text=True)
    assert f'data-grant="{grant.id}"' in page and 'data-testid="grant-confirm"' in page
    response = head.post(f"/role-grants/{grant.id}/confirm",
                         data={"csrf_token": csrf_token(head, "/role-grants/")})
    assert response.status_code == 302
    assert _user(session, "bayangan").role_names == ("caseworker",)
    confirmed = _events(session, "role_grant.confirmed")[-1]
    assert confirmed.actor_name == "head" and confirmed.entity_id == str(grant.id)


@pytest.mark.parametrize("target, roles, confirmer, refused", [
    ("cw2", ["head"], "head", ("cw1", "audit1", "admin1")),
    ("cw2", ["auditor"], "head", ("audit1", "cw1", "admin1")),
    ("head", ["caseworker", "head"], "cwhead", ("head", "cw1", "audit1", "admin1")),
])
def test_who_may_confirm_each_role(session, staff, target, roles, confirmer, refused):
    set_roles(session, _user(session, target), roles, actor=staff["admin1"])
    grant = pending(session, _user(session, target))[0]
    for username in refused:
        with pytest.raises(NotAllowed):
            confirm(session, grant, actor=staff[username])
    confirm(session, grant, actor=staff[confirmer])
    assert grant.role in _user(session, target).role_names


def test_nobody_confirms_a_grant_to_themselves(session, staff):
    set_roles(session, _user(session, "cwhead"), ["caseworker", "head", "auditor"],
              actor=staff["admin1"])
    grant = pending(session, _user(session, "cwhead"))[0]
    with pytest.raises(NotAllowed):
        confirm(session, grant, actor=staff["cwhead"])

