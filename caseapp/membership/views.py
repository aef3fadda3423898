"""Membership status: "paid by us" beside "protected at BPJS" per participant, the
differences to follow up (counts, a filter by kind, an export), and the upload of
BPJS's status files with the import pages' progress bar.

The list shows initials and the NIK's last four digits only, for finding whom to
follow up; names, NIKs and KPJs in clear leave only in the export, made as a job
under a stated purpose and recorded when the file is taken. Caseworkers import;
heads and auditors read and export.
"""
from datetime import date

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.arguments import int_arg
from caseapp.extensions import db
from caseapp.imports.problem_report import problem_report_download
from caseapp.jobs.starting import follow, from_script, go_to, start_job, start_upload_job
from caseapp.membership.jobs import EXPORT_JOB, IMPORT_JOB
from caseapp.refusals import refuse
from models import ImportRun, Role, User, clock
from reports.membership_status import KINDS, case_status, counts, page
from workflows.errors import InvalidInput, WorkflowError
from workflows.imports.problem_reports import first_problems
from workflows.membership.export import FORMATS, KIND_LABELS, checked_export
from workflows.membership.status_import import KIND
from workflows.states import STATE_LABELS

RUNS_SHOWN = 10
SHOWN_PROBLEMS = 20


def membership_of_case(application):
    """The case page's BPJS status of an enrolled case (None otherwise); the page itself
    is already a read of the case."""
    return case_status(db.session, application)


def _kind() -> str | None:
    kind = request.values.get("kind") or None
    return kind if kind in KINDS else None


class MembershipView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)

    def render_index(self, status: int = 200):
        today, kind = clock.today(), _kind()
        after = int_arg("after", 0, low=0)
        shown, next_after = page(db.session, today, kind=kind, after=after)
        runs = db.session.execute(select(ImportRun).where(ImportRun.kind == KIND)
                                  .order_by(ImportRun.id.desc()).limit(RUNS_SHOWN)
                                  ).scalars().all()
        users = dict(db.session.execute(select(User.id, User.full_name).where(
            User.id.in_({r.imported_by_id for r in runs if r.imported_by_id}))).all())
        return self.render("membership/status.html", today=today, kind=kind, after=after,
                           participants=shown, next_after=next_after,
                           counts=counts(db.session, today), kinds=KINDS,
                           kind_labels=KIND_LABELS, runs=runs, users=users,
                           formats=FORMATS, state_labels=STATE_LABELS,
                           run_id=int_arg("run"), problems=self._shown_problems()), status

    @staticmethod
    def _shown_problems():
        """The first problems of the run the page came back to, to its uploader only (the
        messages quote NIKs and KPJs; anyone else reads the CSV under a purpose)."""
        run_id = int_arg("run")
        run = db.session.get(ImportRun, run_id) if run_id else None
        if run is None or run.kind != KIND or not run.error_report \
                or run.imported_by_id != current_actor().user_id:
            return None
        return run, first_problems(run, SHOWN_PROBLEMS)

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/status-files", methods=("POST",))
    def upload(self):
        """Keep BPJS's status file and start a job; its page follows the work and brings
        the caseworker back here with the result."""
        upload = request.files.get("file")
        try:
            if not current_user.has_role(Role.CASEWORKER.value):
                abort(403)
            if upload is None or not upload.filename:
                raise InvalidInput(_("Choose a file to upload."))
            try:
                as_of = date.fromisoformat(request.form.get("as_of") or
                                           clock.today().isoformat())
            except ValueError:
                raise InvalidInput(_("The date or year is not valid."))
            if as_of > clock.today():
                raise InvalidInput(_("The day the status file speaks for cannot lie in the "
                                     "future."))
            return follow(start_upload_job(IMPORT_JOB, upload, {"as_of": as_of.isoformat()}))
        except WorkflowError as exc:
            refuse(exc)
            if from_script():  # it follows ``location`` whatever the status
                return go_to(url_for(".index"), exc.status)
            return self.render_index(exc.status)

    @expose("/export", methods=("POST",))
    def export(self):
        """The differences with names, NIKs and KPJs, made as a job under the stated
        purpose; the file is recorded as read when its starter takes it."""
        kind = _kind()
        fmt = request.form.get("format", "xlsx")
        try:
            purpose = checked_export(fmt, kind, request.form.get("purpose"),
                                     actor=current_actor())
            return follow(start_job(EXPORT_JOB, {"format": fmt, "kind": kind,
                                                 "purpose": purpose}))
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status)

    @expose("/runs/<int:run_id>/report.csv", methods=("POST",))
    def report(self, run_id: int):
        run = db.session.get(ImportRun, run_id)
        if run is None or run.kind != KIND or not run.error_report:
            abort(404)
        return problem_report_download(run, "laporan-status-bpjs", self.render_index)
