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

from sqlalchemy.orm import Session

_ANSWERS = "remembered_reads"
T = TypeVar("T")


@contextmanager
def reads_remembered(session: Session):
    """For a block that reads only: each ``remembered`` read asked of it once."""
    session.info[_ANSWERS] = {}
    try:
        yield
    finally:
        session.info.pop(_ANSWERS, None)


def remembered(session: Session, key: tuple, read: Callable[[], T]) -> T:
    """``read()``, or inside ``reads_remembered`` its answer of earlier in the block."""
    answers = session.info.get(_ANSWERS)
    if answers is None:
        return read()
    if key not in answers:
        answers[key] = read()
    return answers[key]
