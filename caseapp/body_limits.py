"""How large a request body each route may send, decided before anything reads it.

Every route takes ordinary forms (MAX_CONTENT_LENGTH, 1 MB). A document upload may
carry one document of each active type (MAX_DOCUMENT_BYTES each, plus the form around
them) and the import pages a whole DTSEN extract or BPJS reply (MAX_IMPORT_BYTES), but
only for a signed-in user holding a role that may use the page: nobody else can make
the server read, or spool to disk, hundreds of megabytes. Werkzeug checks Content-Length
against ``request.max_content_length`` (per request since Flask 3.1) when the body is
first parsed and answers 413 without reading it; a body without a length is cut off at
the limit.
"""
from flask import current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from caseapp.extensions import db
from models import DocumentType, Role

FORM_OVERHEAD = 64 * 1024  # the multipart framing, CSRF token and the form's other fields
DOCUMENT_UPLOAD = "cases.upload"


def large_uploads() -> dict[str, tuple[str, ...]]:
    """Endpoint -> roles that may send an import file (the roles the page itself checks)."""
    from caseapp.imports.views import ImportsView
    return {"imports.upload": ImportsView.roles,
            "bpjs.upload": (Role.CASEWORKER.value,),
            "contributions_page.reconcile": (Role.CASEWORKER.value,)}


def init_app(app) -> None:
    large = large_uploads()

    def limit_body() -> None:
        endpoint, config = request.endpoint, current_app.config
        if endpoint == DOCUMENT_UPLOAD and _signed_in_with(Role.CASEWORKER.value):
            request.max_content_length = (config["MAX_DOCUMENT_BYTES"] * _document_types()
                                          + FORM_OVERHEAD)
        elif endpoint in large and _signed_in_with(*large[endpoint]):
            request.max_content_length = config["MAX_IMPORT_BYTES"]

    # First of all before-request hooks: CSRF protection reads the form of every POST.
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)


def _document_types() -> int:
    return max(1, db.session.scalar(select(func.count()).select_from(DocumentType)
                                    .where(DocumentType.active)))


def _signed_in_with(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)
