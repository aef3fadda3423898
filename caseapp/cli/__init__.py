"""Command-line verbs: users, audit, refdata, demo, dtsen, participants, intake."""
from caseapp.cli import audit, datasets, demo, refdata, users


def init_app(app) -> None:
    for group in (users.group, audit.group, refdata.group, demo.group,
                  datasets.dtsen_group, datasets.participants_group, datasets.intake_group):
        app.cli.add_command(group)
