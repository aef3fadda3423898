"""Command-line verbs: users, audit, refdata, demo, dtsen, participants, intake, bpjs."""
from caseapp.cli import audit, bpjs, datasets, demo, refdata, users
from caseapp.cli import contributions


def init_app(app) -> None:
    for group in (users.group, audit.group, refdata.group, demo.group,
                  datasets.dtsen_group, datasets.participants_group, datasets.intake_group,
                  bpjs.group, contributions.group):
        app.cli.add_command(group)
    from caseapp.cli import reports  # flask report ... (PDF and XLSX reports)
    app.cli.add_command(reports.group)
    from caseapp.cli import backup  # flask backup create|restore
    app.cli.add_command(backup.group)
    from caseapp.membership import cli as membership  # flask membership import-status|lapse
    app.cli.add_command(membership.group)
    from caseapp.cli import home_figures  # flask home-figures refresh
    app.cli.add_command(home_figures.group)
