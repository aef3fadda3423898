"""Reads a page asks more than once, answered once while it is drawn (issue 16).

The case page asks which evaluation is the latest and whether a restriction stands for
its own cards, and each step's guards ask the same to say which steps are open, on a
page that changes nothing before it is drawn. Inside ``reads_remembered`` the reads
written with ``remembered`` go to the database once; outside it (every verb) each goes
every time, so no answer from before a write is given after it.
"""
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

_ANSWERS = "remembered_reads"
T = TypeVar("T")


@contextmanager
def reads_remembered(session: Session):
    """For a block that reads only: each ``remembered`` read asked of it once. Blocks
    nest (the inner one starts afresh, the outer one's answers come back after it)."""
    outer = session.info.get(_ANSWERS)
    session.info[_ANSWERS] = {}
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_ANSWERS, None)
        else:
            session.info[_ANSWERS] = outer


def remembered(session: Session, key: tuple, read: Callable[[], T]) -> T:
    """``read()``, or inside ``reads_remembered`` its answer of earlier in the block."""
    answers = session.info.get(_ANSWERS)
    if answers is None:
        return read()
    if key not in answers:
        answers[key] = read()
    return answers[key]


@event.listens_for(Session, "before_flush")
def _forget_before_a_write(session: Session, flush_context, instances) -> None:
    """Should a block write after all, what it read before is asked again."""
    answers = session.info.get(_ANSWERS)
    if answers:
        answers.clear()
