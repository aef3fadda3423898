"""The papers printed from the case page for the worker: the receipt (tanda terima)
and the membership letter.

One page each, rendered in the request (0.1-0.3 s with WeasyPrint here, about 1 s for
the first one of a process or on a busy machine), so the caseworker at the desk gets
the file at once instead of a job to wait for. They go through the report service like
every PDF: role check, the audit chain head read with the data and printed in the
footer, ``report.generate`` with the file's SHA-256 and ``report.download``, both marked
as reads of the worker's data. A POST: it writes those events, and carries the CSRF
token.
"""
from io import BytesIO

from flask import send_file
from flask_admin import expose

from caseapp.actor import current_actor
from caseapp.extensions import db
from caseapp.refusals import refuse
from caseapp.reports.service import generate, record_download
from workflows.errors import WorkflowError


def send_printout(kind: str, params: dict, refused):
    """Generate the PDF and send it, its generation and download committed together;
    a refusal is flashed and ``refused(status)`` renders the page again (the claim page
    prints its membership letter the same way)."""
    actor = current_actor()
    try:
        result = generate(db.session, kind, "pdf", params, actor=actor)
        record_download(db.session, result, actor=actor, destination="http")
        db.session.commit()
    except WorkflowError as exc:
        refuse(exc)
        return refused(exc.status)
    return send_file(BytesIO(result.content), mimetype=result.mimetype,
                     as_attachment=True, download_name=result.file_name)


class CasePrintoutsMixin:
    def _printout(self, application_id: int, kind: str):
        application = self.load_application(application_id)
        return send_printout(kind, {"application_id": application.id}, lambda status:
                             self.render_case(self.load_application(application_id), status))

    @expose("/<int:application_id>/receipt", methods=("POST",))
    def receipt(self, application_id: int):
        return self._printout(application_id, "receipt")

    @expose("/<int:application_id>/letter", methods=("POST",))
    def letter(self, application_id: int):
        return self._printout(application_id, "letter")
