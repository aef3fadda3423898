"""``flask dtsen import``, ``flask participants import`` and ``flask intake import``.

The file is checked and applied in one transaction and committed once: either
every row is in, or nothing is and the rejected run keeps the per-row report
(exit 1). The same file a second time is reported, not applied again (exit 0).
"""
import itertools
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.extensions import db
from models import clock
from workflows.budget import decision_year
from workflows.errors import WorkflowError
from workflows.imports.datasets import import_dtsen, import_participants
from workflows.imports.intake import CHANNELS, import_intake
from workflows.imports.problem_reports import first_problems

SHOWN_PROBLEMS = 10

dtsen_group = AppGroup("dtsen", help="DTSEN extracts (data aktual from Dinsos).")
participants_group = AppGroup(
    "participants", help="People already covered by BPJS Ketenagakerjaan or another payer.")
intake_group = AppGroup("intake", help="Bulk intake from kelurahan and partner spreadsheets.")
_AS_USER = click.option("--as", "as_user", required=True, metavar="USERNAME",
                        help="Who does the import (recorded in the audit log).")
_FILE = click.argument("path", metavar="FILE",
                       type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _import_options(func):
    func = click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
                        metavar="YYYY-MM-DD",
                        help="Date the data describes (YYYY-MM-DD); default today.")(func)
    return _FILE(_AS_USER(func))


def _dataset(verb, as_of, **options):
    as_of = as_of.date() if as_of else clock.today()
    return lambda stream, name, actor, progress: verb(
        db.session, stream, file_name=name, as_of=as_of, actor=actor, progress=progress,
        **options)


def _run(apply, path: Path, as_user: str, job: str) -> None:
    actor = command_actor(as_user, job)
    db.session.commit()  # the file is read before the write lock (caseapp/database.py)
    done = [0]
    try:
        with path.open("rb") as stream, click.progressbar(
                itertools.repeat(None), label=f"{path.name}: rows checked", show_pos=True,
                show_eta=False, file=sys.stderr,
                bar_template="%(label)s  %(info)s") as bar:

            def progress(rows: int) -> None:
                bar.update(rows - done[0])
                done[0] = rows

            result = apply(stream, path.name, actor, progress)
        if result.held:  # the command asks up front (--partial, --replace-all): keep nothing
            db.session.rollback()
            raise click.ClickException(
                "not applied: the file would replace the whole data aktual with under half "
                "its rows or without some of its kecamatan; nothing changed. Run again with "
                "--partial to merge it into the data aktual, or --replace-all to replace it.")
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message))
    run = result.run
    if result.duplicate_file:
        click.echo(f"already imported as run #{run.id} ({run.row_count} rows); nothing changed")
        return
    if result.applied:
        click.echo(f"imported {run.row_count} rows as run #{run.id}"
                   + (f" (as of {run.as_of})" if run.as_of else ""))
        return
    click.echo(f"rejected: {run.error_count} problem(s) in {run.row_count} row(s); "
               "nothing was imported", err=True)
    problems = first_problems(run, SHOWN_PROBLEMS)
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
@click.option("--partial", is_flag=True,
              help="Merge the rows into the data aktual (everyone else stays) instead of "
                   "replacing it.")
@click.option("--replace-all", "replace_all", is_flag=True,
              help="Replace the data aktual even with under half its rows or without some "
                   "of its kecamatan.")
def dtsen_import(path, as_user, as_of, partial, replace_all):
    """Apply a DTSEN file (CSV UTF-8 or XLSX): nik, no_kk, nama, tanggal_lahir,
    jenis_kelamin, kode_kelurahan, desil."""
    _run(_dataset(import_dtsen, as_of, scope="partial" if partial else "full",
                  replace_all=replace_all), path, as_user, "dtsen-import")


@participants_group.command("import")
@_import_options
def participants_import(path, as_user, as_of):
    """Apply a list of existing participants (CSV UTF-8 or XLSX): nik, nama, sumber."""
    _run(_dataset(import_participants, as_of), path, as_user, "participants-import")


@intake_group.command("import")
@_FILE
@_AS_USER
@click.option("--channel", type=click.Choice(CHANNELS), default="kelurahan", show_default=True)
@click.option("--year", type=int, default=lambda: decision_year(clock.today()),
              help="Programme year of the applications (default this year).")
def intake_import(path, as_user, channel, year):
    """Register workers and open draft applications from a proposal (CSV UTF-8 or XLSX):
    nik, no_kk, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, alamat, rt, rw,
    kode_kelurahan, no_hp, kategori, pekerjaan, penghasilan_bulanan."""
    _run(lambda stream, name, actor, progress: import_intake(
        db.session, stream, file_name=name, channel=channel, program_year=year, actor=actor,
        progress=progress), path, as_user, "intake-import")
