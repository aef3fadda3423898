"""The Reports page: which reports the user's roles allow, and a form for each.

Generating is a POST (it writes audit events: generation and download, and carries
the CSRF token and, for reports with personal data, the stated purpose, which must
not land in URLs and access logs). A job makes the file (caseapp/reports/jobs.py):
the page answers at once with the job's page, which fetches the file when it is
ready. A request the service would refuse is refused here, with nothing queued.
"""
from flask import request
from flask_admin import expose

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.extensions import db
from caseapp.jobs.starting import follow
from caseapp.reports.builders import TITLES
from caseapp.reports.jobs import queue_report
from caseapp.reports.service import FORMATS, PERSONAL_DATA, may_generate
from caseapp.refusals import refuse
from models import Role, clock
from reports.city.participants import area_choices
from workflows.errors import WorkflowError

ORDER = ("program", "decree", "budget", "audit", "case", "city_participants", "city_budget",
         "city_coverage", "city_inpres", "claims")


class ReportsView(SecureView):
    roles = (Role.HEAD.value, Role.AUDITOR.value, Role.CASEWORKER.value, Role.ADMIN.value)

    def render_index(self, status: int = 200, values: dict | None = None):
        actor = current_actor()
        today = clock.today()
        defaults = {"from": today.replace(day=1).isoformat(), "to": today.isoformat(),
                    "year": today.year,
                    "semester": f"{today.year}-S{1 if today.month <= 6 else 2}"}
        return self.render("reports/index.html", titles=TITLES, formats=FORMATS,
                           personal_data=PERSONAL_DATA, areas=area_choices(db.session),
                           kinds=[k for k in ORDER if may_generate(actor, k)],
                           values={**defaults, **(values or {})}), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/<kind>", methods=("POST",))
    def generate(self, kind: str):
        try:
            job = queue_report(kind, request.form.get("format", "pdf"), request.form,
                               request.form.get("purpose"), actor=current_actor())
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status, dict(request.form))
        return follow(job)
