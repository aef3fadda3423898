"""Walking the audit chain and naming the first row that does not hold.

Rows are streamed as plain tuples (server-side cursor on PostgreSQL) and hashed in
parallel by ``segments.walk``, so memory stays flat and every core helps however long
the log grows. On PostgreSQL a long stretch is first screened inside the server
(``server_screen``) and Python walks on from the first row it doubts. ``start`` lets
the incremental verify begin at a signed checkpoint.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditChainHead, AuditEvent
from models.audit import GENESIS_HASH
from workflows.audit.segments import CHUNK, PARALLEL_MIN, Stretch, walk
from workflows.audit.server_screen import SCREEN_MIN, SCREEN_WINDOW, can_screen, screen
from workflows.messages import lazy_gettext as _l


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None
    since_seq: int | None = None  # the signed checkpoint an incremental verify began at

    def line(self) -> str:
        if self.ok and self.since_seq is not None:
            return str(_l("OK: audit chain intact since signed checkpoint seq %(since)d, "
                          "%(n)d events checked, head seq %(seq)d hash %(hash)s",
                          since=self.since_seq, n=self.events, seq=self.head_seq,
                          hash=self.head_hash))
        if self.ok:
            return _("OK: audit chain intact, %(n)d events, head seq %(seq)d hash %(hash)s",
                     n=self.events, seq=self.head_seq, hash=self.head_hash)
        return _("BROKEN at seq %(seq)d: %(problem)s", seq=self.first_bad_seq,
                 problem=self.problem)


def _head(session: Session):
    return session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                           .where(AuditChainHead.id == 1)).one_or_none()


def verify_chain(session: Session, batch_size: int = CHUNK, progress=None, *,
                 workers: int | None = None, parallel_min: int = PARALLEL_MIN,
                 start: tuple[int, str] | None = None,
                 screen_min: int | None = SCREEN_MIN,
                 screen_window: int = SCREEN_WINDOW) -> ChainVerdict:
    """Walk up to the chain head as read first, so events appended meanwhile (a head
    that moves on) are not mistaken for tampering; rows beyond a head that does not
    move are reported. ``progress`` hears the number of events checked; ``workers``
    (default: one per core but one) hash chunks of ``batch_size`` rows; ``start`` is
    ``(seq, its prev_hash)`` to begin at instead of the genesis; stretches of at least
    ``screen_min`` events are screened by the server first (None: Python alone),
    ``screen_window`` events at a time."""
    screening = screen_min is not None and can_screen(session)
    since = None if start is None else start[0]
    state = Stretch(1, GENESIS_HASH, 0) if start is None else Stretch(*start, 0)
    previous_head = None
    walk_options = {"workers": workers, "chunk": batch_size, "parallel_min": parallel_min,
                    "progress": progress}
    while True:
        head = _head(session)
        last = state.expected_seq - 1
        if head is None:
            return ChainVerdict(False, state.count, last, state.prev_hash,
                                first_bad_seq=last + 1,
                                problem=_("the chain head row is missing"))
        while screening and head.seq - state.expected_seq + 1 >= max(screen_min, 1):
            window_end = min(head.seq, state.expected_seq + screen_window - 1)
            state = screen(session, state, window_end)
            if progress is not None:
                progress(state.count)
            if state.expected_seq > window_end:
                continue
            # Python judges the doubted row (and a chunk after it); if it holds (the same
            # JSON written another way), the server screens on from there. A stretch with
            # no row at all (a gap) is left to the walk below, which names it.
            doubted = state.expected_seq
            state = walk(session, state, min(head.seq, doubted + batch_size - 1),
                         **walk_options)
            if state.problem or state.expected_seq == doubted:
                break
        if state.expected_seq <= head.seq and not state.problem:
            state = walk(session, state, head.seq, **walk_options)
        last = state.expected_seq - 1
        if state.problem:
            return ChainVerdict(False, state.count, last, state.prev_hash,
                                first_bad_seq=state.expected_seq, problem=state.problem)
        if last != head.seq or state.prev_hash != head.hash:
            return ChainVerdict(
                False, state.count, last, state.prev_hash,
                first_bad_seq=min(head.seq, last) + 1,
                problem=_("the chain head (seq %(head)s) does not match the last event (seq "
                          "%(last)d): rows were removed or added outside the log",
                          head=head.seq, last=last))
        beyond = session.scalar(select(func.min(AuditEvent.seq)).where(
            AuditEvent.seq > head.seq))
        if beyond is None:
            return ChainVerdict(True, state.count, last, state.prev_hash, since_seq=since)
        if previous_head == tuple(head):
            return ChainVerdict(False, state.count, last, state.prev_hash,
                                first_bad_seq=beyond,
                                problem=_("seq %(seq)d lies beyond the chain head (seq "
                                          "%(head)d): added outside the log",
                                          seq=beyond, head=head.seq))
        previous_head = tuple(head)  # appends in progress: look again at the new head
