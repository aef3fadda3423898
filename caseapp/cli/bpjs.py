"""``flask bpjs …``: registration batches to BPJS Ketenagakerjaan and BPJS's reply.

Each command calls one verb and commits once; a file is written only after the
commit (the batch exists, with its hashes, before anything leaves the database).
"""
import hashlib
from pathlib import Path

import click
from flask.cli import AppGroup

from caseapp.cli.actor import command_actor
from caseapp.cli.datasets import _run as run_import_command
from caseapp.extensions import db
from models import clock
from workflows.bpjs.registration import (FORMATS, batch_file, cancel_registration_batch,
                                         create_registration_batch, find_batch,
                                         mark_batch_sent)
from workflows.bpjs.responses import import_bpjs_response
from workflows.errors import WorkflowError

group = AppGroup("bpjs", help="Registration batches to BPJS Ketenagakerjaan and its replies.")
_AS_USER = click.option("--as", "as_user", required=True, metavar="USERNAME",
                        help="Who acts (recorded in the audit log).")
_OUTPUT = click.option("--output", "output", required=True, metavar="FILE",
                       type=click.Path(dir_okay=False, writable=True, path_type=Path),
                       help="Where to write the file.")
_PURPOSE = click.option("--purpose", required=True,
                        help="Why the file of members' personal data is exported "
                             "(at least 10 characters; kept in the audit log).")
_FORMAT = click.option("--format", "file_format", type=click.Choice(FORMATS), default="csv",
                       show_default=True)


def _commit(work):
    try:
        result = work()
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message))
    return result


def _write(output: Path, data: bytes) -> None:
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data)} bytes, SHA-256 {hashlib.sha256(data).hexdigest()})")


def _check_writable(output: Path) -> None:
    """Refuse before the batch exists rather than fail after it is committed."""
    if not output.parent.resolve().is_dir():
        raise click.ClickException(f"the folder of {output} does not exist")


@group.command("export")
@_AS_USER
@_OUTPUT
@click.option("--year", type=int, default=lambda: clock.today().year,
              help="Programme year (default this year).")
@_FORMAT
@_PURPOSE
def export(as_user, output, year, file_format, purpose):
    """Put every approved application of the year into a new batch and write its file."""
    _check_writable(output)
    actor = command_actor(as_user, "bpjs-export")

    def work():
        batch = create_registration_batch(db.session, fiscal_year=year, actor=actor)
        return batch, batch_file(db.session, batch, file_format, actor=actor, purpose=purpose)

    batch, data = _commit(work)
    click.echo(f"batch {batch.batch_number}: {batch.row_count} rows, status prepared")
    click.echo(f"  CSV  SHA-256 {batch.csv_sha256}")
    click.echo(f"  XLSX SHA-256 {batch.xlsx_sha256}")
    _write(output, data)
    click.echo(f"After handing the file to BPJS: flask bpjs mark-sent {batch.batch_number}")


@group.command("download")
@click.argument("batch_number")
@_AS_USER
@_OUTPUT
@_FORMAT
@_PURPOSE
def download(batch_number, as_user, output, file_format, purpose):
    """Write a batch's stored file again (byte-identical to the first time)."""
    _check_writable(output)
    actor = command_actor(as_user, "bpjs-download")
    data = _commit(lambda: batch_file(db.session, find_batch(db.session, batch_number),
                                      file_format, actor=actor, purpose=purpose))
    _write(output, data)


@group.command("mark-sent")
@click.argument("batch_number")
@_AS_USER
def mark_sent(batch_number, as_user):
    """Record that the batch's file went to BPJS (it can no longer be cancelled)."""
    actor = command_actor(as_user, "bpjs-mark-sent")
    _commit(lambda: mark_batch_sent(db.session, find_batch(db.session, batch_number),
                                    actor=actor))
    click.echo(f"batch {batch_number.upper()} marked as sent to BPJS")


@group.command("cancel")
@click.argument("batch_number")
@click.option("--reason", required=True, help="Why the batch is withdrawn (audit log).")
@_AS_USER
def cancel(batch_number, reason, as_user):
    """Withdraw a prepared batch; its applications are approved again."""
    actor = command_actor(as_user, "bpjs-cancel")
    _commit(lambda: cancel_registration_batch(db.session, find_batch(db.session, batch_number),
                                              reason=reason, actor=actor))
    click.echo(f"batch {batch_number.upper()} cancelled; its applications are approved again")


@group.command("import-response")
@click.argument("path", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_AS_USER
def import_response(path, as_user):
    """Apply BPJS's reply (CSV UTF-8 or XLSX): nik, kpj, status, alasan, tanggal_mulai."""
    outcome = []

    def apply(stream, name, actor, progress):
        outcome.append(import_bpjs_response(db.session, stream, file_name=name, actor=actor,
                                            progress=progress))
        return outcome[0]

    run_import_command(apply, path, as_user, "bpjs-import-response")
    result = outcome[0] if outcome else None
    if result is not None and result.applied:
        click.echo(f"batch {result.batch_number}: {result.enrolled} enrolled, "
                   f"{result.refused_by_bpjs} rejected by BPJS, "
                   f"{result.unchanged} already recorded")
