"""Signing the audit chain head as the log grows, without anyone remembering to.

Events after the last signed checkpoint can be cut off or extended by someone who
controls the database; each checkpoint shrinks that window. After a request that
may have written, the head is signed when AUDIT_CHECKPOINT_EVERY_EVENTS events have
passed or, once any has, AUDIT_CHECKPOINT_EVERY_SECONDS; the job queue's
scheduler runs the same check every hour when nobody is using the pages (and
`flask audit checkpoint --if-due` for any other scheduler). Where the
signing key is kept off this host, the host that holds it runs that command.
"""
import logging
import sys
from datetime import timedelta
from pathlib import Path

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from caseapp.audit_keys import signing_key_path
from caseapp.database import reading
from caseapp.extensions import db
from workflows.actor import Actor
from workflows.audit.checkpoints import checkpoint_due, load_key, sign_if_due

log = logging.getLogger(__name__)


def sign_when_due(actor: Actor, *, scheduled: bool = False):
    """The checkpoint signed now, or None when none is due or no key is on this host.
    Pages sign only when AUDIT_CHECKPOINT_EVERY_EVENTS is set; the scheduler's hourly
    run (caseapp/jobs/periodic.py) also signs by age alone."""
    config = current_app.config
    every_events = config["AUDIT_CHECKPOINT_EVERY_EVENTS"]
    if not (every_events or scheduled):
        return None
    key = signing_key_path()
    rule = {"every_events": every_events or sys.maxsize,
            "every": timedelta(seconds=config["AUDIT_CHECKPOINT_EVERY_SECONDS"])}
    if not key.exists() or not _due(rule):
        return None
    return sign_if_due(db.session, load_key(key), actor=actor,  # decides again, locked
                       export_file=Path(config["AUDIT_CHECKPOINT_FILE"]), **rule)


def _due(rule: dict) -> bool:
    """Whether a checkpoint looks due, read without a lock in a session of its own: after
    most writes none is, and the answer must not cost every POST the chain-head lock."""
    with reading(), db.session.session_factory() as session:
        return checkpoint_due(session, **rule)


def init_app(app) -> None:
    @app.after_request
    def _sign_after_writes(response):
        if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400:
            return response
        try:
            if sign_when_due(Actor.system("audit-checkpoint")) is not None:
                db.session.commit()
        except (SQLAlchemyError, OSError):
            db.session.rollback()
            log.exception("could not sign an audit checkpoint after %s", request.endpoint)
        return response
