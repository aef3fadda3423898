"""Each person's intake per state, kept as a tally of changes (issue 16).

A caseworker's home page counts their own applications per state, live. Counting them
read 62,500 index entries a page at a million applications (7 ms of PostgreSQL's CPU,
half of what the whole page cost the database); the tally gives the same counts from a
few rows. Database triggers add a row for every change of an application's state
or taker (+1 for the new pair, -1 for the old: migration 0031), so the verbs, imports and
SQL by hand all keep it, and writers never wait on one another's counter row; the job
worker folds the rows into one per person and state every few minutes
(workflows/intake_tally.py). What the triggers do not see (a TRUNCATE, a bulk load with
session_replication_role = replica) needs `flask home-figures recount-intake` after it.
"""
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class IntakeTally(Base):
    """``n`` applications taken in by ``taken_in_by_id`` entered (n > 0) or left (n < 0)
    ``state``; a person's count in a state is the sum of its rows."""

    __tablename__ = "intake_tally"
    # Derived from audited rows by the database and recomputable at any time: no
    # business data, so its writes need no audit event of their own.
    __audited__ = False
    __table_args__ = (Index("ix_intake_tally_taken_in_by_state", "taken_in_by_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_in_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    state: Mapped[str] = mapped_column(String(20))
    n: Mapped[int]
