"""The job worker's stored city figures, while younger than the configured age."""
from datetime import timedelta

from flask import current_app

from reports.home_figures import StoredFigures, stored_city_figures


def fresh_city_figures(session, year: int, names) -> StoredFigures | None:
    """None when no count younger than HOME_FIGURES_MAX_AGE_SECONDS holds ``names``."""
    max_age = timedelta(seconds=current_app.config["HOME_FIGURES_MAX_AGE_SECONDS"])
    return stored_city_figures(session, year, names, max_age=max_age)
