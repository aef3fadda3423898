"""After sign-in and a language switch the browser goes only to a path of this app."""
import pytest

from tests.factories import PASSWORD
from tests.helpers import csrf_token

HOSTILE = ["/%09/evil.example/path", "/\t/evil.example/path", "//evil.example/",
           "/\\evil.example", "https://evil.example/", "http:/evil.example", "javascript:alert(1)",
           "/auth/login\r\nSet-Cookie: x=1", "/\r\n/evil.example", "/ /evil.example",
           "/no-such-page-of-this-app", "evil.example"]


def _login(client, next_value: str):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", query_string={"next": next_value},
                       data={"username": "cw1", "password": PASSWORD, "csrf_token": token})


def _switch(client, next_value: str):
    token = csrf_token(client, "/auth/login")
    return client.post("/bahasa", data={"lang": "en", "next": next_value, "csrf_token": token})


@pytest.mark.parametrize("go", [_login, _switch], ids=["login", "language"])
@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_goes_home(client, session, go, target):
    response = go(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("go", [_login, _switch], ids=["login", "language"])
def test_a_path_of_this_app_is_kept_with_its_query(client, session, go):
    response = go(client, "/cases/?state=submitted")
    assert response.headers["Location"] == "/cases/?state=submitted"
