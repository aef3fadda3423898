"""Sign-in, sign-out, password change, CSRF and the events they leave."""
import json

from sqlalchemy import select

from models import AuditEvent, User
from caseapp.extensions import limiter
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login
from workflows.actor import Actor
from workflows.users import create_user


def _last_event(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one_or_none()


def test_login_page_is_in_bahasa_indonesia(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "Masuk" in html and "Kata sandi" in html


def test_successful_login_is_recorded_with_ip_and_request_id(client, session):
    response = login(client, "cw1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    event = _last_event(session, "auth.login")
    assert event.actor_name == "cw1" and event.ip == "127.0.0.1" and len(event.request_id) == 32
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_and_recorded(client, session):
    response = login(client, "cw1", "salah-sekali-123")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    event = _last_event(session, "auth.login_failed")
    assert event.actor_name == "anonymous:cw1" and event.actor_id is None
    assert client.get("/").status_code == 302


def test_unknown_user_is_refused_like_a_wrong_password(client, session):
    response = login(client, "tidakada")
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    assert _last_event(session, "auth.login_failed").entity_id is None


def test_logout_needs_post_with_csrf_and_is_recorded(client, session):
    login(client, "cw1")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert _last_event(session, "auth.logout").actor_name == "cw1"
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_changes_nothing(client, session):
    before = _last_event(session, "auth.login")
    response = client.post("/auth/login", data={"username": "cw1", "password": PASSWORD})
    assert response.status_code == 400
    assert _last_event(session, "auth.login") == before


def test_account_created_outside_demo_must_change_password_first(client, session):
    create_user(session, username="baru", full_name="Pegawai Baru", password="Sementara-123",
                roles=["caseworker"], actor=Actor.system("test"))
    session.commit()
    response = login(client, "baru", "Sementara-123")
    assert response.headers["Location"] == "/auth/password"
    assert client.get("/applications/").headers["Location"] == "/auth/password"
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={
        "current": "Sementara-123", "new": "Sandi-Pilihan-2026", "confirm": "Sandi-Pilihan-2026",
        "csrf_token": token})
    assert response.status_code == 302
    user = session.execute(select(User).where(User.username == "baru")).scalar_one()
    session.refresh(user)
    assert user.must_change_password is False
    assert user.password_hash.startswith("$argon2id$")
    diff = json.loads(_last_event(session, "user.password_change").diff)
    assert diff["must_change_password"] == [True, False]
    assert diff["password_hash"] == ["***", "***"] and diff["password_set_at"][1] is None
    assert client.get("/applications/").status_code == 200


def test_login_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        codes = [login(client, "cw1", "salah-sekali-123").status_code for _ in range(4)]
    finally:
        limiter.reset()
    assert codes == [200, 200, 200, 429]
