"""Signing the audit chain head as the log grows, without anyone remembering to.

Events after the last signed checkpoint can be cut off or extended by someone who
controls the database; each checkpoint shrinks that window. After a request that
may have written, the head is signed when AUDIT_CHECKPOINT_EVERY_EVENTS events have
passed or, once any has, AUDIT_CHECKPOINT_EVERY_SECONDS; `flask audit checkpoint
--if-due` does the same for a scheduler when nobody is using the pages. Where the
signing key is kept off this host, the host that holds it runs that command.
"""
import logging
from datetime import timedelta
from pathlib import Path

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from caseapp.audit_keys import signing_key_path
from caseapp.extensions import db
from workflows.actor import Actor
from workflows.audit.checkpoints import load_key, sign_if_due

log = logging.getLogger(__name__)


def sign_when_due(actor: Actor):
    """The checkpoint signed now, or None when none is due or no key is on this host."""
    config = current_app.config
    key = signing_key_path()
    if not config["AUDIT_CHECKPOINT_EVERY_EVENTS"] or not key.exists():
        return None
    return sign_if_due(db.session, load_key(key), actor=actor,
                       export_file=Path(config["AUDIT_CHECKPOINT_FILE"]),
                       every_events=config["AUDIT_CHECKPOINT_EVERY_EVENTS"],
                       every=timedelta(seconds=config["AUDIT_CHECKPOINT_EVERY_SECONDS"]))


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
            log.exception("could not sign an audit checkpoint after %s", request.path)
        return response
