"""Driving Debian's Chromium through Playwright against an app served on a free port
(a pytest plugin of tests/conftest.py: the ``browser`` and ``page`` fixtures)."""
import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from caseapp.demo import seed_demo
from models import clock
from tests.conftest import committed_app
from tests.databases import CI
from tests.factories import TOTP_SECRET, make_staff
from workflows.actor import Actor
from workflows.reference import load_reference_data

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class QuietRequestHandler(WSGIRequestHandler):
    """No ``Server: Werkzeug/… Python/…`` banner, as gunicorn.conf.py does for production."""

    def version_string(self) -> str:
        return "SIGAP"


@contextmanager
def serving(app):
    """``app`` served in a thread of this process (so a pinned clock holds for it too)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def served(backend: str, tmp_dir: Path, label: str, populate=None, **config):
    """(app, url): the app on its own committed database with reference data, the test
    staff and what ``populate(session, staff)`` adds, served on a free port; documents
    under ``tmp_dir``."""
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        staff = make_staff(session)
        if populate is not None:
            populate(session, staff)

    with _served(backend, tmp_dir, label, setup, config) as served_app:
        yield served_app


@contextmanager
def demo_served(backend: str, tmp_dir: Path, label: str, workers: int = 30, **config):
    """(app, url): as :func:`served`, with the demo accounts and ``workers`` demo cases."""
    def setup(session):
        load_reference_data(session, actor=Actor.system("test-setup"))
        seed_demo(session, workers=workers, storage_dir=tmp_dir / "documents")

    with _served(backend, tmp_dir, label, setup, config) as served_app:
        yield served_app


@contextmanager
def _served(backend, tmp_dir, label, setup, config):
    with committed_app(backend, tmp_dir, label, setup,
                       **{"DOCUMENT_DIR": str(tmp_dir / "documents"), **config}) as app, \
            serving(app) as url:
        yield app, url


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


def sign_in(page, base_url, username, password):
    """Sign in; a head, auditor or admin also types the code of the shared test and demo
    secret (tests/factories.TOTP_SECRET), as the person would read it off their phone."""
    page.goto(base_url + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():  # success and failure both load a new page
        page.click("[data-testid=sign-in]")
    for offset in (0, 30, None):  # a code counts once: later sign-ins take a later step
        if "/auth/mfa/" not in page.url:
            return
        if offset is None:
            clock.pin(clock.now() + timedelta(minutes=1))
            offset = 0
        page.fill("#code", pyotp.TOTP(TOTP_SECRET).at(clock.now().timestamp() + offset))
        with page.expect_navigation():
            page.click("[data-testid=verify-code]")


def click_and_load(page, selector: str) -> None:
    """Click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.click(selector)
