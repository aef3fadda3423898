"""``flask audit verify|keygen|checkpoint``: check the log, sign its head."""
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from caseapp.cli.actor import as_option, command_actor
from caseapp.extensions import db
from workflows.audit import verify_chain
from workflows.audit.checkpoints import (create_checkpoint, generate_key, load_key,
                                         trusted_public_key, verify_checkpoints)

group = AppGroup("audit", help="Check the audit log and sign checkpoints of it.")


def _key_path() -> Path:
    return Path(current_app.config["AUDIT_SIGNING_KEY"])


@group.command("verify")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint export file kept elsewhere, checked as well.")
def verify(checkpoint_file):
    """Recompute every hash of the audit chain and check the signed checkpoints; one line,
    exit 1 naming the first problem."""
    verdict = verify_chain(db.session)
    if not verdict.ok:
        click.echo(verdict.line())
        sys.exit(1)
    lines = []
    if checkpoint_file:
        lines = [json.loads(line) for line in Path(checkpoint_file).read_text().splitlines()
                 if line.strip()]
    checkpoints = verify_checkpoints(db.session, trusted_key=trusted_public_key(_key_path()),
                                     extra_lines=lines)
    if not checkpoints.ok:
        click.echo(f"BROKEN: {checkpoints.problem}")
        sys.exit(1)
    click.echo(f"{verdict.line()}; {checkpoints.checked} checkpoint(s)")


@group.command("keygen")
def keygen():
    """Create the Ed25519 signing key (refuses to overwrite an existing one)."""
    try:
        public = generate_key(_key_path())
    except FileExistsError:
        raise click.ClickException(f"a key already exists at {_key_path()}")
    click.echo(f"key written to {_key_path()}; public key {public}")


@group.command("checkpoint")
@as_option
def checkpoint(as_user):
    """Sign the current chain head and append it to the checkpoint export file."""
    if not _key_path().exists():
        raise click.ClickException("no signing key: run `flask audit keygen` first")
    saved = create_checkpoint(db.session, load_key(_key_path()),
                              actor=command_actor(as_user, "audit-checkpoint"),
                              export_file=Path(current_app.config["AUDIT_CHECKPOINT_FILE"]))
    db.session.commit()
    click.echo(f"checkpoint seq {saved.seq} hash {saved.head_hash} signed; appended to "
               f"{current_app.config['AUDIT_CHECKPOINT_FILE']}")
