"""What a command says about a file it applied all or nothing (a BPJS status file, a BPJS
bill): a file seen before, or the first problems of a rejected one."""
import click

from workflows.imports.problem_reports import first_problems

SHOWN_PROBLEMS = 10


def applied_or_report(result) -> bool:
    """True when the file was applied now; otherwise say why nothing changed, and exit 1
    for a rejected file, whose full report stays with its import run."""
    run = result.run
    if result.duplicate_file:
        click.echo(f"already imported as run #{run.id}; nothing changed")
        return False
    if result.applied:
        return True
    click.echo(f"rejected: {run.error_count} problem(s) in {run.row_count} row(s); "
               "nothing was applied", err=True)
    for p in first_problems(run, SHOWN_PROBLEMS):
        where = f"row {p['baris']}" if p["baris"] else "file"
        column = f", {p['kolom']}" if p["kolom"] else ""
        click.echo(f"  {where}{column}: {p['pesan']}", err=True)
    click.echo(f"The full report is stored with import run #{run.id}.", err=True)
    raise SystemExit(1)
