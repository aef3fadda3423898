"""``/status/<token>``: anyone holding a receipt sees where their application stands.

No sign-in (the worker scans the QR code with their phone), so the page shows only
what the receipt already carries that is not personal: the application number and a
coarse state in the worker's words. No name, NIK, reason or date that could tell a
stranger holding a lost receipt anything about the person. A forged or altered
token is a 404, like an unknown page; requests are rate limited per address.
"""
from flask import abort, current_app, make_response
from flask_admin import BaseView, expose

from caseapp.extensions import db, limiter
from caseapp.status.tokens import application_id_of
from models import Application
from workflows.messages import lazy_gettext as _l

_RECEIVED = _l("Received: being checked by Disnaker")
_CORRECT = _l("Needs correction: please contact the Disnaker office")
_VERIFIED = _l("Verified: waiting for the decision")
_NOT_APPROVED = _l("Not approved")
_APPROVED = _l("Approved: registration with BPJS Ketenagakerjaan in progress")
# Every state of workflows.states, folded into what the worker needs to know.
PUBLIC_STATES = {
    "draft": _RECEIVED, "submitted": _RECEIVED, "returned": _CORRECT,
    "verified": _VERIFIED, "waitlisted": _VERIFIED,
    "approved": _APPROVED, "submitted_to_bpjs": _APPROVED,
    "bpjs_rejected": _CORRECT,
    "enrolled": _l("Registered with BPJS Ketenagakerjaan"),
    "rejected": _NOT_APPROVED, "declined": _NOT_APPROVED,
    "terminated": _l("Membership ended"),
}


class StatusView(BaseView):
    """Public: reachable signed out, never in the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        """Flask-Admin wants a page here; there is no list: each status has its token."""
        abort(404)

    @expose("/<token>")
    @limiter.limit(lambda: current_app.config["STATUS_RATE_LIMIT"])
    def show(self, token: str):
        application_id = application_id_of(token)
        application = application_id and db.session.get(Application, application_id)
        if not application:
            abort(404)
        response = make_response(self.render("status/show.html", number=application.id,
                                             state=PUBLIC_STATES[application.state]))
        # The token is the key to the page: keep it out of search engines.
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
