"""Driving the web layer like a browser would (CSRF tokens from the pages), and reading
what a step wrote to the audit log."""
import re
from datetime import timedelta

import pyotp
from sqlalchemy import select, text

from models import AuditChainHead, AuditEvent, clock
from tests.factories import PASSWORD, TOTP_SECRET

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                    r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = PASSWORD):
    """Sign in; when the account asks for its second factor, give the current code."""
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"username": username, "password": password,
                                                "csrf_token": token})
    if response.headers.get("Location") == "/auth/mfa/":
        response = second_factor(client)
    return response


def totp_code(offset: int = 0) -> str:
    """The code of TOTP_SECRET ``offset`` seconds from the (pinned) clock."""
    return pyotp.TOTP(TOTP_SECRET).at(clock.now().timestamp() + offset)


def second_factor(client):
    """Answer the code step. A code is accepted once: a second sign-in within the same
    30 seconds takes the next step's code, a third moves the pinned clock on a minute."""
    token = csrf_token(client, "/auth/mfa/")
    for offset in (0, 30, None):
        if offset is None:
            clock.pin(clock.now() + timedelta(minutes=1))
            offset = 0
        response = client.post("/auth/mfa/", data={"code": totp_code(offset),
                                                   "csrf_token": token})
        if response.status_code == 302:
            return response
    raise AssertionError("the second factor was refused")


def tamper(session, sql: str, **params) -> None:
    """Change audit rows as someone who can switch the database's protection off
    (a DBA, or anyone holding the SQLite file). The test's transaction is rolled
    back afterwards, which brings the triggers back."""
    for table in ("audit_event", "audit_checkpoint", "audit_chain_head"):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_change"))
        else:
            session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
            session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
    session.execute(text(sql), params)


def head_seq(session) -> int:
    """Where the audit chain ends now (events after it are the ones a step wrote)."""
    return session.scalar(select(AuditChainHead.seq))


def events_since(session, seq: int):
    """The audit events after ``seq``, oldest first, with the session's objects reloaded."""
    session.expire_all()
    return session.execute(select(AuditEvent).where(AuditEvent.seq > seq)
                           .order_by(AuditEvent.seq)).scalars().all()


def job_result(client, response) -> str:
    """Where a page that started a job leads once the job has ended: the job's page
    (named by the redirect, or by the JSON an upload script gets) hands over to the
    page of the result. Jobs run at once in tests (JOB_QUEUE immediate)."""
    location = (response.json["location"] if response.is_json
                else response.headers["Location"])
    assert re.fullmatch(r"/jobs/\d+", location), location
    ended = client.get(location)
    assert ended.status_code == 302, "the job has not ended"
    return ended.headers["Location"]


_DOWNLOAD = re.compile(r'<form method="post" action="(/jobs/\d+/file)" data-auto-download')


def job_file(client, response):
    """The file a job made, as the browser gets it: the page that started the job leads
    to the job's page, which (once the job is done) holds the form its script submits
    at once; that POST's response. Jobs run at once in tests (JOB_QUEUE immediate)."""
    location = response.headers.get("Location", "")
    assert response.status_code == 302 and re.fullmatch(r"/jobs/\d+", location), (
        response.status_code, location)
    page = client.get(location)
    assert page.status_code == 200, f"the job has not made a file ({page.status_code})"
    html = page.get_data(as_text=True)
    form = _DOWNLOAD.search(html)
    assert form, "no download on the job's page"
    token = _TOKEN.search(html)
    return client.post(form.group(1), data={"csrf_token": token.group(1) or token.group(2)})
