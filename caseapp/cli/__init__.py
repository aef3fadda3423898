"""Command-line verbs (``flask users``, ``flask audit``, ``flask refdata``, ``flask demo``)."""
from caseapp.cli import audit, datasets, demo, refdata, users


def init_app(app) -> None:
    for group in (users.group, audit.group, refdata.group, demo.group,
                  datasets.dtsen_group, datasets.participants_group):
        app.cli.add_command(group)
