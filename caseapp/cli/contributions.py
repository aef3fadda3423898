"""``flask contributions generate|pay|reconcile|warnings|mark-arrears``.

Each verb commits once at the end; a refusal rolls back and exits 1 with the
message, so a script (or cron) can tell success from failure by the exit code.
"""
import csv
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.cli.commit import commit_verb
from caseapp.cli.import_runs import applied_or_report
from caseapp.extensions import db
from models import PaymentBatch, clock
from reports.contributions import batch_month_counts
from reports.formatting import rupiah
from workflows.contributions.generation import BLOCKS, generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.reconciliation import DIFFERENCES, reconcile
from workflows.contributions.status import mark_arrears, read_lapse_warnings

group = AppGroup("contributions", help="Monthly contributions: batches, payment (SP2D), "
                                       "reconciliation with BPJS, lapse warnings.")
_AS_USER = click.option("--as", "as_user", required=True, metavar="USERNAME",
                        help="Who does it (recorded in the audit log).")


def _month(_ctx, _param, value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter("write the month as YYYY-MM, e.g. 2026-03") from None


def _today(value) -> date:
    return value.date() if value else clock.today()



def _batch(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"there is no payment batch {batch_id}")
    return batch


@group.command("generate")
@click.option("--month", required=True, callback=_month, metavar="YYYY-MM",
              help="First month of the block.")
@click.option("--months", type=click.Choice([str(b) for b in BLOCKS]), default="1",
              show_default=True, help="Months in the block.")
@_AS_USER
def generate(month, months, as_user):
    """Generate the contribution months of everyone covered (skipping months already there)."""
    actor = command_actor(as_user, "contributions-generate")
    batch = commit_verb(lambda: generate_contributions(db.session, first_month=month,
                                                       months=int(months), actor=actor))
    click.echo(f"batch #{batch.id}: {batch.participant_count} participants, "
               f"{rupiah(batch.total)}")
    for counts in batch_month_counts(db.session, batch):
        click.echo(f"  {counts.month:%Y-%m}: {counts.rows} new, "
                   f"{counts.elsewhere} already in other batches")


@group.command("pay")
@click.argument("batch_id", type=int)
@click.option("--sp2d", required=True, help="SP2D number.")
@click.option("--sp2d-date", "sp2d_date", required=True,
              type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD")
@click.option("--invoice", required=True, help="BPJS invoice number.")
@_AS_USER
def pay(batch_id, sp2d, sp2d_date, invoice, as_user):
    """Record that BATCH_ID was paid under an SP2D; its months become paid."""
    actor = command_actor(as_user, "contributions-pay")
    batch = _batch(batch_id)
    commit_verb(lambda: record_payment(db.session, batch, sp2d_number=sp2d,
                                       sp2d_date=sp2d_date.date(), invoice_number=invoice,
                                       actor=actor))
    click.echo(f"batch #{batch.id} paid: SP2D {batch.sp2d_number}, {rupiah(batch.total)}")


@group.command("reconcile")
@click.argument("path", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch", "batch_id", required=True, type=int, help="The paid batch.")
@_AS_USER
def reconcile_command(path, batch_id, as_user):
    """Compare a BPJS bill or receipt (nik, kpj, bulan, iuran, status) with a paid batch."""
    actor = command_actor(as_user, "contributions-reconcile")
    batch = _batch(batch_id)
    with path.open("rb") as stream:
        result = commit_verb(lambda: reconcile(db.session, stream, file_name=path.name,
                                               batch=batch, actor=actor))
    if not applied_or_report(result):
        return
    rows = list(csv.DictReader(batch.reconciliation_report.splitlines()))
    click.echo(f"batch #{batch.id} reconciled with run #{result.run.id}: "
               f"{len(rows)} difference(s)")
    for kind, label in DIFFERENCES.items():
        count = sum(1 for r in rows if r["selisih"] == kind)
        if count:
            click.echo(f"  {count} x {label}")


_TODAY = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
                      metavar="YYYY-MM-DD", help="Count from this day instead of today.")


@group.command("warnings")
@_TODAY
@click.option("--purpose", required=True, metavar="TEXT",
              help="Why the list is taken out (kept in the audit log with each participant).")
@click.option("--as", "as_user", metavar="USERNAME",
              help="Who takes the list (default: the system job).")
def warnings(today, purpose, as_user):
    """List participants at or near the 3-month lapse (paid-through 2+ months behind);
    the list names people, so each one listed is an audited read."""
    actor = command_actor(as_user, "contributions-warnings")
    found, _ = commit_verb(lambda: read_lapse_warnings(db.session, _today(today),
                                                       actor=actor, purpose=purpose))
    for w in found:
        paid = f"{w.paid_through:%Y-%m}" if w.paid_through else "nothing paid"
        state = "LAPSED" if w.lapsed else "warning"
        click.echo(f"{state}\t#{w.application_id}\t{w.nik}\tKPJ {w.kpj}\t{w.worker_name}\t"
                   f"paid through {paid}\t{w.months_unpaid} month(s) unpaid")
    click.echo(f"{len(found)} participant(s) at or near the lapse", err=True)


@group.command("mark-arrears")
@_TODAY
@click.option("--as", "as_user", metavar="USERNAME",
              help="Act as this user (default: the system job).")
def mark_arrears_command(today, as_user):
    """Mark due months before this month as arrears (for a daily job)."""
    actor = command_actor(as_user, "contributions-arrears")
    changed = commit_verb(lambda: mark_arrears(db.session, today=_today(today), actor=actor))
    click.echo(f"{changed} month(s) marked as arrears")
