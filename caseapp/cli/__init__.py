"""Command-line verbs (``flask users``, ``flask audit``, ``flask refdata``, ``flask demo``)."""
from caseapp.cli import audit, demo, refdata, users


def init_app(app) -> None:
    for group in (users.group, audit.group, refdata.group, demo.group):
        app.cli.add_command(group)
