"""Downloading an import run's problem report, shared by the Imports and BPJS pages.

The report quotes the rejected rows' values (NIKs, names, KPJs): a bulk read of
personal data, so it is a POST with a stated purpose kept in the audit log.
"""
from flask import Response, request

from caseapp.actor import current_actor
from caseapp.extensions import db
from caseapp.refusals import refuse
from models import ImportRun
from workflows.audit.access import record_read
from workflows.errors import WorkflowError


def problem_report_download(run: ImportRun, file_stem: str, render_refused):
    """The CSV (with a BOM so Excel reads UTF-8), or the page again with the refusal."""
    try:
        record_read(db.session, current_actor(), "import.report_download", entity=run,
                    purpose=request.form.get("purpose"), bulk=True)
        db.session.commit()
    except WorkflowError as exc:
        refuse(exc)
        return render_refused(exc.status)
    return Response("\ufeff" + run.error_report, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={file_stem}-{run.id}.csv"})
