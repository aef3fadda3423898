"""The whole city's figures of the home page (issue 16): counted here, kept in
``HomeFigures`` by the job queue's schedule (workflows/home_figures.py) and read back
by the page while they are fresh, so a home page no longer counts a million rows.

Counted now or read back, they are the same JSON-shaped dict; the page says how
fresh stored ones are.
"""
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models import HomeFigures, clock
from reports.budget import holdings_by_area
from reports.dashboard import (budget_burn, counts_per_scope, coverage_by_kecamatan,
                               stage_counts, state_counts, verification_queue)

# Each city-wide figure of a programme year, by name.
CITY_FIGURES = {
    "stages": stage_counts,  # the year's applications per state
    "states": lambda session, year: state_counts(session),  # every application per state
    "coverage": lambda session, year: [list(row) for row in
                                       coverage_by_kecamatan(session, year)],
    "burn": lambda session, year: [asdict(month) for month in budget_burn(session, year)],
    "scopes": counts_per_scope,  # "states" and "stages" within each partner scope
    "budget": holdings_by_area,  # the budget page's places and rupiah per area
    "queue": lambda session, year: verification_queue(session),  # waiting to be verified
}


@dataclass(frozen=True)
class StoredFigures:
    figures: dict
    computed_at: datetime


def city_figures(session: Session, year: int, names=tuple(CITY_FIGURES)) -> dict:
    """The figures ``names`` of ``year``, counted now."""
    return {name: CITY_FIGURES[name](session, year) for name in names}


def stored_city_figures(session: Session, year: int, names, *,
                        max_age: timedelta) -> StoredFigures | None:
    """The stored figures of ``year`` when they hold ``names`` and were counted within
    ``max_age``; None otherwise (a fresh installation, a stopped worker: count them now)."""
    stored = session.get(HomeFigures, year)
    if stored is None or stored.computed_at < clock.now() - max_age:
        return None
    figures = json.loads(stored.figures)
    return StoredFigures(figures, stored.computed_at) if set(names) <= figures.keys() else None
