"""Log lines as one JSON object each, naming the request and the signed-in user.

Every line has time (UTC), level, logger, message and request_id (null outside a
request); when someone is signed in, their user_id and roles; and whatever fields the
caller passed as ``extra`` (the access line of caseapp/request_log.py passes method,
endpoint, rule, status, duration_ms, size). Lines carry no personal values: nothing
here reads the path, the query string or the form; Werkzeug's development-server
request lines (the raw path with its query string) are silenced; and PostgreSQL's
DETAIL lines, which repeat a refused row's values (``Key (nik)=(...) already exists``),
are cut from messages and tracebacks (SQLAlchemy leaves statement parameters out,
caseapp/database.py).

The standard library's Formatter does this in a few lines (json.dumps of the fields),
so there is no python-json-logger to pin and audit.

LOG_FORMAT ``text`` gives one readable line per record for development. Gunicorn logs
its own lines (worker boots, timeouts) through the same handler when gunicorn.conf.py
says::

    from caseapp.config import log_settings
    from caseapp.logs import logconfig_dict as _logconfig
    _log = log_settings()
    logconfig_dict = _logconfig(_log["LOG_LEVEL"], _log["LOG_FORMAT"])

which also drops gunicorn's access log: the application writes one line per request.
create_app() calls configure_logging() again with the same settings in each worker;
it replaces only the handler made here.
"""
import json
import logging
import re
import sys
from datetime import datetime, timezone

from flask import g, has_app_context, has_request_context
from sqlalchemy import inspect as sa_inspect

FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Loggers kept quieter than the rest: Werkzeug's INFO lines are the raw request line,
# WeasyPrint's are a progress report for every PDF.
QUIET = {"werkzeug": "WARNING", "weasyprint.progress": "WARNING"}
_PG_DETAIL = re.compile(r"^DETAIL: .*\n?", re.MULTILINE)
# What every LogRecord has; anything else on a record came from the caller's ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return _PG_DETAIL.sub("", super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {"time": datetime.fromtimestamp(record.created, timezone.utc)
                  .isoformat(timespec="milliseconds"),
                  "level": record.levelname, "logger": record.name,
                  "message": _PG_DETAIL.sub("", record.getMessage())}
        fields.update((k, v) for k, v in vars(record).items() if k not in _RECORD_FIELDS)
        if record.exc_info:
            fields["exc_info"] = _PG_DETAIL.sub("", self.formatException(record.exc_info))
        if record.stack_info:
            fields["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(fields, default=str, ensure_ascii=False)


class RequestContext(logging.Filter):
    """Adds request_id, and user_id and roles when someone is signed in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request_id"):  # the caller named its own (a job, say)
            return True
        record.request_id = None
        if has_app_context():  # a request, or a job (its runner sets the request that asked)
            record.request_id = g.get("request_id")
        if has_request_context():
            for key, value in _signed_in(g.get("_login_user")).items():
                setattr(record, key, value)
        return True


def _signed_in(user) -> dict:
    """The user Flask-Login has already loaded (``g._login_user``), read without loading
    anything: a log line must never query the database, nor load a user nobody asked for."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:  # nobody, or the anonymous user
        return {}
    roles = state.dict.get("roles") or ()  # loaded with the user (lazy="selectin")
    return {"user_id": state.identity[0],
            "roles": sorted(r.__dict__["role"] for r in roles if "role" in r.__dict__)}


class Handler(logging.StreamHandler):
    """Writes to sys.stderr as it is at each line (gunicorn and pytest swap it)."""

    def __init__(self, fmt: str = "json"):
        if fmt not in FORMATS:
            raise ValueError(f"LOG_FORMAT must be one of {FORMATS}, not {fmt!r}")
        logging.Handler.__init__(self)
        self.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
        self.addFilter(RequestContext())

    @property
    def stream(self):
        return sys.stderr


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Root logs through one Handler at ``level``; a Handler made before is replaced,
    other handlers (pytest's, say) are left alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, Handler)]:
        root.removeHandler(handler)
    root.addHandler(Handler(fmt))
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)


def logconfig_dict(level: str = "INFO", fmt: str = "json") -> dict:
    """The same setup as a logging.config.dictConfig dict, for gunicorn's logconfig_dict:
    gunicorn's error lines go through the Handler, its access lines nowhere."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"caseapp": {"()": Handler, "fmt": fmt}},
        "root": {"level": level, "handlers": ["caseapp"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": False},
            **{name: {"level": quiet} for name, quiet in QUIET.items()},
        },
    }
