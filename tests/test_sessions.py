"""Server-side sessions: a copied cookie dies with logout, a password change elsewhere,
deactivation and the admin's word; idle and absolute lifetimes do not slide."""
from datetime import timedelta

from sqlalchemy import select

from models import AuditEvent, User, UserSession, clock
from tests.helpers import csrf_token, login
from workflows.users import update_account


def _copy_cookie(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _user(session, username):
    return session.execute(select(User).where(User.username == username)).scalar_one()


def test_a_copied_cookie_stops_working_at_logout(app, client, session):
    login(client, "cw1")
    thief = _copy_cookie(app, client)
    assert _signed_in(thief)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(thief)
    row = session.execute(select(UserSession).order_by(UserSession.id.desc())).scalars().first()
    session.refresh(row)
    assert row.end_reason == "logout" and row.ended_at is not None


def test_a_password_change_elsewhere_ends_the_other_sessions(app, client, session):
    login(client, "cw1")
    thief = _copy_cookie(app, client)
    mine = app.test_client()
    login(mine, "cw1")
    response = mine.post("/auth/password", data={
        "current": "Rahasia-Uji-2026", "new": "Kebun-Salak-Mangga-77",
        "confirm": "Kebun-Salak-Mangga-77", "csrf_token": csrf_token(mine, "/auth/password")})
    assert response.status_code == 302
    assert not _signed_in(thief) and not _signed_in(client)
    assert _signed_in(mine)


def test_the_idle_lifetime_ends_a_session(client):
    login(client, "cw1")
    start = clock.now()
    with clock.pinned(start + timedelta(minutes=29)):
        assert _signed_in(client)
    with clock.pinned(start + timedelta(minutes=29 + 31)):
        assert not _signed_in(client)


def test_the_absolute_lifetime_does_not_slide(client, session):
    login(client, "cw1")
    start = clock.now()
    for minutes in range(20, 8 * 60, 20):  # busy all day: never idle
        with clock.pinned(start + timedelta(minutes=minutes)):
            assert _signed_in(client), minutes
    with clock.pinned(start + timedelta(hours=8, minutes=1)):
        assert not _signed_in(client)
    ended = session.execute(select(AuditEvent).where(
        AuditEvent.action == "auth.session_end").order_by(AuditEvent.seq.desc())).scalars().first()
    assert ended.reason == "absolute"


def test_deactivation_ends_the_sessions_for_good(client, session, staff):
    """A cookie from before a deactivation stays dead when the account comes back."""
    login(client, "cw1")
    user = _user(session, "cw1")
    for active in (False, True):
        update_account(session, user, full_name="Pegawai cw1", active=active,
                       actor=staff["admin1"])
        session.commit()
        assert not _signed_in(client)


def test_a_user_sees_and_ends_their_other_sessions(app, client, session):
    login(client, "cw1")
    other = app.test_client()
    login(other, "cw1")
    html = client.get("/auth/sessions/").get_data(as_text=True)
    assert html.count("data-session=") == 2
    response = client.post("/auth/sessions/end-others",
                           data={"csrf_token": csrf_token(client, "/auth/sessions/")})
    assert response.status_code == 302
    assert not _signed_in(other) and _signed_in(client)
    assert client.get("/auth/sessions/").get_data(as_text=True).count("data-session=") == 1


def test_nobody_ends_someone_elses_session(app, client, session):
    login(client, "cw2")
    victim = app.test_client()
    login(victim, "cw1")
    row = session.execute(select(UserSession).where(
        UserSession.user_id == _user(session, "cw1").id)).scalars().first()
    response = client.post(f"/auth/sessions/{row.id}/end",
                           data={"csrf_token": csrf_token(client, "/auth/sessions/")})
    assert response.status_code == 302 and _signed_in(victim)


def test_the_admin_ends_a_users_sessions(app, client, session):
    victim = app.test_client()
    login(victim, "cw1")
    login(client, "admin1")
    response = client.post("/users/action/", data={
        "action": "end_sessions", "rowid": str(_user(session, "cw1").id),
        "csrf_token": csrf_token(client, "/users/")})
    assert response.status_code == 302
    assert not _signed_in(victim)
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.session_end")
                            .order_by(AuditEvent.seq.desc())).scalars().first()
    assert event.actor_name == "admin1" and event.reason == "ended_by_admin"


def test_the_cookie_carries_a_token_the_table_only_hashes(client, session):
    login(client, "cw1")
    cookie = client.get_cookie("session").value
    row = session.execute(select(UserSession).order_by(UserSession.id.desc())).scalars().first()
    assert row.token_hash not in cookie and len(row.token_hash) == 64
    started = session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login")
                              .order_by(AuditEvent.seq.desc())).scalars().first()
    assert f'"session":[null,{row.id}]' in started.diff


def test_last_seen_is_written_at_most_once_a_minute(client, session):
    login(client, "cw1")
    row = session.execute(select(UserSession).order_by(UserSession.id.desc())).scalars().first()
    first = row.last_seen_at
    client.get("/")
    session.refresh(row)
    assert row.last_seen_at == first
    with clock.pinned(clock.now() + timedelta(minutes=2)):
        client.get("/")
    session.refresh(row)
    assert row.last_seen_at > first

