"""Downloading an import run's problem report, shared by the Imports and BPJS pages.

The report quotes the rejected rows' values (NIKs, names, KPJs): a bulk read of
personal data, so it is a POST with a stated purpose kept in the audit log.
"""
from flask import Response, request

from caseapp.actor import current_actor
from caseapp.extensions import db
from caseapp.refusals import refuse
from models import ImportRun
from workflows.errors import WorkflowError
from workflows.imports.problem_reports import read_problem_report


def problem_report_download(run: ImportRun, file_stem: str, render_refused):
    """The CSV (with a BOM so Excel reads UTF-8), or the page again with the refusal."""
    try:
        report = read_problem_report(db.session, run, actor=current_actor(),
                                     purpose=request.form.get("purpose"))
        db.session.commit()
    except WorkflowError as exc:
        refuse(exc)
        return render_refused(exc.status)
    return Response("\ufeff" + report, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={file_stem}-{run.id}.csv"})
