"""``flask demo seed``: demo accounts and fictitious cases, once."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from caseapp.demo import DEMO_PASSWORD, DEMO_USERS, already_seeded, seed_demo
from caseapp.extensions import db

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
    click.echo(f"demo data: {count} workers; accounts "
               + ", ".join(u for u, _, _ in DEMO_USERS) + f" with password {DEMO_PASSWORD}")
