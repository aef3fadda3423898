"""Notices to workers, delivery side: the send job (scheduled only when a notice is due),
the outbox gateway's file, the http gateway against a real local HTTP server (success,
failure, retry with backoff, giving up, a person's retry), and no NIK in anything
stored or sent."""
import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from caseapp.jobs.periodic import send_due_notices
from models import Job, NoticeAttempt, Worker, WorkerNotice, clock
from tests.factories import add_documents, load_dtsen, make_application
from tests.helpers import events_since, head_seq
from workflows.errors import InvalidTransition, NotAllowed, Repeated
from workflows.notices.consent import record_consent, withdraw_consent
from workflows.notices.delivery import backoff, retry_notice
from workflows.verification import submit_application

NIK_LIKE = re.compile(r"\d{16}")
TOKEN = "rahasia-penyedia-uji"


class Provider:
    """A real HTTP server standing in for the SMS/WhatsApp provider: answers ``status``
    (after ``delay`` seconds) and keeps what it received."""

    def __init__(self):
        self.status, self.delay, self.received = 200, 0.0, []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.received.append({"path": self.path, "headers": dict(self.headers),
                                          "body": json.loads(body)})
                time.sleep(provider.delay)
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kirim"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(app, monkeypatch):
    server = Provider()
    for key, value in (("NOTICE_GATEWAY", "http"), ("NOTICE_HTTP_URL", server.url),
                       ("NOTICE_HTTP_TOKEN", TOKEN), ("NOTICE_HTTP_TIMEOUT", 2.0)):
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.close()


@pytest.fixture
def outbox(app, monkeypatch, tmp_path):
    path = tmp_path / "instance" / "notices-outbox.jsonl"
    monkeypatch.setitem(app.config, "NOTICE_GATEWAY", "outbox")
    monkeypatch.setitem(app.config, "NOTICE_OUTBOX_FILE", str(path))
    return path


def _received(session, staff, *, consent=True, name="Siti Aminah"):
    """A submitted application (its 'received' notice queued), committed for the job."""
    application = make_application(session, staff["cw1"], full_name=name)
    if consent:
        record_consent(session, application.worker, channel="whatsapp",
                       phone="081311112222", actor=staff["cw1"])
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 3)])
    submit_application(session, application, actor=staff["cw1"])
    session.commit()
    return application


def _send(app) -> Job | None:
    """The scheduler's 5-minute tick: the send job, if a notice is due."""
    from caseapp.extensions import db
    job_id = send_due_notices(app, app.extensions["caseapp_jobs"].huey)
    if job_id is None:
        return None
    with app.app_context():
        return db.session.get(Job, job_id)


def _notice(session, application) -> WorkerNotice:
    return session.execute(select(WorkerNotice).where(
        WorkerNotice.application_id == application.id)
        .execution_options(populate_existing=True)).scalar_one()


def _attempts(session, notice) -> list[NoticeAttempt]:
    return list(session.execute(select(NoticeAttempt).where(
        NoticeAttempt.notice_id == notice.id).order_by(NoticeAttempt.id)).scalars())


def test_the_outbox_gateway_writes_each_message_as_a_json_line(app, session, staff, outbox):
    first = _received(session, staff)
    second = _received(session, staff, name="Budi Santoso")
    _received(session, staff, consent=False)
    before = head_seq(session)
    job = _send(app)
    assert (job.kind, job.status, job.started_by_id) == ("notices.send", "done", None)
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [(m["to"], m["channel"], m["reference"]) for m in lines] == [
        ("081311112222", "whatsapp", f"SIGAP-N{_notice(session, first).id}"),
        ("081311112222", "whatsapp", f"SIGAP-N{_notice(session, second).id}")]
    assert lines[0]["text"].startswith("Disnaker Kota Bekasi: Yth. Siti, permohonan no. "
                                       f"{first.id} ")
    assert "Yth. Budi," in lines[1]["text"] and "Santoso" not in lines[1]["text"]
    for notice in (_notice(session, first), _notice(session, second)):
        assert (notice.status, notice.attempts, notice.channel) == ("sent", 1, "whatsapp")
        assert notice.sent_at is not None and notice.next_attempt_at is None
        assert [(a.gateway, a.ok) for a in _attempts(session, notice)] == [("outbox", True)]
    actions = [e.action for e in events_since(session, before)]
    assert actions.count("notice.sent") == 2 and "notice.skipped" not in actions
    assert _send(app) is None  # nothing due: the tick writes no job at all
    worker_niks = list(session.execute(select(Worker.nik)).scalars())
    assert not any(nik in outbox.read_text() for nik in worker_niks)


def test_consent_withdrawn_after_queueing_skips_the_notice(app, session, staff, outbox):
    application = _received(session, staff)
    withdraw_consent(session, application.worker, actor=staff["cw2"])
    session.commit()
    before = head_seq(session)
    job = _send(app)
    assert job.status == "done"
    notice = _notice(session, application)
    assert (notice.status, notice.skip_reason, notice.attempts) == ("skipped", "withdrawn", 0)
    assert not outbox.exists()
    assert "notice.skipped" in [e.action for e in events_since(session, before)]


def test_the_http_gateway_posts_json_with_the_bearer_token(app, session, staff, provider):
    application = _received(session, staff)
    job = _send(app)
    assert job.status == "done"
    [request] = provider.received
    assert request["path"] == "/kirim"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    notice = _notice(session, application)
    assert request["body"] == {"to": "081311112222", "channel": "whatsapp",
                               "text": notice.text, "reference": f"SIGAP-N{notice.id}"}
    assert notice.status == "sent"
    assert [(a.gateway, a.ok, a.error) for a in _attempts(session, notice)] == [
        ("http", True, None)]


def test_http_failures_are_retried_with_backoff_then_given_up(app, session, staff, provider,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "NOTICE_MAX_ATTEMPTS", 3)
    provider.status = 503
    application = _received(session, staff)
    start = clock.now()
    with clock.pinned(start):
        before = head_seq(session)
        assert _send(app).status == "done"
        notice = _notice(session, application)
        assert (notice.status, notice.attempts, notice.last_error) == ("queued", 1, "HTTP 503")
        wait = notice.next_attempt_at - clock.now()
        assert backoff(1) - timedelta(seconds=5) < wait <= backoff(1)
        assert [e.action for e in events_since(session, before)
                if e.action.startswith("notice.")] == ["notice.send_failed"]
        assert _send(app) is None  # not due before the backoff has passed

        clock.pin(start + backoff(1) + timedelta(seconds=1))
        assert _send(app).status == "done"
        notice = _notice(session, application)
        assert notice.attempts == 2
        assert notice.next_attempt_at - clock.now() > backoff(1)  # the pause grows

        clock.pin(start + backoff(1) + backoff(2) + timedelta(seconds=2))
        before = head_seq(session)
        _send(app)
        notice = _notice(session, application)
        assert (notice.status, notice.attempts, notice.next_attempt_at) == ("failed", 3, None)
        assert "notice.gave_up" in [e.action for e in events_since(session, before)]
        assert [(a.ok, a.error) for a in _attempts(session, notice)] == [(False, "HTTP 503")] * 3
        clock.pin(start + timedelta(days=1))
        assert _send(app) is None  # given up: no more tries by themselves

        provider.status = 200
        with pytest.raises(NotAllowed):
            retry_notice(session, notice, actor=staff["head"])
        retry_notice(session, notice, actor=staff["cw1"])
        with pytest.raises(Repeated):
            retry_notice(session, notice, actor=staff["cw1"])
        session.commit()
        assert _send(app).status == "done"
        notice = _notice(session, application)
        assert (notice.status, notice.attempts) == ("sent", 1)
        assert len(provider.received) == 4
        with pytest.raises(InvalidTransition):
            retry_notice(session, notice, actor=staff["cw1"])


def test_an_unreachable_or_slow_provider_is_a_failure(app, session, staff, provider,
                                                      monkeypatch):
    monkeypatch.setitem(app.config, "NOTICE_HTTP_TIMEOUT", 0.3)
    provider.delay = 1.0
    slow = _received(session, staff)
    _send(app)
    notice = _notice(session, slow)
    assert notice.status == "queued" and "timed out" in notice.last_error
    provider.delay = 0
    provider.close()
    with clock.pinned(clock.now() + timedelta(hours=1)):
        _send(app)
    notice = _notice(session, slow)
    assert notice.attempts == 2 and notice.last_error.startswith("URLError")


def test_a_redirect_is_a_failure_not_followed_with_the_token(app, session, staff, provider):
    provider.status = 302
    application = _received(session, staff)
    _send(app)
    notice = _notice(session, application)
    assert (notice.status, notice.last_error) == ("queued", "HTTP 302")
    assert len(provider.received) == 1


def test_nothing_stored_or_sent_holds_a_16_digit_number(app, session, staff, outbox):
    for _ in range(3):
        _received(session, staff)
    _send(app)
    stored = session.execute(select(WorkerNotice.text, WorkerNotice.phone,
                                    WorkerNotice.last_error)).all()
    assert stored and all(text for text, _, _ in stored)
    for row in stored:
        assert not any(NIK_LIKE.search(value or "") for value in row)
    assert not NIK_LIKE.search(outbox.read_text(encoding="utf-8"))


def test_a_sender_that_crashes_mid_send_is_given_up_after_the_attempts(app, session, staff,
                                                                        outbox):
    """Each lease ran out with no outcome recorded (the sender died after handing the
    message over): after the last attempt the notice is failed, not sent forever."""
    application = _received(session, staff)
    notice = _notice(session, application)
    notice.attempts, notice.next_attempt_at = app.config["NOTICE_MAX_ATTEMPTS"], clock.now()
    session.commit()
    before = head_seq(session)
    assert _send(app).status == "done"
    notice = _notice(session, application)
    assert (notice.status, notice.next_attempt_at) == ("failed", None)
    assert notice.last_error.startswith("no outcome recorded after")
    assert not outbox.exists() and _attempts(session, notice) == []
    assert [e.action for e in events_since(session, before)
            if e.action.startswith("notice.")] == ["notice.gave_up"]


def test_a_gateway_that_raises_is_a_failed_attempt_not_a_stopped_batch(app, session, staff,
                                                                      monkeypatch, tmp_path):
    """The outbox's folder cannot be made (a file stands in its place): both notices get
    a failed attempt with the error, retried later; the job itself finishes."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setitem(app.config, "NOTICE_GATEWAY", "outbox")
    monkeypatch.setitem(app.config, "NOTICE_OUTBOX_FILE", str(blocked / "outbox.jsonl"))
    first, second = _received(session, staff), _received(session, staff, name="Budi")
    assert _send(app).status == "done"
    for application in (first, second):
        notice = _notice(session, application)
        assert (notice.status, notice.attempts) == ("queued", 1)
        assert notice.next_attempt_at > clock.now()
        [attempt] = _attempts(session, notice)
        assert not attempt.ok and "Error" in attempt.error
