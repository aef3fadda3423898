"""Session hooks that make the audit log impossible to skip.

- ORM bulk UPDATE/DELETE on audited models is refused: it would change rows
  without the per-row diff the log needs.
- A commit that wrote audited rows but recorded no audit event is refused, so a
  forgotten ``record()`` is a loud error in tests instead of a silent gap.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from workflows.audit.recorder import AUDIT_COUNT_KEY

WRITES_KEY = "audited_writes"


class AuditBypassRefused(RuntimeError):
    pass


def _audited(obj) -> bool:
    return getattr(type(obj), "__audited__", False)


def _refuse_bulk(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        cls = mapper.class_
        if getattr(cls, "__audited__", False) or cls.__tablename__ == "audit_event":
            raise AuditBypassRefused(
                f"bulk {'UPDATE' if state.is_update else 'DELETE'} on {cls.__tablename__} "
                "would bypass the audit log; change rows through a workflow verb"
            )


def _note_writes(session, _flush_context, _instances) -> None:
    changed = list(session.new) + list(session.deleted) + [
        obj for obj in session.dirty if session.is_modified(obj)
    ]
    if any(_audited(obj) for obj in changed):
        session.info[WRITES_KEY] = True


def _require_event(session) -> None:
    session.flush()
    if session.info.get(WRITES_KEY) and not session.info.get(AUDIT_COUNT_KEY):
        raise AuditBypassRefused(
            "this transaction changed audited data without an audit event"
        )


def _reset(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WRITES_KEY, None)
        session.info.pop(AUDIT_COUNT_KEY, None)


def install(session_class: type[Session]) -> None:
    """Attach the hooks to a Session class (idempotent)."""
    for name, fn in (("do_orm_execute", _refuse_bulk), ("before_flush", _note_writes),
                     ("before_commit", _require_event), ("after_transaction_end", _reset)):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
