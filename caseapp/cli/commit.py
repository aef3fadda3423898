"""One verb, one commit: how a command turns a workflow refusal into its exit status."""
import click

from caseapp.extensions import db
from workflows.errors import WorkflowError


def commit_verb(work):
    """Run ``work`` and commit once; a refusal rolls back and exits 1 with its message, so
    a script (or cron) can tell success from failure by the exit code."""
    try:
        result = work()
        db.session.commit()
        return result
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
