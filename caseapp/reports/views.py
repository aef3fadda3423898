"""The Reports page: which reports the user's roles allow, and a form for each.

Generating is a POST (it writes two audit events: generation and download, and
carries the CSRF token and, for reports with personal data, the stated purpose,
which must not land in URLs and access logs); the file comes back as the response.
"""
import io

from flask import request, send_file
from flask_admin import expose
from flask_babel import gettext as _

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.extensions import db
from caseapp.reports.builders import TITLES
from caseapp.reports.service import (FORMATS, PERSONAL_DATA, ROLES, generate, may_generate,
                                     parse_params, record_download)
from caseapp.refusals import refuse
from models import Role, clock
from workflows.errors import NotAllowed, WorkflowError

ORDER = ("program", "decree", "budget", "audit", "case")


class ReportsView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value, Role.CASEWORKER.value, Role.ADMIN.value)

    def render_index(self, status: int = 200, values: dict | None = None):
        actor = current_actor()
        today = clock.today()
        defaults = {"from": today.replace(day=1).isoformat(), "to": today.isoformat(),
                    "year": today.year}
        return self.render("reports/index.html", titles=TITLES, formats=FORMATS,
                           personal_data=PERSONAL_DATA,
                           kinds=[k for k in ORDER if may_generate(actor, k)],
                           values={**defaults, **(values or {})}), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/<kind>", methods=("POST",))
    def generate(self, kind: str):
        actor = current_actor()
        fmt = request.form.get("format", "pdf")
        try:
            if kind not in ROLES:
                raise NotAllowed(_("Unknown report."))
            result = generate(db.session, kind, fmt, parse_params(kind, request.form),
                              actor=actor, purpose=request.form.get("purpose"))
            record_download(db.session, result, actor=actor, destination="http")
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status, dict(request.form))
        return send_file(io.BytesIO(result.content), mimetype=result.mimetype,
                         as_attachment=True, download_name=result.file_name,
                         max_age=0, etag=False, last_modified=None)
