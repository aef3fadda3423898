"""The previous row-by-row walk of the chain (one process, keyset batches), kept as
the reference the fast walk (``verify.py``) is tested and measured against."""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditChainHead, AuditEvent
from models.audit import GENESIS_HASH
from workflows.audit.chain import HASHED_FIELDS, event_hash
from workflows.audit.verify import ChainVerdict

_COLUMNS = [getattr(AuditEvent, name) for name in HASHED_FIELDS] + [AuditEvent.hash]


def _check_row(row, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return _("seq %(expected)d is missing or out of order (found seq %(found)d next)",
                 expected=expected_seq, found=row.seq)
    if row.prev_hash != prev_hash:
        return _("prev_hash does not match the hash of the row before")
    if event_hash(row._asdict()) != row.hash:
        return _("row content does not match its hash (altered)")
    return None


def _head(session: Session):
    return session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                           .where(AuditChainHead.id == 1)).one_or_none()


def verify_chain_reference(session: Session, batch_size: int = 5000,
                           progress=None) -> ChainVerdict:
    """Walk up to the chain head as read first, so events appended meanwhile (a head
    that moves on) are not mistaken for tampering; rows beyond a head that does not
    move are reported. ``progress`` hears the number of events checked."""
    expected_seq, prev_hash, count, previous_head = 1, GENESIS_HASH, 0, None
    while True:
        head = _head(session)
        if head is None:
            return ChainVerdict(False, count, count, prev_hash, first_bad_seq=count + 1,
                                problem=_("the chain head row is missing"))
        while expected_seq <= head.seq:
            rows = session.execute(
                select(*_COLUMNS).where(AuditEvent.seq >= expected_seq,
                                        AuditEvent.seq <= head.seq)
                .order_by(AuditEvent.seq).limit(batch_size)).all()
            if not rows:
                break
            for row in rows:
                problem = _check_row(row, expected_seq, prev_hash)
                if problem:
                    return ChainVerdict(False, count, expected_seq - 1, prev_hash,
                                        first_bad_seq=expected_seq, problem=problem)
                expected_seq, prev_hash, count = row.seq + 1, row.hash, count + 1
            if progress is not None:
                progress(count)
        if count != head.seq or prev_hash != head.hash:
            return ChainVerdict(
                False, count, count, prev_hash, first_bad_seq=min(head.seq, count) + 1,
                problem=_("the chain head (seq %(head)s) does not match the last event (seq "
                          "%(last)d): rows were removed or added outside the log",
                          head=head.seq, last=count))
        beyond = session.scalar(select(func.min(AuditEvent.seq)).where(
            AuditEvent.seq > head.seq))
        if beyond is None:
            return ChainVerdict(True, count, count, prev_hash)
        if previous_head == tuple(head):
            return ChainVerdict(False, count, count, prev_hash, first_bad_seq=beyond,
                                problem=_("seq %(seq)d lies beyond the chain head (seq "
                                          "%(head)d): added outside the log",
                                          seq=beyond, head=head.seq))
        previous_head = tuple(head)  # appends in progress: look again at the new head
