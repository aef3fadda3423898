"""``flask home-figures refresh``: count the home page's city-wide figures now, e.g.
after a bulk load, or from cron where the job queue's schedule does not run.
``flask home-figures recount-intake``: count the caseworkers' intake tally again, after
a bulk load with the triggers off (models/intake_tally.py)."""
import click
from flask.cli import AppGroup

from caseapp.extensions import db
from caseapp.i18n import wib
from models import clock
from workflows.home_figures import refresh_home_figures
from workflows.intake_tally import recount_intake_tally

group = AppGroup("home-figures", help="The home page's city-wide figures (the job worker's "
                                      "schedule counts them every few minutes).")


@group.command("refresh")
def refresh():
    """Count this year's city-wide figures of the home page and store them."""
    stored = refresh_home_figures(db.session, clock.today())
    db.session.commit()
    click.echo(f"home figures of {stored.year} counted at {wib(stored.computed_at)} "
               f"(audit chain seq {stored.chain_seq})")


@group.command("recount-intake")
def recount_intake():
    """Count each person's intake per state again from the applications."""
    rows = recount_intake_tally(db.session)
    db.session.commit()
    click.echo(f"intake tally counted again: {rows} rows")
