"""``flask refdata load``: bring the shipped reference data into the database."""
import click
from flask.cli import AppGroup

from caseapp.cli.actor import as_option, command_actor
from caseapp.extensions import db
from workflows.reference import load_reference_data

group = AppGroup("refdata", help="Reference data (kecamatan, kelurahan, UMK, contributions).")


@group.command("load")
@as_option
def load(as_user):
    """Create or update reference rows from the code base (idempotent, audited)."""
    changes = load_reference_data(db.session, actor=command_actor(as_user, "refdata-load"))
    db.session.commit()
    click.echo(f"reference data: {changes} rows created or changed")
