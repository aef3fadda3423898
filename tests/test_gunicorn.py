"""The app as production serves it: a real gunicorn process started with the repository's
gunicorn.conf.py on a migrated database. It serves the sign-in page and a signed-in
session, names no server product, keeps the app's security headers, leaves
X-Forwarded-* and SCRIPT_NAME to the app (ProxyFix) instead of believing a local
client, writes no query string to its log, and tunes each worker's cycle collector."""
import gc
import os
import re
import runpy
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from caseapp.extensions import db
from tests.conftest import committed_app
from tests.conftest_config import TEST_CONFIG
from tests.databases import BACKENDS
from tests.factories import PASSWORD, reference_and_staff
from tests.test_crash_durability import _Browser

ROOT = Path(__file__).resolve().parent.parent
NIK = "3275014107900001"
_LISTENING = re.compile(rb"Listening at: (http://127\.0\.0\.1:\d+)")


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request, tmp_path_factory):
    with committed_app(request.param, tmp_path_factory.mktemp("gunicorn"), "gunicorn",
                       reference_and_staff) as app:
        db.state(app).engine.dispose()
        yield db.state(app).engine.url.render_as_string(hide_password=False)


@contextmanager
def gunicorn(database_url: str, log: Path):
    """gunicorn on a free port, as `gunicorn -c gunicorn.conf.py` in the repository;
    yields its base URL. Its whole output lands in ``log``."""
    env = {**os.environ, "CASEAPP_DATABASE_URL": database_url,
           "CASEAPP_SECRET_KEY": TEST_CONFIG["SECRET_KEY"],
           "CASEAPP_AUDIT_MASK_KEY": TEST_CONFIG["AUDIT_MASK_KEY"],
           "CASEAPP_DOCUMENT_DIR": TEST_CONFIG["DOCUMENT_DIR"],
           "CASEAPP_AUDIT_SIGNING_KEY": TEST_CONFIG["AUDIT_SIGNING_KEY"],
           "CASEAPP_AUDIT_CHECKPOINT_FILE": str(log.with_suffix(".checkpoints")),
           "CASEAPP_PROXY_HOPS": "0", "CASEAPP_BIND": "127.0.0.1:0", "CASEAPP_WEB_WORKERS": "2"}
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := _LISTENING.search(log.read_bytes())):
            assert server.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield found.group(1).decode()
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_serves_sign_in_and_a_session_without_naming_the_server(database_url, tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn(database_url, log) as base:
        browser = _Browser(base)
        status, headers, body = browser.send(f"/auth/login?nik={NIK}")
        assert status == 200 and 'data-testid="sign-in"' in body
        assert headers.get_all("Server") == ["SIGAP"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        status, _, _ = browser.send("/auth/login", {
            "username": "cw1", "password": PASSWORD, "csrf_token": browser.token("/auth/login")})
        assert status == 302
        status, headers, body = browser.send(f"/cases/?nik={NIK}")
        assert status == 200 and "Pegawai cw1" in body
        assert headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in headers
    # No access log: a search by NIK leaves no NIK in the server's output.
    output = log.read_text(errors="replace")  # complete: the server has stopped
    assert "Booting worker" in output and NIK not in output


def test_a_local_client_cannot_claim_https_or_a_path_prefix(database_url, tmp_path):
    """gunicorn trusts 127.0.0.1's forwarding headers by default: conflicting scheme
    headers would be a 400, and SCRIPT_NAME would move every link under /evil."""
    with gunicorn(database_url, tmp_path / "gunicorn.log") as base:
        browser = _Browser(base)
        browser.opener.addheaders = [("X-Forwarded-Proto", "https"), ("X-Forwarded-SSL", "off"),
                                     ("SCRIPT_NAME", "/evil")]
        status, headers, body = browser.send("/auth/login")
        assert status == 200 and "/evil" not in body
        assert browser.send("/evil/auth/login")[0] == 404


def test_each_worker_freezes_what_it_imported_and_collects_young_objects_less_often():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000  # the imported app, out of the scans
        assert gc.get_threshold() == (settings["GC_YOUNG_THRESHOLD"], *threshold[1:])
        assert settings["GC_YOUNG_THRESHOLD"] > threshold[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
