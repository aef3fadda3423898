"""``flask membership import-status|lapse``: a BPJS status file from a script, and the
daily lapse run by cron where the job queue's schedule is not used.

Each verb commits once at the end; a refusal rolls back and exits 1 with the message.
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.cli.commit import commit_verb
from caseapp.cli.import_runs import applied_or_report
from caseapp.extensions import db
from models import clock
from workflows.membership.lapse import update_lapses
from workflows.membership.status_import import import_bpjs_status

group = AppGroup("membership", help="Membership as BPJS sees it: status files, the lapse "
                                    "(nonaktif) and reactivation.")
_DAY = click.DateTime(formats=["%Y-%m-%d"])


@group.command("import-status")
@click.argument("path", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", type=_DAY, metavar="YYYY-MM-DD",
              help="The day BPJS made the file (default: today).")
@click.option("--as", "as_user", required=True, metavar="USERNAME",
              help="Who imports it (recorded in the audit log).")
def import_status(path, as_of, as_user):
    """Import a BPJS status file (nik, kpj, status, dibayar_sampai): all or nothing."""
    actor = command_actor(as_user, "membership-import")
    day = as_of.date() if as_of else clock.today()
    with path.open("rb") as stream:
        result = commit_verb(lambda: import_bpjs_status(
            db.session, stream, file_name=path.name, as_of=day, actor=actor))
    if applied_or_report(result):
        click.echo(f"run #{result.run.id}: {result.updated} status(es) recorded, {result.older} "
                   f"older row(s) skipped, {result.lapsed} lapsed, {result.reactivated} "
                   "reactivated")


@group.command("lapse")
@click.option("--today", type=_DAY, metavar="YYYY-MM-DD",
              help="Count from this day instead of today.")
@click.option("--as", "as_user", metavar="USERNAME",
              help="Act as this user (default: the system job).")
def lapse(today, as_user):
    """Reactivate whoever caught up, then mark lapsed whoever is over 3 months unpaid."""
    actor = command_actor(as_user, "membership-lapse")
    day = today.date() if today else clock.today()
    lapsed, reactivated = commit_verb(lambda: update_lapses(db.session, today=day, actor=actor))
    click.echo(f"{lapsed} membership(s) lapsed, {reactivated} reactivated")
