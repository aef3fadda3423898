"""Refused attempts are audit events too, so auditors see who tried what.

A verb refusing for the role or separation of duties (403), for the case's state
or a conflict such as no place left (409) leaves ``<endpoint>.refused``; a page or
action the role may not use at all leaves ``<endpoint>.denied``. Bad input (422) is
a typing matter and is not recorded. The refused change itself is rolled back
first, so only the attempt is written.
"""
import logging
import re
from datetime import timedelta

from flask import flash, request
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from caseapp.actor import current_actor
from caseapp.extensions import db
from models import AuditEvent, clock
from models.base import Base
from workflows.audit import record
from workflows.errors import WorkflowError
from workflows.messages import Message, lazy_gettext as _l

log = logging.getLogger(__name__)
DENIAL_WINDOW = timedelta(minutes=1)
# The reason of a denial, stored in English and translated for each reader.
DENIED = _l("the role may not open or post to this")
# A refusal's message values that may stay in the permanent log: numbers (case numbers,
# years), never a name or a NIK.
KEPT_PARAMETERS = ("id", "ids", "year")
_NUMBERS = re.compile(r"\d{1,10}(, \d{1,10})*")


# URL arguments whose table is not their name; "batch_id" depends on the page.
_ARGUMENT_TABLES = {"request_id": "data_subject_request", "run_id": "import_run",
                    "flag_id": "duplicate_flag", "job_id": "background_job",
                    "notice_id": "worker_notice",
                    ("bpjs", "batch_id"): "registration_batch",
                    ("contributions_page", "batch_id"): "payment_batch"}


def _target() -> tuple[str | None, str | None]:
    """The record the URL names (``application_id=7`` -> application 7), so the attempt
    shows in that record's history; other arguments stay visible in the event's path."""
    page = (request.endpoint or "").split(".", 1)[0]
    for name, value in (request.view_args or {}).items():
        table = _ARGUMENT_TABLES.get((page, name)) or _ARGUMENT_TABLES.get(name) or name[:-3]
        if name.endswith("_id") and table in Base.metadata.tables:
            return table, str(value)
    return None, None


def _denied_lately(action: str) -> bool:
    """Whether this user's denial at this route is already in the log from the last
    minute: a page a role may not open, reloaded or scripted, is one finding, not a
    flood that buries the rest of the log."""
    since = clock.now() - DENIAL_WINDOW
    return db.session.scalar(select(AuditEvent.seq).where(
        AuditEvent.actor_id == current_user.id, AuditEvent.action == action,
        AuditEvent.occurred_at >= since).limit(1)) is not None


def record_attempt(suffix: str, status: int, message: str,
                   parameters: dict | None = None) -> None:
    """Undo what the attempt left in the session and write one event for it, when a
    signed-in user made it (denials at most once a minute per user and route); never
    raises. ``message`` is a msgid, ``parameters`` the values kept to fill it in."""
    db.session.rollback()
    if not current_user.is_authenticated or request.endpoint is None:
        return
    action = f"{request.endpoint}.{suffix}"
    entity_type, entity_id = _target()
    try:
        if suffix == "denied" and _denied_lately(action):
            return
        diff = {"method": [None, request.method], "path": [None, request.path],
                "status": [None, status]}
        if parameters:
            diff["parameters"] = [None, parameters]
        record(db.session, current_actor(), action,
               entity_type=entity_type, entity_id=entity_id, diff=diff, reason=message)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not record the refused attempt %s", action)


def _without_values(message) -> str:
    """The reason as written in the code, placeholders unfilled: a refusal may quote a
    NIK or a name, and the log is permanent (a lazy string keeps its template first)."""
    if isinstance(message, Message):
        return message.template
    with force_locale("en"):
        return str(message)


def kept_parameters(message) -> dict:
    """The values of KEPT_PARAMETERS in the message that are numbers or lists of them."""
    variables = message.variables if isinstance(message, Message) else {}
    return {name: value for name, value in variables.items() if name in KEPT_PARAMETERS
            and (isinstance(value, int) or _NUMBERS.fullmatch(str(value)))}


def record_refusal(exc: WorkflowError) -> None:
    """Undo the attempt and record it when it was not allowed (role, duties, state)."""
    if exc.status in (403, 409) and exc.attempt:  # not bad input, nor a double click
        record_attempt("refused", exc.status, _without_values(exc.message),
                       kept_parameters(exc.message))
    else:
        db.session.rollback()


def refuse(exc: WorkflowError) -> None:
    """A page's answer to a refused verb: the reason for the user, the attempt for the log."""
    flash(exc.message, "error" if exc.attempt else "info")
    record_refusal(exc)
