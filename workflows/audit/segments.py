"""Walking a stretch of the audit chain fast: stream, check links here, hash elsewhere.

A row's hash depends only on its own fields (``prev_hash`` among them), so chunks of
rows are hashed by worker processes independently while this process streams the
next rows and checks the links (gap-free seq, ``prev_hash`` = the hash before). The
first problem in seq order wins, with the same precedence as the old row-by-row walk:
seq, then link, then content.
"""
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from workflows.audit.chain import HASHED_FIELDS, row_hash

COLUMNS = [getattr(AuditEvent, name) for name in HASHED_FIELDS] + [AuditEvent.hash]
_SEQ, _PREV, _HASH = 0, HASHED_FIELDS.index("prev_hash"), len(HASHED_FIELDS)
CHUNK = 10_000  # rows per hashing task
PARALLEL_MIN = 50_000  # below this many events, starting processes costs more than it saves


def _intact(row: tuple) -> bool:
    try:
        return row_hash(row) == row[_HASH]
    except (AttributeError, TypeError, ValueError):  # a diff no longer JSON, a NULL in a field
        return False


def first_altered(rows: list[tuple]) -> int | None:
    """Index of the first row whose content does not give its hash (in a worker)."""
    for index, row in enumerate(rows):
        if not _intact(row):
            return index
    return None


def _first_broken_link(rows, state: "Stretch"):
    """``(index, Stretch at it)`` of the first row breaking the order or the links, or
    ``(None, Stretch after the rows)``."""
    expected_seq, prev_hash = state.expected_seq, state.prev_hash
    for index, row in enumerate(rows):
        problem = None
        if row[_SEQ] != expected_seq:
            problem = _("seq %(expected)d is missing or out of order (found seq %(found)d "
                        "next)", expected=expected_seq, found=row[_SEQ])
        elif row[_PREV] != prev_hash:
            problem = _("prev_hash does not match the hash of the row before")
        if problem:
            return index, Stretch(expected_seq, prev_hash, state.count + index, problem)
        expected_seq, prev_hash = expected_seq + 1, row[_HASH]
    return None, Stretch(expected_seq, prev_hash, state.count + len(rows))


@dataclass
class Stretch:
    """Where a walk stopped: the next seq expected, the hash before it, rows checked,
    and the problem at ``expected_seq`` if there was one."""
    expected_seq: int
    prev_hash: str
    count: int
    problem: str | None = None


class _InProcess:
    """The executor for small chains and one core: hashes at once, here."""

    def submit(self, function, *args) -> Future:
        future = Future()
        future.set_result(function(*args))
        return future

    def shutdown(self, cancel_futures: bool = False) -> None:
        pass


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _executor(events: int, workers: int | None, parallel_min: int):
    # the reading process keeps a core busy itself: on 2 cores one process was faster
    workers = cores() - 1 if workers is None else workers
    if workers <= 1 or events < parallel_min:
        return _InProcess(), 1
    # forkserver: a fork of this (possibly threaded, connected) process is not safe
    return ProcessPoolExecutor(workers, mp_context=get_context("forkserver")), workers


def walk(session: Session, start: Stretch, last_seq: int, *, workers: int | None = None,
         chunk: int = CHUNK, parallel_min: int = PARALLEL_MIN, progress=None) -> Stretch:
    """Check rows ``start.expected_seq`` .. ``last_seq``, given the hash before them."""
    pool, width = _executor(last_seq - start.expected_seq + 1, workers, parallel_min)
    pending: deque = deque()  # (future, rows, Stretch before the chunk), oldest first
    state = start
    try:
        result = session.execute(
            select(*COLUMNS).where(AuditEvent.seq >= start.expected_seq,
                                   AuditEvent.seq <= last_seq)
            .order_by(AuditEvent.seq).execution_options(yield_per=chunk))
        for partition in result.partitions(chunk):
            rows = [tuple(row) for row in partition]
            broken, after = _first_broken_link(rows, state)
            checked = rows if broken is None else rows[:broken]
            pending.append((pool.submit(first_altered, checked), checked, state))
            if broken is not None:  # a content problem before it would come first
                result.close()
                return _settle(pending, progress) or after
            state = after
            while len(pending) > 2 * width or (pending and pending[0][0].done()):
                problem = _settle_one(pending, progress)
                if problem:
                    result.close()
                    return problem
        return _settle(pending, progress) or state
    finally:
        pool.shutdown(cancel_futures=True)


def _settle_one(pending: deque, progress) -> Stretch | None:
    future, rows, before = pending.popleft()
    altered = future.result()
    if altered is None:
        if progress is not None:
            progress(before.count + len(rows))
        return None
    row = rows[altered]  # its links held, so the row before it carries prev_hash
    return Stretch(row[_SEQ], row[_PREV], before.count + altered,
                   _("row content does not match its hash (altered)"))


def _settle(pending: deque, progress) -> Stretch | None:
    while pending:
        problem = _settle_one(pending, progress)
        if problem:
            return problem
    return None
