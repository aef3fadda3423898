"""Counting the home page's city-wide figures again (reports/home_figures.py).

The job queue's schedule does it every few minutes (caseapp/jobs/periodic.py), the
worker once when it starts, `flask home-figures refresh` on demand. Like the hourly
checkpoint and the sweep of made files, a refresh writes no job row and no audit event:
the figures are counts derived from audited rows, recomputable at any time, holding no
personal data and deciding nothing, and an event every five minutes would keep a quiet
log from ever being quiet. The chain head's seq stored with them says which events
they include at least.
"""
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import AuditChainHead, HomeFigures, clock
from reports.home_figures import city_figures


def refresh_home_figures(session: Session, today: date) -> HomeFigures:
    """Count the figures of ``today``'s programme year and store them. An upsert, so two
    refreshes at once (the schedule and the command) both succeed, the later one last."""
    values = {"year": today.year, "computed_at": clock.now(),
              "chain_seq": session.scalar(select(AuditChainHead.seq)) or 0,
              "figures": json.dumps(city_figures(session, today.year), sort_keys=True)}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(HomeFigures).values(**values)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[HomeFigures.year],
        set_={name: stmt.excluded[name] for name in ("computed_at", "chain_seq", "figures")}))
    return session.get(HomeFigures, today.year, populate_existing=True)
