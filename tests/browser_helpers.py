"""Driving Debian's Chromium through Playwright against an app served on a free port
(a pytest plugin of tests/conftest.py: the ``browser`` and ``page`` fixtures)."""
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.databases import CI

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@contextmanager
def serving(app):
    """``app`` served in a thread of this process (so a pinned clock holds for it too)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
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


def sign_in(page, base_url, username, password):
    page.goto(base_url + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():  # success and failure both load a new page
        page.click("[data-testid=sign-in]")


def click_and_load(page, selector: str) -> None:
    """Click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.click(selector)
