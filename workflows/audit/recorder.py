"""Appending events to the audit log, inside the caller's transaction.

The chain head row is locked (PostgreSQL ``FOR UPDATE``; on SQLite the write
transaction is already ``BEGIN IMMEDIATE``), so concurrent appends queue up and
the chain never forks or skips a number.
"""
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from models import AuditChainHead, AuditEvent, clock
from workflows.actor import Actor
from workflows.audit.chain import canonical_json, event_hash
from workflows.audit.masking import field_value

AUDIT_COUNT_KEY = "audit_events_recorded"


def _entity_ref(entity) -> tuple[str | None, str | None]:
    if entity is None:
        return None, None
    identity = inspect(entity).identity
    entity_id = None if identity is None else "/".join(str(part) for part in identity)
    return type(entity).__tablename__, entity_id


def record(session: Session, actor: Actor, action: str, *, entity=None,
           entity_type: str | None = None, entity_id: str | None = None,
           diff: dict | None = None, reason: str | None = None) -> AuditEvent:
    """Write one audit event for ``action`` done by ``actor``; flushes, never commits."""
    session.flush()  # the entity's id is known and constraint errors surface first
    if entity is not None:
        entity_type, entity_id = _entity_ref(entity)
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    fields = {
        "seq": head.seq + 1,
        "occurred_at": clock.now(),
        "actor_id": actor.user_id,
        "actor_name": actor.name,
        "actor_roles": ",".join(actor.roles),
        "ip": actor.ip,
        "request_id": actor.request_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "diff": canonical_json(diff or {}),
        "reason": reason,
        "prev_hash": head.hash,
    }
    event = AuditEvent(**fields, hash=event_hash(fields))
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    session.info[AUDIT_COUNT_KEY] = session.info.get(AUDIT_COUNT_KEY, 0) + 1
    session.flush()
    return event


def diff_of(obj, *, created: bool = False, deleted: bool = False) -> dict:
    """``{field: [old, new]}`` for an object's pending column changes, values masked.

    Call before the flush that writes the change (history is cleared by a flush).
    """
    state = inspect(obj)
    cls = type(obj)
    derived = getattr(cls, "__derived__", frozenset())  # copies the database keeps
    result = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in derived:
            continue
        if created or deleted:
            value = field_value(cls, name, getattr(obj, name))
            if value is not None:
                result[name] = [None, value] if created else [value, None]
            continue
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            result[name] = [field_value(cls, name, old), field_value(cls, name, new)]
    return result


def record_change(session: Session, actor: Actor, action: str, obj, *,
                  created: bool = False, deleted: bool = False,
                  reason: str | None = None, extra: dict | None = None) -> AuditEvent:
    """Record a create, update or delete of ``obj`` with its field diff."""
    diff = diff_of(obj, created=created, deleted=deleted)
    diff.update(extra or {})
    if deleted:
        entity_type, entity_id = _entity_ref(obj)
        return record(session, actor, action, entity_type=entity_type, entity_id=entity_id,
                      diff=diff, reason=reason)
    return record(session, actor, action, entity=obj, diff=diff, reason=reason)


def record_many(session: Session, actor: Actor, events: list[dict]) -> int:
    """Append many events in one go (one lock of the chain head, one multi-row insert).

    Each item has ``action`` and optionally ``entity_type``, ``entity_id``, ``diff`` and
    ``reason``. Used by batch verbs such as approving a decree of thousands of cases,
    where one ``record()`` per case would cost a round trip each.
    """
    if not events:
        return 0
    session.flush()
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    seq, prev_hash, rows = head.seq, head.hash, []
    now = clock.now()
    for item in events:
        seq += 1
        fields = {
            "seq": seq, "occurred_at": now, "actor_id": actor.user_id,
            "actor_name": actor.name, "actor_roles": ",".join(actor.roles), "ip": actor.ip,
            "request_id": actor.request_id, "action": item["action"],
            "entity_type": item.get("entity_type"),
            "entity_id": None if item.get("entity_id") is None else str(item["entity_id"]),
            "diff": canonical_json(item.get("diff") or {}), "reason": item.get("reason"),
            "prev_hash": prev_hash,
        }
        fields["hash"] = prev_hash = event_hash(fields)
        rows.append(fields)
    # NULLs written out: rows with and without a reason (or ip) then share one column
    # list, and the ORM sends them in one executemany instead of one per run of alike rows.
    session.execute(insert(AuditEvent).execution_options(render_nulls=True), rows)
    head.seq, head.hash = seq, prev_hash
    session.info[AUDIT_COUNT_KEY] = session.info.get(AUDIT_COUNT_KEY, 0) + len(rows)
    session.flush()
    return len(rows)
