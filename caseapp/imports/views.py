"""Upload pages for data aktual (DTSEN), other payers' lists and intake proposals."""
from datetime import date

from flask import abort, flash, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.arguments import int_arg
from caseapp.cases.forms import kecamatan_names
from caseapp.extensions import db
from caseapp.imports.problem_report import problem_report_download
from caseapp.jobs.starting import follow, go_to, start_job, start_upload_job
from caseapp.refusals import refuse
from models import ImportRun, Role, User, clock
from workflows.budget import decision_year
from workflows.errors import InvalidInput, WorkflowError
from workflows.imports.data_aktual import SCOPES, replacement
from workflows.imports.datasets import HELD_DECISIONS, current_dataset
from workflows.imports.problem_reports import READERS, first_problems

KINDS = ("dtsen", "participants", "intake")
SHOWN_PROBLEMS = 20


class ImportsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.ADMIN.value)

    def render_index(self, status: int = 200):
        runs = db.session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(30)
                                  ).scalars().all()
        users = dict(db.session.execute(select(User.id, User.full_name)).all())
        held = self._held()
        return self.render("imports/index.html", runs=runs, users=users, today=clock.today(),
                           year=decision_year(clock.today()), held=held,
                           kecamatan=kecamatan_names() if held else {},
                           shown=self._shown_problems()), status

    @staticmethod
    def _held() -> list:
        """Held DTSEN runs with what each would do to the data aktual in use."""
        held = db.session.execute(select(ImportRun).where(
            ImportRun.kind == "dtsen", ImportRun.status == "held").order_by(ImportRun.id.desc())
        ).scalars().all()
        current = current_dataset(db.session, "dtsen") if held else None
        return [(run, replacement(db.session, run.id, current)) for run in held]

    @staticmethod
    def _shown_problems():
        """The run the page came back to after an import, with its first problems, to the
        person who uploaded the file only: the messages quote its values (a NIK, a birth
        date), which anyone else reads in the CSV behind a purpose, as an audited read."""
        run_id = int_arg("run")
        run = db.session.get(ImportRun, run_id) if run_id else None
        actor = current_actor()
        if run is None or not run.error_report or run.imported_by_id != actor.user_id \
                or not actor.has_role(*READERS[run.kind]):
            return None
        return run, first_problems(run, SHOWN_PROBLEMS)

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
        if kind == "participants":
            return {"as_of": as_of.isoformat()}
        scope = request.form.get("scope") or "full"  # the form preselects full
        if scope not in SCOPES:
            raise InvalidInput(_("Choose whether the file is a full or a partial update."))
        return {"as_of": as_of.isoformat(), "scope": scope}

    @expose("/<int:run_id>/decide", methods=("POST",))
    def decide(self, run_id: int):
        """A held DTSEN update: replace the whole data aktual after all (only with the box
        ticked), apply it as a partial update, or cancel it; run as a job (a partial
        update copies the data aktual). A second click finds it decided."""
        run = db.session.get(ImportRun, run_id)
        if run is None or run.kind != "dtsen":
            abort(404)
        decision = request.form.get("decision")
        back = url_for(".index", run=run_id)
        if decision not in HELD_DECISIONS:
            flash(_("Choose whether the file is a full or a partial update."), "error")
            return go_to(back)
        if decision == "full" and request.form.get("understood") != "yes":
            flash(_("Tick the box to confirm that this file replaces the whole data aktual; "
                    "nothing changed."), "error")
            return go_to(back)
        try:
            return follow(start_job("import.dtsen_decision",
                                    {"run": run_id, "decision": decision}))
        except WorkflowError as exc:
            refuse(exc)
            return go_to(back)

    @expose("/<int:run_id>/report.csv", methods=("POST",))
    def report(self, run_id: int):
        """The problem report quotes the rows' values (NIKs, names): a bulk read of
        personal data, so a POST with a stated purpose kept in the audit log."""
        run = db.session.get(ImportRun, run_id)
        if run is None or not run.error_report:
            abort(404)
        return problem_report_download(run, "laporan-impor", self.render_index)
