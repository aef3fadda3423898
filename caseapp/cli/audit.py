"""``flask audit verify|keygen|checkpoint``: check the log, sign its head."""
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from flask.cli import AppGroup

from caseapp.audit_keys import signing_key_path, trusted_key
from caseapp.checkpointing import sign_when_due
from caseapp.cli.actor import as_option, command_actor
from caseapp.extensions import db
from workflows.audit import verify_chain
from workflows.audit.checkpoints import (create_checkpoint, generate_key, load_key,
                                         verify_checkpoints)
from workflows.audit.incremental import verify_since_checkpoint

group = AppGroup("audit", help="Check the audit log and sign checkpoints of it.")


def _checkpoint_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@group.command("verify")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint export file kept elsewhere (default: the local export file).")
@click.option("--since-checkpoint", is_flag=True,
              help="Recompute only from the latest signed checkpoint (seconds, for a frequent "
                   "schedule); the full walk when no checkpoint holds.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes hashing the chain (default: one per core but one).")
@click.option("--in-python", is_flag=True,
              help="Hash every row here, without PostgreSQL's first pass (slower; trusts "
                   "nothing of the database server but its rows).")
def verify(checkpoint_file, since_checkpoint, workers, in_python):
    """Recompute every hash of the audit chain and check the signed checkpoints (stored and
    exported); one line, exit 1 naming the first problem, warnings on their own lines."""
    with force_locale("en"):
        export = Path(checkpoint_file or current_app.config["AUDIT_CHECKPOINT_FILE"])
        lines = _checkpoint_lines(export) if export.is_file() else []
        trusted = trusted_key()
        options = {"workers": workers, **({"screen_min": None} if in_python else {})}
        verdict = checkpoints = None
        if since_checkpoint:
            verdict, checkpoints = verify_since_checkpoint(
                db.session, trusted_key=trusted, extra_lines=lines, **options)
            if verdict is None:
                reason = (checkpoints.problem if not checkpoints.ok
                          else "no signed checkpoint yet")
                click.echo(f"NOTE: cannot start from a checkpoint ({reason}): "
                           "verifying the whole chain")
        if verdict is None:
            verdict = verify_chain(db.session, **options)
        if not verdict.ok:
            click.echo(verdict.line())
            sys.exit(1)
        if checkpoints is None:
            checkpoints = verify_checkpoints(db.session, trusted_key=trusted,
                                             extra_lines=lines)
        if not checkpoints.ok:
            click.echo(f"BROKEN: {checkpoints.problem}")
            sys.exit(1)
        click.echo(f"{verdict.line()}; {checkpoints.checked} checkpoint(s)")
    if checkpoints.uncovered:
        click.echo(f"NOTE: {checkpoints.uncovered} event(s) after the last signed checkpoint "
                   "are not yet covered by one (flask audit checkpoint)")
    if checkpoints.checked == 0:
        click.echo("WARNING: no signed checkpoint yet, so a recomputed chain would go "
                   "unnoticed (flask audit checkpoint)")
    elif trusted is None:
        click.echo("WARNING: no trusted public key (CASEAPP_AUDIT_PUBLIC_KEY, or the signing "
                   "key on this host): signatures were checked against their own keys only")


@group.command("keygen")
def keygen():
    """Create the Ed25519 signing key (refuses to overwrite an existing one)."""
    try:
        public = generate_key(signing_key_path())
    except FileExistsError:
        raise click.ClickException(f"a key already exists at {signing_key_path()}")
    click.echo(f"key written to {signing_key_path()}; public key {public}")


@group.command("checkpoint")
@as_option
@click.option("--if-due", is_flag=True,
              help="Only when one is due (AUDIT_CHECKPOINT_EVERY_EVENTS/_SECONDS): for a "
                   "scheduler.")
def checkpoint(as_user, if_due):
    """Sign the current chain head and append it to the checkpoint export file."""
    if not signing_key_path().exists():
        raise click.ClickException("no signing key: run `flask audit keygen` first")
    actor = command_actor(as_user, "audit-checkpoint")
    if if_due:
        saved = sign_when_due(actor)
        if saved is None:
            click.echo("no checkpoint due")
            return
    else:
        saved = create_checkpoint(db.session, load_key(signing_key_path()), actor=actor,
                                  export_file=Path(current_app.config["AUDIT_CHECKPOINT_FILE"]))
    db.session.commit()
    click.echo(f"checkpoint seq {saved.seq} hash {saved.head_hash} signed; appended to "
               f"{current_app.config['AUDIT_CHECKPOINT_FILE']}")
