"""``flask users create USERNAME --role ROLE ...``"""
import click
from flask.cli import AppGroup

from caseapp.cli.actor import as_option, command_actor
from caseapp.extensions import db
from models.roles import ROLE_VALUES
from workflows import role_grants
from workflows.errors import WorkflowError
from workflows.users import create_user

group = AppGroup("users", help="Manage staff accounts.")


@group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_VALUES),
              help="Repeat for several roles.")
@click.option("--full-name", default="", help="Name shown in the application.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Initial password; the user must change it at first sign-in.")
@as_option
def create(username, roles, full_name, password, as_user):
    """Create an account (the password must be changed at first sign-in)."""
    actor = command_actor(as_user, "cli-users")
    try:
        user = create_user(db.session, username=username, full_name=full_name or username,
                           password=password, roles=roles, actor=actor)
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message))
    waiting = [g.role for g in role_grants.pending(db.session, user)]
    click.echo(f"created {user.username} ({', '.join(user.role_names)})"
               + (f"; waiting for a head's confirmation: {', '.join(waiting)}" if waiting else ""))
