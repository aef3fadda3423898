"""Reads of personal data as audit events (UU PDP Pasal 31: every processing is recorded).

A read event names the record read (worker, application, document, decree, batch...)
so "who accessed this worker" can be answered from the log alone. Bulk exports carry
a purpose, given by the person exporting and kept as the event's reason.
"""
from sqlalchemy.orm import Session

from models import AuditEvent, Role
from models.audit import READ_MARK
from workflows.actor import Actor
from workflows.audit.recorder import record, record_many
from workflows.errors import InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l

PURPOSE_MIN, PURPOSE_MAX = 10, 300
# The roles whose work needs people's data; the admin (IT) runs the system and never does.
# A partner reads the people of its own scope only (workflows/partners.py).
READER_ROLES = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value,
                Role.PARTNER.value)


def check_reader(actor: Actor) -> None:
    """Refuse a signed-in person whose roles give no reason to read personal data;
    jobs and commands run as named system actors and read for their task."""
    if actor.user_id is not None and not actor.has_role(*READER_ROLES):
        raise NotAllowed(_l("Your role does not read personal data (names, NIKs, KPJs, "
                            "documents)."))


def stated_purpose(purpose: str | None) -> str | None:
    """A purpose given with a single-record read (optional), whitespace folded."""
    text = " ".join((purpose or "").split())
    if len(text) > PURPOSE_MAX:
        raise InvalidInput(_l("The purpose may be at most %(max)s characters.", max=PURPOSE_MAX))
    return text or None


def checked_purpose(purpose: str | None) -> str:
    """The stated purpose of an export, or a refusal saying what is missing."""
    text = stated_purpose(purpose) or ""
    if len(text) < PURPOSE_MIN:
        raise InvalidInput(_l("State the purpose of this export (at least %(min)s characters); "
                              "it is kept in the audit log.", min=PURPOSE_MIN))
    return text


def _read_diff(bulk: bool, detail: dict | None) -> dict:
    diff = {READ_MARK: [None, "bulk" if bulk else "record"]}
    diff.update({key: [None, value] for key, value in (detail or {}).items()})
    return diff


def record_read(session: Session, actor: Actor, action: str, *, entity=None,
                entity_type: str | None = None, entity_id: str | None = None,
                purpose: str | None = None, bulk: bool = False,
                detail: dict | None = None) -> AuditEvent:
    """One event for a read of personal data; a bulk export is refused without a purpose."""
    check_reader(actor)
    purpose = checked_purpose(purpose) if bulk else stated_purpose(purpose)
    return record(session, actor, action, entity=entity, entity_type=entity_type,
                  entity_id=entity_id, diff=_read_diff(bulk, detail), reason=purpose)


def record_list_reads(session: Session, actor: Actor, action: str, entity_type: str,
                      entity_ids: list, *, purpose: str | None = None,
                      detail: dict | None = None) -> int:
    """One read event per record a search or a list showed, so each person's "who
    accessed" finds it; a list given out (``purpose``) is refused without a purpose."""
    check_reader(actor)
    bulk = purpose is not None
    purpose = checked_purpose(purpose) if bulk else None
    diff = _read_diff(bulk, detail)
    return record_many(session, actor, [
        {"action": action, "entity_type": entity_type, "entity_id": str(entity_id),
         "diff": diff, "reason": purpose} for entity_id in entity_ids])
