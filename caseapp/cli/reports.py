"""``flask report program|decree|budget|audit|case``: generate a report to a file.

The format follows the output file's suffix (.pdf, .xlsx, .csv where the report
has it). Generation and the written file are two audit events under ``--as``
(required: a report always names who generated it), committed once after the
file is safely on disk. The decree annex lists every worker of a decree: it needs
``--purpose``, kept in the audit log (UU PDP Pasal 31).
"""
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.extensions import db
from caseapp.reports.service import FORMATS, generate, parse_params, record_download
from workflows.errors import WorkflowError

group = AppGroup("report", help="Compliance reports (PDF) and exports (XLSX, CSV).")
_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _common(func):
    func = click.option("--output", "output", required=True, metavar="FILE",
                        type=click.Path(dir_okay=False, writable=True, path_type=Path),
                        help="Where to write the report; .pdf, .xlsx or .csv.")(func)
    return click.option("--as", "as_user", required=True, metavar="USERNAME",
                        help="Who generates the report (checked and audited).")(func)


def _period(func):
    func = click.option("--to", "last_day", required=True, type=_DAY, metavar="YYYY-MM-DD")(func)
    return click.option("--from", "first_day", required=True, type=_DAY,
                        metavar="YYYY-MM-DD")(func)


def _run(kind: str, raw: dict, output: Path, as_user: str, purpose: str | None = None) -> None:
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS[kind]:
        raise click.UsageError(f"the {kind} report is made as "
                               f"{', '.join('.' + f for f in FORMATS[kind])}, not {output.name}")
    actor = command_actor(as_user, f"report-{kind}")
    try:
        result = generate(db.session, kind, fmt, parse_params(kind, raw), actor=actor,
                          purpose=purpose)
        temporary = output.with_name(output.name + ".part")
        try:
            temporary.write_bytes(result.content)
            temporary.replace(output)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}")
        record_download(db.session, result, actor=actor, destination=str(output.resolve()))
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message))
    except click.ClickException:
        db.session.rollback()  # nothing is recorded for a file that was not written
        raise
    click.echo(f"{output} ({len(result.content):,} bytes, SHA-256 {result.sha256}); audit chain "
               f"head at generation seq {result.head.seq}")


@group.command("program")
@_period
@_common
def program(first_day, last_day, output, as_user):
    """Programme implementation report (laporan pelaksanaan) for a period."""
    _run("program", {"from": first_day.date(), "to": last_day.date()}, output, as_user)


@group.command("decree")
@click.argument("sk_number")
@click.option("--purpose", required=True, help="Why the list of workers is exported "
              "(at least 10 characters; kept in the audit log).")
@_common
def decree(sk_number, purpose, output, as_user):
    """Annex (lampiran) of the decree SK_NUMBER: its frozen lists and hash."""
    _run("decree", {"sk_number": sk_number}, output, as_user, purpose)


@group.command("budget")
@click.option("--year", required=True, type=int, metavar="YYYY")
@_common
def budget(year, output, as_user):
    """Budget realisation per month with payment references and reconciliation."""
    _run("budget", {"year": year}, output, as_user)


@group.command("audit")
@_period
@_common
def audit(first_day, last_day, output, as_user):
    """Audit report for a period, with a full chain verification."""
    _run("audit", {"from": first_day.date(), "to": last_day.date()}, output, as_user)


@group.command("case")
@click.argument("application_id", type=int)
@click.option("--purpose", help="Why the case file is needed (optional; audit log).")
@_common
def case(application_id, purpose, output, as_user):
    """Case file (berkas) of one application."""
    _run("case", {"application_id": application_id}, output, as_user, purpose)
