"""``flask backup create|restore``: a consistent copy of this installation, and back.

Restore ends by running `flask audit verify` itself: a restore is finished only when
the restored log checks out against the signed checkpoints.
"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from caseapp.audit_keys import trusted_key
from caseapp.backup import BackupRefused
from caseapp.backup.create import create_backup
from caseapp.backup.restore import check_backup, restore_backup
from caseapp.cli import audit
from caseapp.cli.actor import as_option, command_actor
from workflows.backups import may_back_up

group = AppGroup("backup", help="Back up this installation and restore it from a backup.")


@group.command("create")
@click.option("--to", "parent", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the backup into (default: CASEAPP_BACKUP_DIR).")
@as_option
def create(parent, as_user):
    """Snapshot the database, the documents, the checkpoint file and the public key,
    with a manifest of their SHA-256, into a new folder; prints its path."""
    actor = command_actor(as_user, "backup-create")
    if not may_back_up(actor):
        raise click.ClickException(f"{actor.name} may not make backups (admin only)")
    try:
        done = create_backup(parent or Path(current_app.config["BACKUP_DIR"]), actor=actor)
    except BackupRefused as refusal:
        raise click.ClickException(f"no backup made: {refusal}")
    click.echo(f"backup written to {done.path}")
    click.echo(f"{done.files} files, {done.size_bytes} bytes, audit log up to seq "
               f"{done.head_seq}; manifest SHA-256 {done.manifest_sha256}")
    if done.public_key is None:
        click.echo("WARNING: no public key known (CASEAPP_AUDIT_PUBLIC_KEY or a signing key "
                   "on this host): a restore can check the checkpoints only against themselves")


@group.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing anything.")
@click.pass_context
def restore(ctx, path, yes):
    """Check a backup completely, then replace this installation's database, checkpoint
    file and documents with it and run `flask audit verify`; a backup that fails any
    check is refused and nothing is changed."""
    actor = command_actor(None, "backup-restore")  # the accounts are the backup's
    try:
        backup = check_backup(path)
    except BackupRefused as refusal:
        raise click.ClickException(f"backup refused, nothing was changed: {refusal}")
    manifest = backup.manifest
    click.echo(f"backup {path}: {manifest['backend']} database at revision "
               f"{manifest['alembic_revision']}, made {manifest['created_at']}, "
               f"{len(manifest['files'])} files, manifest SHA-256 {backup.manifest_sha256}")
    target = make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    replaced = (f"its audit log up to seq {backup.replaced_head[0]}" if backup.replaced_head
                else "an empty database")
    if not yes:
        click.confirm(f"Replace {target} ({replaced}), the checkpoint file and the documents "
                      "with this backup?", abort=True)
    try:
        restore_backup(backup, actor=actor)
    except BackupRefused as refusal:  # pg_restore runs as one transaction
        raise click.ClickException(f"restore failed, the database was not changed: {refusal}")
    unpinned = backup.public_key is not None and trusted_key() is None
    if unpinned:  # check the checkpoints against the key the backup names, not themselves
        current_app.config["AUDIT_PUBLIC_KEY"] = backup.public_key
    try:
        ctx.invoke(audit.verify)
    except SystemExit:
        raise click.ClickException("the restored installation does NOT pass `flask audit "
                                   "verify` (above): do not put it into service")
    click.echo(f"restored from {path}; flask audit verify passes")
    if unpinned:
        click.echo(f"NOTE: pin CASEAPP_AUDIT_PUBLIC_KEY={backup.public_key} on this host")
