"""Upload pages for data aktual (DTSEN), other payers' lists and intake proposals."""
from datetime import date

from flask import abort, flash, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.admin.base import SecureView
from caseapp.extensions import db
from caseapp.jobs.starting import follow, go_to, start_upload_job
from caseapp.imports.problem_report import problem_report_download
from caseapp.refusals import refuse
from models import ImportRun, Role, User, clock
from workflows.budget import decision_year
from workflows.errors import InvalidInput, WorkflowError

KINDS = ("dtsen", "participants", "intake")


class ImportsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.ADMIN.value)

    def render_index(self, status: int = 200):
        runs = db.session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(30)
                                  ).scalars().all()
        users = dict(db.session.execute(select(User.id, User.full_name)).all())
        return self.render("imports/index.html", runs=runs, users=users, today=clock.today(),
                           year=decision_year(clock.today())), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/<kind>", methods=("POST",))
    def upload(self, kind: str):
        """Keep the file and start a job; its page follows the work and then brings the
        caseworker back here with the result."""
        if kind not in KINDS:
            abort(404)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to upload."), "error")
            return go_to(url_for(".index"))
        try:
            params = self._params(kind)
        except WorkflowError as exc:
            refuse(exc)
            return go_to(url_for(".index"))
        return follow(start_upload_job(f"import.{kind}", upload, params))

    @staticmethod
    def _params(kind: str) -> dict:
        try:
            year = int(request.form.get("year") or decision_year(clock.today()))
            as_of = date.fromisoformat(request.form.get("as_of") or clock.today().isoformat())
        except ValueError:
            raise InvalidInput(_("The date or year is not valid."))
        if kind == "intake":
            return {"channel": request.form.get("channel", "kelurahan"), "year": year}
        return {"as_of": as_of.isoformat()}

    @expose("/<int:run_id>/report.csv", methods=("POST",))
    def report(self, run_id: int):
        """The problem report quotes the rows' values (NIKs, names): a bulk read of
        personal data, so a POST with a stated purpose kept in the audit log."""
        run = db.session.get(ImportRun, run_id)
        if run is None or not run.error_report:
            abort(404)
        return problem_report_download(run, "laporan-impor", self.render_index)
