"""Refusals from the workflows and HTTP errors become clear, translated pages."""
from flask import render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from caseapp.refusals import record_attempt, record_refusal
from workflows.errors import WorkflowError
from workflows.messages import lazy_gettext as _l

_MESSAGES = {
    400: _l("The request was not understood."),
    403: _l("Your role does not allow this page or action."),
    404: _l("The page or record does not exist."),
    405: _l("This action is not allowed this way."),
    409: _l("The record changed in the meantime; reload the page."),
    413: _l("What was sent is larger than this page accepts, so it was not read and nothing "
            "was stored. A document may be as large as its upload form says; large import "
            "files are accepted only from signed-in users whose role may import them."),
    429: _l("Too many attempts. Wait a minute and try again."),
}


def init_app(app) -> None:
    @app.errorhandler(WorkflowError)
    def _workflow_error(error: WorkflowError):
        record_refusal(error)
        return render_template("error.html", code=error.status,
                               message=error.message), error.status

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = _l("The form has expired or did not come from this application. "
                     "Reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code not in _MESSAGES:
            return error
        if error.code == 403 and current_user.is_authenticated:
            record_attempt("denied", 403, "the role may not open or post to this")
        return render_template("error.html", code=error.code,
                               message=_MESSAGES[error.code]), error.code
