"""The audit report for a period: who did what, the exceptions, and whether the
chain holds.

Everything counted is bounded by the chain head read at generation (``seq <=
head``), so the figures match the seq printed in the footer even while others
keep working. Exceptions are the events an inspector looks for first: failed
sign-ins, refusals recorded by the application, rejected imports, and possible
duplicates a caseworker declared "not a duplicate" (an override of the warning).
Long lists are streamed (``yield_per``) and capped in the PDF; the XLSX has all.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import AuditEvent
from reports.meta import ChainHead
from reports.period import Period

SHOWN_IN_PDF = 300


@dataclass(frozen=True)
class ExceptionRow:
    seq: int
    occurred_at: datetime
    kind: str            # failed_login, refused, import_rejected, duplicate_override
    actor_name: str
    ip: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    reason: str | None   # a refusal's is a message template, filled from the diff
    diff: str

    @property
    def entity(self) -> str:
        return f"{self.entity_type or ''} {self.entity_id or ''}".strip()


@dataclass
class AuditReport:
    period: Period
    head: ChainHead
    total: int
    first_seq: int | None
    last_seq: int | None
    by_action: list[tuple[str, int]]
    by_user: list[tuple[str, str, int, datetime, datetime]]
    exception_counts: dict[str, int]


def _in_period(period: Period, head: ChainHead):
    return (AuditEvent.occurred_at >= period.start, AuditEvent.occurred_at < period.end,
            AuditEvent.seq <= head.seq)


def _exception_kind():
    return {
        "failed_login": AuditEvent.action == "auth.login_failed",
        "refused": or_(AuditEvent.action.like("%.refused"), AuditEvent.action.like("%.denied")),
        "import_rejected": AuditEvent.action == "import.rejected",
        "duplicate_override": (AuditEvent.action == "duplicate.resolve")
        & AuditEvent.diff.like('%"not_duplicate"%'),
    }


def audit_report(session: Session, period: Period, head: ChainHead) -> AuditReport:
    where = _in_period(period, head)
    total, first, last = session.execute(select(
        func.count(), func.min(AuditEvent.seq), func.max(AuditEvent.seq)).where(*where)).one()
    by_action = session.execute(select(AuditEvent.action, func.count()).where(*where)
                                .group_by(AuditEvent.action)
                                .order_by(func.count().desc(), AuditEvent.action)).all()
    by_user = session.execute(
        select(AuditEvent.actor_name, AuditEvent.actor_roles, func.count(),
               func.min(AuditEvent.occurred_at), func.max(AuditEvent.occurred_at))
        .where(*where).group_by(AuditEvent.actor_name, AuditEvent.actor_roles)
        .order_by(func.count().desc(), AuditEvent.actor_name)).all()
    counts = {kind: session.scalar(select(func.count()).where(*where, condition))
              for kind, condition in _exception_kind().items()}
    return AuditReport(period, head, total, first, last, [tuple(r) for r in by_action],
                       [tuple(r) for r in by_user], counts)


def exception_rows(session: Session, period: Period, head: ChainHead, kind: str,
                   limit: int | None = None):
    """The events of one exception kind, oldest first, streamed from the database."""
    stmt = (select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_name, AuditEvent.ip,
                   AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id,
                   AuditEvent.reason, AuditEvent.diff)
            .where(*_in_period(period, head), _exception_kind()[kind]).order_by(AuditEvent.seq))
    if limit is not None:
        stmt = stmt.limit(limit)
    for seq, at, actor, ip, action, etype, eid, reason, diff in session.execute(
            stmt.execution_options(yield_per=1000)):
        yield ExceptionRow(seq, at, kind, actor, ip, action, etype, eid, reason, diff)


def event_rows(session: Session, period: Period, head: ChainHead):
    """Every event of the period (for the XLSX), streamed by seq."""
    stmt = (select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_name,
                   AuditEvent.actor_roles, AuditEvent.ip, AuditEvent.action,
                   AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.reason,
                   AuditEvent.hash)
            .where(*_in_period(period, head)).order_by(AuditEvent.seq))
    yield from session.execute(stmt.execution_options(yield_per=2000))
