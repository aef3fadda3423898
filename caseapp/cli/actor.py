"""Who a command acts as: ``--as USERNAME`` or a named system actor."""
import uuid

import click
from sqlalchemy import select

from caseapp.extensions import db
from models import User
from workflows.actor import Actor


def command_actor(username: str | None, job: str) -> Actor:
    request_id = f"cli-{uuid.uuid4().hex[:16]}"
    if not username:
        return Actor.system(job, request_id=request_id)
    user = db.session.execute(
        select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
    if user is None or not user.active:
        raise click.ClickException(f"unknown or inactive user: {username}")
    return Actor(user.id, user.username, user.role_names, "cli", request_id)


def as_option(func):
    return click.option("--as", "as_user", metavar="USERNAME",
                        help="Act as this user (recorded in the audit log).")(func)
