"""Refusals from the workflows and HTTP errors become clear, translated pages.

A signed-in user sees the message inside the usual layout with the top menu, so the
way on is one click away; anybody else a plain page with a link to sign in. An error
page must never fail itself: when the full layout cannot be drawn (the database went
away during a 500, say) the plain page is shown instead.
"""
import logging

from flask import current_app, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from caseapp.refusals import DENIED, record_attempt, record_refusal
from workflows.errors import WorkflowError
from workflows.messages import lazy_gettext as _l

log = logging.getLogger(__name__)

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
    500: _l("Something went wrong on the server. Reload the page to see whether the step "
            "was carried out; if this happens again, tell the administrator the reference "
            "below."),
}


def _signed_in() -> bool:
    """Whether to draw the menu; loading the user needs the database, which may be what
    failed."""
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - any failure here only means the plain page
        log.exception("could not tell who is signed in for the error page")
        return False


def error_page(code: int, message):
    """The page for an error ``code`` with ``message``, in the layout the user can have."""
    signed_in = _signed_in()
    context = {"code": code, "message": message, "reference": g.get("request_id")}
    if signed_in:
        try:
            layout = current_app.extensions["caseapp_admin"].index_view
            return layout.render("admin/error.html", **context), code
        except Exception:  # noqa: BLE001 - the error page itself must not fail
            log.exception("the error page with the menu failed; the plain one is shown")
    return render_template("error.html", signed_in=signed_in, **context), code


def init_app(app) -> None:
    @app.errorhandler(WorkflowError)
    def _workflow_error(error: WorkflowError):
        record_refusal(error)
        return error_page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = _l("The form has expired or did not come from this application. "
                     "Reload the page and try again.")
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code not in _MESSAGES:
            return error
        if error.code == 403 and current_user.is_authenticated:
            record_attempt("denied", 403, DENIED.template)
        return error_page(error.code, _MESSAGES[error.code])
