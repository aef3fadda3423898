"""``flask demo seed``: demo accounts and fictitious cases, once."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from caseapp.audit_keys import signing_key_path
from caseapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, already_seeded, seed_demo
from caseapp.extensions import db
from workflows.actor import Actor
from workflows.audit.checkpoints import create_checkpoint, generate_key, load_key

group = AppGroup("demo", help="Demo data for trying the application.")


@group.command("seed")
@click.option("--workers", default=300, show_default=True)
@click.option("--force", is_flag=True, help="Seed even when CASEAPP_DEMO is not 1.")
def seed(workers, force):
    """Create demo users per role and fictitious workers (skipped when present)."""
    if not (current_app.config["DEMO_MODE"] or force):
        raise click.ClickException("demo data only in demo mode (CASEAPP_DEMO=1) or with --force")
    if already_seeded(db.session):
        click.echo("demo data already present; nothing changed")
        return
    with click.progressbar(length=workers, label="seeding demo data") as bar:
        count = seed_demo(db.session, workers=workers, progress=lambda: bar.update(1),
                          storage_dir=Path(current_app.config["DOCUMENT_DIR"]))
        db.session.commit()
    _first_checkpoint()
    click.echo(f"demo data: {count} workers; accounts "
               + ", ".join(u for u, _, _ in DEMO_USERS) + f" with password {DEMO_PASSWORD}; "
               f"kadis, auditor and admin also ask for an authenticator code: add the "
               f"secret {DEMO_TOTP_SECRET} to an authenticator app (or run "
               f"`python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\"`)")


def _first_checkpoint() -> None:
    """Sign the seeded chain, so the auditor's chain page shows a checkpoint from the start
    (the demo key lives in instance/; a real office keeps its key off the server)."""
    key_path = signing_key_path()
    if not key_path.exists():
        generate_key(key_path)
    create_checkpoint(db.session, load_key(key_path), actor=Actor.system("demo-seed"),
                      export_file=Path(current_app.config["AUDIT_CHECKPOINT_FILE"]))
    db.session.commit()
