"""/healthz and /readyz, for the load balancer and whoever runs the servers.

``/healthz`` says the process answers: it reads nothing, not the database and not the
session (caseapp/auth skips its session hooks for PROBES), sets no cookie and is not
rate limited: a liveness probe, failing only when the process no longer answers.

``/readyz`` says whether this process can serve: each readiness check runs and the
answer lists them, ``{"status": "ok"|"failed", "checks": {name: {"status": ...,
"reason": ...}}}``, 200 when all pass and 503 when any fails. The reasons are short
and generic because anyone may ask; paths, SQL and exception text go to the log only.
The checks are cheap (a load balancer polls every few seconds): two or three short
statements, a temporary file made and removed, two statvfs calls.

The checks are a registry in ``app.extensions``. Another part adds its own from its
init_app, e.g. the job queue::

    from caseapp import health
    health.add_check(app, "queue", queue_ready)

where ``queue_ready()`` returns when ready and raises ``NotReady("short generic
reason", "detail for the log")`` (or any exception, logged with its traceback) when not.
It runs inside the /readyz request, so it may use ``current_app`` and ``db.session``;
keep it as cheap as the others (a Redis PING with a short timeout, not a job's round trip).
"""
import logging
import shutil
import tempfile
from functools import cache
from typing import Callable

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from caseapp.extensions import db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
PROBES = frozenset({"health.healthz", "health.readyz"})
_CHECKS = "caseapp_ready_checks"
# PostgreSQL ends the check's statements after this long (a lock held by a migration,
# an overloaded server). SQLite reads in WAL mode take no lock, so they do not wait.
DB_TIMEOUT_MS = 2000


class NotReady(Exception):
    """A failed readiness check: ``reason`` is shown to anyone, ``detail`` only logged."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {name: _outcome(name, check) for name, check in current_app.extensions[_CHECKS]}
    ready = all(outcome["status"] == "ok" for outcome in checks.values())
    return jsonify(status="ok" if ready else "failed", checks=checks), 200 if ready else 503


def _outcome(name: str, check: Callable[[], None]) -> dict:
    try:
        check()
    except NotReady as failure:
        log.warning("readiness check %s failed: %s; %s", name, failure.reason, failure.detail)
        return {"status": "failed", "reason": failure.reason}
    except Exception:  # a check's own bug must not turn /readyz into a 500
        log.warning("readiness check %s failed", name, exc_info=True)
        return {"status": "failed", "reason": "check failed"}
    return {"status": "ok"}


def database() -> None:
    """A trivial SELECT through the app's engine, and the schema at the code's head."""
    session = db.session
    try:
        if session.get_bind().dialect.name == "postgresql":
            # The trivial SELECT, bounding the rest of this transaction as well.
            session.execute(text("SELECT set_config('statement_timeout', :ms, true)"),
                            {"ms": str(DB_TIMEOUT_MS)})
        else:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        session.rollback()
        raise NotReady("unreachable", str(exc)) from exc
    try:
        versions = frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as exc:
        raise NotReady("schema not upgraded", str(exc)) from exc
    finally:
        session.rollback()
    heads = migration_heads(current_app.extensions["migrate"].directory)
    if versions != heads:
        raise NotReady("schema not upgraded",
                       f"database at {sorted(versions)}, migrations at {sorted(heads)}")


@cache
def migration_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of migrations/, read once per process (reading imports them all)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def document_store() -> None:
    """DOCUMENT_DIR is there and takes a new file."""
    takes_files(current_app.config["DOCUMENT_DIR"])


def takes_files(folder) -> None:
    """``folder`` is there and takes a new file (for this and other stores' checks)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
            pass
    except OSError as exc:
        raise NotReady("not writable", f"{folder}: {exc}") from exc


def disk_space() -> None:
    """The instance folder (SQLite, keys, checkpoints), DOCUMENT_DIR and the job file
    store (uploads waiting for their job) have room."""
    config = current_app.config
    minimum = config["READY_MIN_FREE_BYTES"]
    for folder in (current_app.instance_path, config["DOCUMENT_DIR"], config["JOB_FILE_DIR"]):
        try:
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            raise NotReady("free space unknown", f"{folder}: {exc}") from exc
        if free < minimum:
            raise NotReady("low on free space",
                           f"{folder}: {free} bytes free, READY_MIN_FREE_BYTES is {minimum}")


def add_check(app, name: str, check: Callable[[], None]) -> None:
    """Another readiness check for ``app``; before or after init_app, either works."""
    app.extensions.setdefault(_CHECKS, []).append((name, check))


def init_app(app) -> None:
    app.extensions[_CHECKS] = [("database", database), ("documents", document_store),
                               ("disk_space", disk_space), *app.extensions.get(_CHECKS, ())]
    limiter.exempt(bp)
    app.register_blueprint(bp)
