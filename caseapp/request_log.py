"""One access line per request, naming the route and never what was typed into it.

The line gives the method, the endpoint and URL rule (``/cases/<int:application_id>``),
the status, the duration in ms until the response was ready and the body size; the
request id and the signed-in user come from caseapp/logs.py. It never gives the path
as sent or its query string, which may hold a NIK or a name (a search, a ``next``),
nor form values. Gunicorn's own access log is off (caseapp/logs.py), so this is the
one line per request. Health probes are logged at DEBUG: a load balancer polls them
every few seconds, and a failing /readyz logs its own warning.
"""
import logging
import time

from flask import g, request

from caseapp.health import PROBES

log = logging.getLogger("caseapp.access")


def _start() -> None:
    g.request_started = time.perf_counter()


def _access_line(response):
    started = g.get("request_started")
    rule = request.url_rule.rule if request.url_rule is not None else None
    fields = {"method": request.method, "endpoint": request.endpoint, "rule": rule,
              "status": response.status_code,
              "duration_ms": (round((time.perf_counter() - started) * 1000, 1)
                              if started is not None else None),
              "size": response.content_length}
    level = logging.DEBUG if request.endpoint in PROBES else logging.INFO
    log.log(level, "%s %s %s", request.method, rule or "(no route)", response.status_code,
            extra=fields)
    return response


def init_app(app) -> None:
    # At the front of the before-request hooks, so the duration counts the others too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_access_line)
