"""Error pages: inside the layout with the top menu for a signed-in user (so the way
on is one click away), plain with a link to sign in for anybody else, and never an
error of their own: when the layout cannot be drawn the plain page is shown."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from caseapp.extensions import db
from models import User
from tests.helpers import login

MENU = 'id="admin-navbar-collapse"'


@pytest.fixture
def server_errors(app, monkeypatch):
    """Unhandled exceptions reach the 500 handler as in production (tests propagate them)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    return app


def test_a_403_shows_the_menu_to_a_signed_in_user(client):
    login(client, "cw1")
    response = client.get("/users/")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert MENU in html and 'href="/cases/"' in html and 'data-testid="current-user"' in html
    assert "Tidak diizinkan" in html
    assert "Peran Anda tidak diizinkan mengakses halaman atau melakukan tindakan ini." in html
    assert 'data-testid="error-sign-in"' not in html


def test_a_404_and_an_expired_form_show_the_menu_too(client):
    login(client, "cw1")
    missing = client.get("/cases/999999")
    expired = client.post("/cases/new", data={"full_name": "Tanpa token"})
    assert (missing.status_code, expired.status_code) == (404, 400)
    for response in (missing, expired):
        assert MENU in response.get_data(as_text=True)
    assert "Tidak ditemukan" in missing.get_data(as_text=True)


def test_an_anonymous_visitor_gets_a_plain_page_with_a_sign_in_link(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert MENU not in html
    assert 'href="/auth/login"' in html and 'data-testid="error-sign-in"' in html
    assert "Tidak ditemukan" in html


def test_a_failed_statement_still_gives_a_500_page_with_the_menu(server_errors, client,
                                                                 monkeypatch):
    """A statement that fails leaves the transaction unusable (PostgreSQL refuses every
    further query in it); the page with the menu needs none, and gives the reference
    the administrator finds the error's log lines by."""
    def broken_page():
        db.session.execute(text("SELECT no_such_column FROM app_user"))

    login(client, "cw1")
    monkeypatch.setitem(server_errors.view_functions, "admin.index", broken_page)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert MENU in html and 'data-testid="current-user"' in html
    assert 'data-testid="error-reference"' in html


def test_when_the_layout_cannot_be_drawn_the_plain_page_is_shown(client, monkeypatch):
    def database_gone(user):
        raise OperationalError("SELECT role", {}, Exception("server closed the connection"))

    login(client, "cw1")
    monkeypatch.setattr(User, "role_names", property(database_gone))
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert MENU not in html and "Tidak ditemukan" in html
    assert 'href="/"' in html and 'data-testid="error-sign-in"' not in html
