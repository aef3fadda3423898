"""Folding the intake tally (models/intake_tally.py): each person's rows of a state
become one, so reading a person's counts stays a few rows however long the tally has
run. The job worker does it with the home page's figures, every few minutes
(caseapp/jobs/periodic.py); like them it writes no audit event (workflows/home_figures.py
says why): the sums are unchanged.
"""
from collections import Counter

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from models import IntakeTally


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
