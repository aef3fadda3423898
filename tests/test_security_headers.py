"""What every response tells the browser: a strict CSP, no caching of pages and
downloads, HSTS and __Host- cookies behind HTTPS, no server banner; and the proxy
headers trusted only when configured."""
import re
import urllib.request
from pathlib import Path

import pytest
from flask import request

from caseapp import create_app
from tests.browser_helpers import serving
from tests.conftest_config import app_config
from tests.factories import make_submitted
from tests.helpers import login

TEMPLATES = Path(__file__).parent.parent / "caseapp/templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def _directives(response) -> dict:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_pages_allow_no_inline_script_and_no_framing(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    for path in ("/", f"/cases/{application.id}", "/imports/", "/contributions-payments/",
                 "/auth/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = _directives(response)
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in csp["script-src"]
        assert "'unsafe-eval'" not in csp["script-src"]
        nonces = [s[len("'nonce-"):-1] for s in csp["script-src"] if s.startswith("'nonce-")]
        for attributes in SCRIPT_TAG.findall(response.get_data(as_text=True)):
            assert "src=" in attributes or any(f'nonce="{n}"' in attributes for n in nonces), \
                (path, attributes)


def test_no_template_carries_an_inline_event_handler():
    """onclick=/onsubmit= is inline script too; confirmations use data-confirm."""
    offenders = [f"{p.relative_to(TEMPLATES)}: {m.group(0)}" for p in TEMPLATES.rglob("*.html")
                 for m in re.finditer(r"\son[a-z]+\s*=", p.read_text())]
    assert offenders == []


def test_pages_and_downloads_are_never_cached_but_static_files_are(client, session, staff):
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    login(client, "cw1")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    application = make_submitted(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    html = client.get(page).get_data(as_text=True)
    document = re.search(r'href="(/cases/\d+/documents/\d+[^"]*)"', html)
    assert document, "the case page links its documents"
    download = client.get(document.group(1))
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    static = client.get("/static/caseapp.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


def test_the_test_server_names_no_product_or_version(app):
    """The browser tests' server hides Werkzeug's banner as gunicorn.conf.py hides gunicorn's
    (tests/test_gunicorn.py), so the pages the tests see answer as production's do."""
    with serving(app) as url, urllib.request.urlopen(url + "/auth/login") as response:
        assert response.headers.get_all("Server") == ["SIGAP"]


def test_behind_https_cookies_are_host_bound_and_hsts_is_sent(database, monkeypatch):
    monkeypatch.setenv("CASEAPP_SECURE_COOKIES", "1")
    app = create_app(app_config(DATABASE_URL=database.url))
    client = app.test_client()
    response = client.get("/auth/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


@pytest.mark.parametrize("hops,expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_forwarded_address_is_believed_only_with_configured_hops(database, hops, expected):
    app = create_app(app_config(DATABASE_URL=database.url, PROXY_HOPS=hops))
    seen = {}

    @app.get("/_probe")
    def _probe():
        seen["ip"] = request.remote_addr
        return ""

    app.test_client().get("/_probe", environ_base={"REMOTE_ADDR": "127.0.0.1",
                                                   "HTTP_X_FORWARDED_FOR": "203.0.113.9"})
    assert seen["ip"] == expected
