"""What the server acknowledged survives a crash: a real server process on a SQLite file
imports a file, answers 302 naming the run, and is killed (SIGKILL) at once; after a
restart the run, its audit events and an intact chain are all there."""
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from models import AuditChainHead, AuditEvent, DtsenRecord, ImportRun, Job
from tests.conftest import committed_app
from tests.conftest_config import app_config
from tests.factories import PASSWORD, reference_and_staff
from tests.test_imports import DTSEN_HEADER, dtsen_rows
from workflows.audit import verify_chain

ROOT = Path(__file__).resolve().parent.parent
ROUNDS, ROWS = 4, 3_000
_SERVER = """
import sys, json
from werkzeug.serving import make_server
from caseapp import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


class _Browser:
    """Cookies, CSRF tokens and multipart uploads over real HTTP, nothing followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def send(self, path: str, fields: dict | None = None, upload: tuple | None = None):
        body, headers = None, {}
        if upload is not None:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                     .encode() for k, v in fields.items()]
            name, content = upload
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                         f'filename="{name}"\r\n\r\n'.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif fields is not None:
            body = urllib.parse.urlencode(fields).encode()
        try:
            response = self.opener.open(urllib.request.Request(self.base + path, body, headers),
                                        timeout=60)
        except urllib.error.HTTPError as answer:  # 3xx and errors both land here
            response = answer
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def token(self, path: str) -> str:
        return _TOKEN.search(self.send(path)[2]).group(1)


def _csv(round_no: int) -> bytes:
    rows = dtsen_rows(ROWS, start=1 + round_no * ROWS)
    return "\n".join(",".join(r) for r in [DTSEN_HEADER, *rows]).encode() + b"\n"


@pytest.fixture
def database_url(tmp_path):
    with committed_app("sqlite", tmp_path, "crash", reference_and_staff) as app:
        yield app, db.state(app).engine.url.render_as_string()


def _start(url: str) -> tuple[subprocess.Popen, str]:
    config = json.dumps(app_config(DATABASE_URL=url))
    server = subprocess.Popen([sys.executable, "-c", _SERVER, config], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    port = server.stdout.readline().decode().strip()
    assert port.isdigit(), "the server did not start"
    return server, f"http://127.0.0.1:{port}"


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_an_acknowledged_import_survives_a_kill_right_after_the_answer(database_url):
    app, url = database_url
    db.state(app).engine.dispose()
    for round_no in range(ROUNDS):
        server, base = _start(url)
        try:
            browser = _Browser(base)
            status, _, _ = browser.send("/auth/login", {
                "username": "cw1", "password": PASSWORD,
                "csrf_token": browser.token("/auth/login")})
            assert status == 302
            fields = {"csrf_token": browser.token("/imports/"), "as_of": "2026-01-15"}
            status, headers, _ = browser.send(
                "/imports/dtsen", fields, upload=(f"dtsen-{round_no}.csv", _csv(round_no)))
        finally:
            server.send_signal(signal.SIGKILL)  # at once: no shutdown, no teardown
            server.wait()
        assert status == 302, status
        job_id = int(re.fullmatch(r"/jobs/(\d+)", headers["Location"]).group(1))
        with app.app_context():
            job = db.session.get(Job, job_id)  # the test app runs jobs inside the request
            assert job is not None and job.status == "done", f"round {round_no}: job lost"
            run_id = json.loads(job.outcome)["args"]["id"]
            run = db.session.get(ImportRun, run_id)
            assert run is not None and run.status == "applied", f"round {round_no}: lost"
            assert db.session.scalar(select(func.count()).select_from(DtsenRecord).where(
                DtsenRecord.dataset_id == run_id)) == ROWS
            assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "import.applied", AuditEvent.entity_id == str(run_id))) == 1
            head = db.session.get(AuditChainHead, 1)
            assert head.seq == db.session.scalar(select(func.max(AuditEvent.seq)))
            assert verify_chain(db.session).ok
            # WAL commits reach the disk before the answer (not only the OS's cache).
            assert db.session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2
            db.session.remove()
        db.state(app).engine.dispose()
