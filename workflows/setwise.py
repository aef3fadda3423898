"""Set-based work on thousands of rows, a few thousand ids per statement, so an IN list
never outgrows a driver's limit (psycopg: 65,535 parameters per statement)."""
from typing import Iterator

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

CHUNK = 5_000


def chunks(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def update_each(session: Session, table: Table, ids: list[int], values: dict,
                *conditions) -> int:
    """``UPDATE table SET values`` for the rows of ``ids`` that meet ``conditions``; the
    number of rows changed, for the caller to compare with ``len(ids)``."""
    return sum(session.execute(update(table).where(table.c.id.in_(chunk), *conditions)
                               .values(**values)).rowcount for chunk in chunks(ids))
