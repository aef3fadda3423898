"""The real login page in Debian's Chromium, driven by Playwright: each demo role
signs in and sees exactly its own menus."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from caseapp.demo import DEMO_PASSWORD, seed_demo
from tests.conftest import committed_app
from tests.databases import CI
from workflows.actor import Actor
from workflows.reference import load_reference_data

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_REFERENCE = {"/kecamatan/", "/kelurahan/", "/umk/", "/contributions/", "/policy/",
              "/document_types/"}
MENUS = {
    "petugas1": {"/cases/", "/cases/new", "/imports/", "/applications/", "/workers/"},
    "kadis": {"/cases/", "/applications/"},
    "auditor": {"/cases/", "/applications/", "/workers/", "/audit_log/"} | _REFERENCE,
    "admin": {"/users/", "/imports/"} | _REFERENCE,
}
ALL_VIEWS = set().union(*MENUS.values())


@pytest.fixture(scope="session")
def live_server(backend, tmp_path_factory):
    """The app on its own committed database with demo data, served on a free port."""
    storage = tmp_path_factory.mktemp("documents")

    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        seed_demo(session, workers=30, storage_dir=storage)

    with committed_app(backend, tmp_path_factory.mktemp("browser"), "browser", setup,
                       DOCUMENT_DIR=str(storage)) as app:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, base_url, username, password=DEMO_PASSWORD):
    page.goto(base_url + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[data-testid=sign-in]")


def _menu_hrefs(page) -> set[str]:
    hrefs = page.eval_on_selector_all("#admin-navbar-collapse a[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    return {h for h in hrefs if h in ALL_VIEWS}


def test_login_page_is_in_bahasa_indonesia(page, live_server):
    page.goto(live_server + "/")
    assert page.url.endswith("/auth/login?next=/%3F") or "/auth/login" in page.url
    assert page.inner_text("h1") == "Masuk"
    assert page.inner_text("label[for=password]") == "Kata sandi"
    _sign_in(page, live_server, "petugas1", "salah-sekali-123")
    assert "Nama pengguna atau kata sandi salah." in page.inner_text("body")


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_demo_role_sees_only_its_menus(page, live_server, username):
    _sign_in(page, live_server, username)
    assert page.locator("[data-testid=current-user]").is_visible()
    assert _menu_hrefs(page) == MENUS[username]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)
    forbidden = sorted(ALL_VIEWS - MENUS[username])
    if forbidden:
        response = page.goto(live_server + forbidden[0])
        assert response.status == 403
        assert "Tidak diizinkan" in page.inner_text("h1")


def test_switching_to_english_and_signing_out(page, live_server):
    _sign_in(page, live_server, "kadis")
    page.click("[data-testid=switch-language]")
    assert "Sign out" in page.inner_text("nav")
    page.click("text=Sign out")
    assert page.inner_text("h1") == "Sign in"
