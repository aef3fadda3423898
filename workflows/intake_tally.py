"""Keeping the intake tally (models/intake_tally.py) small and whole.

Folding: each person's rows of a state become one, so reading a person's counts stays a
few rows however long the tally has run. The job worker does it after the home page's
figures, every few minutes (caseapp/jobs/periodic.py). Counting again: after a bulk load
with the triggers off or a TRUNCATE, which the triggers do not see
(`flask home-figures recount-intake`). Like the figures, neither writes an audit event
(workflows/home_figures.py says why): the tally is derived from the applications.
"""
from collections import Counter

from sqlalchemy import delete, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from models import Application, IntakeTally


def fold_intake_tally(session: Session) -> int:
    """Fold the pairs (person, state) that have more than one row; returns the rows
    folded. Exactly the rows deleted are summed (DELETE ... RETURNING), so a change
    written meanwhile by another transaction is neither lost nor counted twice."""
    several = (select(IntakeTally.taken_in_by_id, IntakeTally.state)
               .group_by(IntakeTally.taken_in_by_id, IntakeTally.state)
               .having(func.count() > 1))
    gone = session.execute(
        delete(IntakeTally)
        .where(tuple_(IntakeTally.taken_in_by_id, IntakeTally.state).in_(several))
        .returning(IntakeTally.taken_in_by_id, IntakeTally.state, IntakeTally.n)
        .execution_options(synchronize_session=False)).all()
    sums = Counter()
    for taken_in_by_id, state, n in gone:
        sums[taken_in_by_id, state] += n
    folded = [{"taken_in_by_id": taker, "state": state, "n": n}
              for (taker, state), n in sums.items() if n]
    if folded:
        session.execute(insert(IntakeTally), folded)
    return len(gone)


def recount_intake_tally(session: Session) -> int:
    """The tally counted again from the applications; returns its rows. On PostgreSQL the
    applications are locked against writes until the commit (the lock CREATE TRIGGER
    takes), so no change falls between the count and the triggers; on SQLite the write
    transaction holds them already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE application IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(delete(IntakeTally).execution_options(synchronize_session=False))
    counts = (select(Application.taken_in_by_id, Application.state, func.count())
              .where(Application.taken_in_by_id.is_not(None))
              .group_by(Application.taken_in_by_id, Application.state))
    session.execute(insert(IntakeTally).from_select(["taken_in_by_id", "state", "n"], counts))
    return session.scalar(select(func.count()).select_from(IntakeTally))
