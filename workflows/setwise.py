"""Set-based work on thousands of rows, a few thousand ids per statement, so an IN list
never outgrows a driver's limit (psycopg: 65,535 parameters per statement)."""
from typing import Iterator

from sqlalchemy import Table, bindparam, update
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


def update_rows(session: Session, table: Table, rows: list[dict], *conditions) -> int:
    """Each row of ``rows`` (dicts alike: ``id`` and the columns to set) written to its
    own values, where ``conditions`` hold, in one executemany; the number of rows
    changed, for the caller to compare with ``len(rows)``."""
    if not rows:
        return 0
    return session.execute(
        update(table).where(table.c.id == bindparam("row_id"), *conditions),
        [{("row_id" if name == "id" else name): value for name, value in row.items()}
         for row in rows]).rowcount
