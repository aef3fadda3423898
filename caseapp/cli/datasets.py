"""``flask dtsen import FILE`` and ``flask participants import FILE``: load a dataset.

The file is checked and applied in one transaction and committed once: either
every row is in, or nothing is and the rejected run keeps the per-row report
(exit 1). The same file a second time is reported, not applied again (exit 0).
"""
import csv
import itertools
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.extensions import db
from workflows.errors import WorkflowError
from workflows.imports.datasets import import_dtsen, import_participants

SHOWN_PROBLEMS = 10

dtsen_group = AppGroup("dtsen", help="DTSEN extracts (data aktual from Dinsos).")
participants_group = AppGroup(
    "participants", help="People already covered by BPJS Ketenagakerjaan or another payer.")


def _import_options(func):
    func = click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                        help="Date the data describes (YYYY-MM-DD); default today.")(func)
    func = click.option("--as", "as_user", required=True, metavar="USERNAME",
                        help="Caseworker or admin doing the import (recorded in the audit "
                             "log).")(func)
    return click.argument("path", metavar="FILE",
                          type=click.Path(exists=True, dir_okay=False, path_type=Path))(func)


def _run(verb, path: Path, as_user: str, as_of, job: str) -> None:
    actor = command_actor(as_user, job)
    as_of = as_of.date() if as_of else date.today()
    done = [0]
    try:
        with path.open("rb") as stream, click.progressbar(
                itertools.repeat(None), label=f"{path.name}: rows checked", show_pos=True,
                show_eta=False, file=sys.stderr,
                bar_template="%(label)s  %(info)s") as bar:

            def progress(rows: int) -> None:
                bar.update(rows - done[0])
                done[0] = rows

            result = verb(db.session, stream, file_name=path.name, as_of=as_of,
                          actor=actor, progress=progress)
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message))
    run = result.run
    if result.duplicate_file:
        click.echo(f"already imported as run #{run.id} ({run.row_count} rows, as of "
                   f"{run.as_of}); nothing changed")
        return
    if result.applied:
        click.echo(f"imported {run.row_count} rows as run #{run.id} (as of {run.as_of})")
        return
    click.echo(f"rejected: {run.error_count} problem(s) in {run.row_count} row(s); "
               "nothing was imported", err=True)
    problems = list(itertools.islice(csv.DictReader(run.error_report.splitlines()),
                                     SHOWN_PROBLEMS))
    for p in problems:
        where = f"row {p['baris']}" if p["baris"] else "file"
        column = f", {p['kolom']}" if p["kolom"] else ""
        value = f" [{p['nilai']}]" if p["nilai"] else ""
        click.echo(f"  {where}{column}{value}: {p['pesan']}", err=True)
    if run.error_count > len(problems):
        click.echo(f"  ... and {run.error_count - len(problems)} more", err=True)
    click.echo(f"The full report (columns baris, kolom, nilai, pesan) is stored with import "
               f"run #{run.id}.", err=True)
    raise SystemExit(1)


@dtsen_group.command("import")
@_import_options
def dtsen_import(path, as_user, as_of):
    """Apply a DTSEN file (CSV UTF-8 or XLSX): nik, no_kk, nama, tanggal_lahir,
    jenis_kelamin, kode_kelurahan, desil."""
    _run(import_dtsen, path, as_user, as_of, "dtsen-import")


@participants_group.command("import")
@_import_options
def participants_import(path, as_user, as_of):
    """Apply a list of existing participants (CSV UTF-8 or XLSX): nik, nama, sumber."""
    _run(import_participants, path, as_user, as_of, "participants-import")
