"""``flask audit verify``: walk the chain, print one line, exit 1 when broken."""
import sys

import click
from flask.cli import AppGroup

from caseapp.extensions import db
from workflows.audit import verify_chain

group = AppGroup("audit", help="Check the audit log.")


@group.command("verify")
def verify():
    """Recompute every hash of the audit chain and name the first bad seq."""
    verdict = verify_chain(db.session)
    click.echo(verdict.line())
    sys.exit(0 if verdict.ok else 1)
