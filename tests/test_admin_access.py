"""The Flask-Admin shell: role-filtered menus and views, audited writes, no back doors."""
import json
import re

import pytest
from sqlalchemy import select

from models import AuditEvent, Kelurahan, UmkRate, User
from tests.helpers import csrf_token, login
from workflows.role_grants import pending

VIEWS = {
    "/applications/": {"cw1", "head", "audit1", "cwhead"},
    "/workers/": {"cw1", "audit1", "cwhead"},
    "/audit/": {"audit1"},
    "/users/": {"admin1"},
    "/kecamatan/": {"admin1", "audit1"},
    "/kelurahan/": {"admin1", "audit1"},
    "/umk/": {"admin1", "audit1"},
    "/contributions/": {"admin1", "audit1"},
    "/policy/": {"admin1", "audit1"},
    "/document_types/": {"admin1", "audit1"},
    "/cases/": {"cw1", "head", "audit1", "cwhead"},
    "/imports/": {"cw1", "admin1", "cwhead"},
    "/approval/": {"head", "audit1", "cwhead"},
    "/budget/": {"head", "audit1", "admin1", "cwhead"},
    "/budget_years/": {"head", "audit1", "admin1", "cwhead"},
    "/budget_quotas/": {"head", "audit1", "admin1", "cwhead"},
    "/bpjs/": {"cw1", "head", "audit1", "admin1", "cwhead"},
    "/reports/": {"cw1", "head", "audit1", "admin1", "cwhead"},
    "/privacy/": {"cw1", "head", "audit1", "cwhead"},
}
ROLES = ("cw1", "head", "audit1", "admin1", "cwhead")


def _menu_links(html: str) -> set[str]:
    nav = html.split('id="admin-navbar-collapse"', 1)[1].split("</nav>", 1)[0]
    return {href for href in re.findall(r'href="(/[a-z_]+/)"', nav) if href in VIEWS}


@pytest.mark.parametrize("username", ROLES)
def test_each_role_sees_and_reaches_only_its_views(client, username):
    login(client, username)
    allowed = {path for path, users in VIEWS.items() if username in users}
    assert _menu_links(client.get("/").get_data(as_text=True)) == allowed
    for path in VIEWS:
        assert client.get(path).status_code == (200 if path in allowed else 403), path


def _nav(html: str) -> str:
    return html.split('id="admin-navbar-collapse"', 1)[1].split("</nav>", 1)[0]


def _active(nav: str) -> list[str]:
    return re.findall(r'class="dropdown-item active[^"]*"\s+href="(/[a-z_]+/)"', nav)


def test_the_kept_menu_follows_the_account_the_language_and_the_page(client):
    """The menu's HTML is kept per roles, language and page (caseapp/admin/menu.py): in
    one app each person in turn sees their own, and a switch of language or of page
    shows the menu in that language with that page marked."""
    seen = {}
    for username in ROLES + ("cw1",):
        login(client, username)
        seen[username] = _menu_links(client.get("/").get_data(as_text=True))
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert seen == {u: {p for p, users in VIEWS.items() if u in users} for u in ROLES}
    login(client, "cw1")
    nav = _nav(client.get("/cases/").get_data(as_text=True))
    assert "Daftar kerja verifikasi" in nav and "Verification worklist" not in nav
    assert _active(nav) == ["/cases/"]
    assert _active(_nav(client.get("/bpjs/").get_data(as_text=True))) == ["/bpjs/"]
    client.post("/bahasa", data={"lang": "en", "next": "/cases/",
                                 "csrf_token": csrf_token(client, "/")})
    nav = _nav(client.get("/cases/").get_data(as_text=True))
    assert "Verification worklist" in nav and "Daftar kerja verifikasi" not in nav
    assert _active(nav) == ["/cases/"]


# What each view and menu entry may decide by, for the kept menu's key to hold: the
# sign-in, the password-change state and the roles (caseapp/admin/menu.py). A view that
# decides by anything else (a partner's scope, a setting) must change the key first.
MENU_DECIDERS = {
    "is_accessible": {"BaseView", "MenuCategory", "MenuView", "OwnPagesView",
                      "RoleAccessMixin", "RoleMenuLink"},
    "is_visible": {"AuthView", "BaseMenu", "BaseView", "DashboardView", "MenuCategory",
                   "MenuView", "OwnPagesView", "SearchView", "SecondFactorView", "StatusView"},
}


def test_every_menu_entry_decides_by_what_the_kept_menu_is_keyed_on(app):
    admin = app.extensions["caseapp_admin"]
    entries = [*admin._views, *admin._menu,
               *(child for item in admin._menu for child in item._children)]
    for method, allowed in MENU_DECIDERS.items():
        owners = {getattr(type(entry), method).__qualname__.split(".")[0] for entry in entries}
        assert owners <= allowed, (method, owners - allowed)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/applications/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_dashboard_shows_each_role_its_work(client):
    login(client, "cwhead")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-caseworker"' in html and 'data-testid="panel-head"' in html
    assert 'data-testid="panel-auditor"' not in html


def _admin_post(client, path, data):
    token = csrf_token(client, path)
    return client.post(path, data={**data, "csrf_token": token})


def test_admin_reference_changes_are_audited(client, session):
    login(client, "admin1")
    response = _admin_post(client, "/umk/new/", {"year": "2027", "amount": "6300000",
                                                   "legal_basis": "Kepgub Jabar (uji)"})
    assert response.status_code == 302
    created = session.execute(select(AuditEvent).where(
        AuditEvent.action == "admin.create.umk_rate")).scalar_one()
    assert created.entity_id == "2027" and created.actor_name == "admin1"
    assert json.loads(created.diff)["amount"] == [None, 6300000]

    response = _admin_post(client, "/umk/edit/?id=2027", {"year": "2027", "amount": "6400000",
                                                           "legal_basis": "Kepgub Jabar (uji)"})
    assert response.status_code == 302
    updated = session.execute(select(AuditEvent).where(
        AuditEvent.action == "admin.update.umk_rate")).scalar_one()
    assert json.loads(updated.diff) == {"amount": [6300000, 6400000]}

    token = csrf_token(client, "/umk/")
    response = client.post("/umk/delete/", data={"id": "2027", "csrf_token": token})
    assert response.status_code == 302
    assert session.get(UmkRate, 2027) is None
    deleted = session.execute(select(AuditEvent).where(
        AuditEvent.action == "admin.delete.umk_rate")).scalar_one()
    assert json.loads(deleted.diff)["amount"] == [6400000, None]


def test_auditor_can_change_nothing(client, session):
    login(client, "audit1")
    before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    token = csrf_token(client, "/umk/")
    for path, data in (("/umk/new/", {"year": "2030", "amount": "1"}),
                       ("/umk/edit/?id=2026", {"year": "2026", "amount": "1"}),
                       ("/umk/delete/", {"id": "2026"}),
                       ("/kelurahan/edit/?id=3275011001", {"name": "x"}),
                       ("/applications/new/", {})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert session.get(UmkRate, 2026).amount == 5_999_443
    attempts = session.execute(select(AuditEvent).where(AuditEvent.seq > before)
                               .order_by(AuditEvent.seq)).scalars().all()
    # Only the attempts are written: one "denied" event each, naming who and where.
    assert [(e.action.rsplit(".", 1)[1], e.actor_name) for e in attempts] == \
        [("denied", "audit1")] * 5
    assert json.loads(attempts[0].diff)["path"] == [None, "/umk/new/"]


def test_workflow_models_are_read_only_and_exports_are_off(client):
    login(client, "cw1")
    assert client.get("/applications/new/").status_code == 403
    assert client.get("/applications/edit/?id=1").status_code == 403
    assert client.get("/applications/export/csv/").status_code in (403, 404)


def test_admin_creates_user_through_the_verb(client, session):
    login(client, "admin1")
    response = _admin_post(client, "/users/new/", {
        "username": "petugas.baru", "full_name": "Petugas Baru", "password": "Awal-Sekali-2026",
        "roles": ["caseworker", "auditor"]})
    assert response.status_code == 302
    user = session.execute(select(User).where(User.username == "petugas.baru")).scalar_one()
    # Case roles wait for a second person (tests/test_role_grants.py); the password is
    # one-time and names who set it.
    assert user.role_names == () and user.must_change_password
    assert str(user.password_set_by) == "admin1"
    assert sorted(g.role for g in pending(session, user)) == ["auditor", "caseworker"]
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "user.create")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    diff = json.loads(event.diff)
    assert diff["roles"] == [None, ""] and diff["password_hash"] == [None, "***"]


def test_admin_user_form_rejects_a_weak_password_and_changes_nothing(client, session):
    login(client, "admin1")
    response = _admin_post(client, "/users/new/", {
        "username": "lemah", "full_name": "Lemah", "password": "pendek", "roles": ["caseworker"]})
    assert response.status_code == 200
    assert session.execute(select(User).where(User.username == "lemah")).first() is None


@pytest.mark.parametrize("code", ["3275011001", "123"], ids=["taken", "wrong-length"])
def test_a_refused_reference_change_is_told_without_sql(client, session, code):
    login(client, "admin1")
    response = _admin_post(client, "/kelurahan/edit/?id=3275011002",
                           {"code": code, "name": "Uji", "kecamatan": "327501"})
    page = client.get(response.headers.get("Location", "/kelurahan/")).get_data(as_text=True) \
        if response.status_code == 302 else response.get_data(as_text=True)
    for leak in ("UPDATE", "kelurahan SET", "IntegrityError", "sqlite3", "psycopg", "[SQL"):
        assert leak not in page, leak
    if code == "123":  # the form cannot know the database's check: the database refuses
        assert "nothing was saved" in page or "tidak ada yang disimpan" in page
    assert session.get(Kelurahan, "3275011002") is not None
