"""Where notices go: a pluggable gateway chosen by CASEAPP_NOTICE_GATEWAY.

``outbox`` (the default) sends nothing: it appends each message that would be sent
as one JSON line to a file in the instance folder (CASEAPP_NOTICE_OUTBOX_FILE), so a
pilot, a demo or an office without a provider contract sees exactly what workers
would get. ``http`` POSTs ``{to, channel, text, reference}`` as JSON to an SMS or
WhatsApp provider (CASEAPP_NOTICE_HTTP_URL) with a bearer token
(CASEAPP_NOTICE_HTTP_TOKEN) and a timeout; any answer but 2xx is a failure (a
redirect too: a provider that moved must be configured, not followed with the
token). ``send`` returns None when the message was handed over, else the error.
"""
import fcntl
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from models import clock
from workflows.notices.delivery import Outgoing


class OutboxGateway:
    name = "outbox"

    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, message: Outgoing) -> str | None:
        line = json.dumps({"at": clock.now().isoformat(), "to": message.to,
                           "channel": message.channel, "text": message.text,
                           "reference": message.reference}, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of the whole line to a file opened for appending, under an
        # exclusive lock: two workers never interleave or tear a line.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        except OSError as exc:
            return f"outbox file: {exc.strerror or exc}"
        finally:
            os.close(fd)
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx then raises HTTPError: a failure


class HttpGateway:
    name = "http"

    def __init__(self, url: str, token: str, timeout: float):
        if not url:
            raise RuntimeError("CASEAPP_NOTICE_HTTP_URL is not set")
        self.url, self.token, self.timeout = url, token, timeout
        self.opener = urllib.request.build_opener(_NoRedirects)

    def send(self, message: Outgoing) -> str | None:
        body = json.dumps({"to": message.to, "channel": message.channel, "text": message.text,
                           "reference": message.reference}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:  # refused, timed out, DNS
            reason = getattr(exc, "reason", None) or exc
            return f"{type(exc).__name__}: {reason}"[:500]
        return None if 200 <= status < 300 else f"HTTP {status}"


def gateway_for(config) -> OutboxGateway | HttpGateway:
    kind = config["NOTICE_GATEWAY"]
    if kind == "outbox":
        return OutboxGateway(config["NOTICE_OUTBOX_FILE"])
    if kind == "http":
        return HttpGateway(config["NOTICE_HTTP_URL"], config["NOTICE_HTTP_TOKEN"],
                           config["NOTICE_HTTP_TIMEOUT"])
    raise RuntimeError(f"unknown CASEAPP_NOTICE_GATEWAY {kind!r} (outbox or http)")
