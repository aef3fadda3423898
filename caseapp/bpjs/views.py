"""BPJS registration: the batches (files, hashes, mark sent, cancel), a new batch for
a year, and BPJS's reply uploaded with the import pages' progress bar.

Every POST calls one verb and commits once; the verbs check the roles, so the page
can be read by heads, auditors and the admin while only caseworkers act. The batch
files and reply reports list personal data: downloading one is a POST with a stated
purpose, recorded in the audit log.
"""
from collections import defaultdict
from io import BytesIO

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView, chosen_year
from caseapp.extensions import db
from caseapp.bpjs.jobs import REPLY_JOB
from caseapp.imports.problem_report import problem_report_download
from caseapp.jobs.starting import follow, from_script, go_to, start_upload_job
from caseapp.refusals import refuse
from models import Application, ImportRun, RegistrationBatch, Role, User, clock
from workflows.bpjs.registration import (FORMATS, READ_ROLES, STATUS_LABELS, batch_file,
                                         cancel_registration_batch, create_registration_batch,
                                         mark_batch_sent, waiting_counts)
from workflows.bpjs.columns import coverage_start
from workflows.bpjs.responses import KIND
from workflows.errors import InvalidInput, WorkflowError
from workflows.states import STATE_LABELS

SHOWN = 50
_MIME = {"csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# The listing never loads the stored files themselves.
_BATCH_COLUMNS = (RegistrationBatch.id, RegistrationBatch.batch_number,
                  RegistrationBatch.fiscal_year, RegistrationBatch.status,
                  RegistrationBatch.row_count, RegistrationBatch.csv_sha256,
                  RegistrationBatch.xlsx_sha256, RegistrationBatch.created_at,
                  RegistrationBatch.created_by_id, RegistrationBatch.sent_at,
                  RegistrationBatch.cancel_reason)


def _year() -> int:
    return chosen_year(clock.today().year)


class BpjsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value)

    def render_index(self, status: int = 200):
        year = _year()
        batches = db.session.execute(select(*_BATCH_COLUMNS).order_by(
            RegistrationBatch.id.desc()).limit(SHOWN)).all()
        states = defaultdict(dict)
        for batch_id, state, count in db.session.execute(
                select(Application.registration_batch_id, Application.state, func.count())
                .where(Application.registration_batch_id.in_([b.id for b in batches]))
                .group_by(Application.registration_batch_id, Application.state)):
            states[batch_id][state] = count
        runs = db.session.execute(select(ImportRun).where(ImportRun.kind == KIND)
                                  .order_by(ImportRun.id.desc()).limit(20)).scalars().all()
        users = dict(db.session.execute(select(User.id, User.full_name)).all())
        waiting, held_back = waiting_counts(db.session, year)
        return self.render("bpjs/index.html", year=year, batches=batches, states=states,
                           waiting=waiting, held_back=held_back, runs=runs, users=users,
                           start=coverage_start(clock.today(), year),
                           status_labels=STATUS_LABELS, state_labels=STATE_LABELS,
                           can_read_files=current_user.has_role(*READ_ROLES)), status

    @expose("/")
    def index(self):
        return self.render_index()

    def _batch(self, batch_id: int) -> RegistrationBatch:
        batch = db.session.get(RegistrationBatch, batch_id)
        if batch is None:
            abort(404)
        return batch

    def _act(self, work, success):
        return self.commit_verb(work, refused=self.render_index, message=success,
                                location=url_for(".index", year=_year()))

    @expose("/batches", methods=("POST",))
    def create(self):
        def work():
            batch = create_registration_batch(db.session, fiscal_year=_year(),
                                              actor=current_actor())
            # Whatever approved case the batch did not take, it held back.
            return batch, waiting_counts(db.session, batch.fiscal_year)[1]

        def success(result):
            batch, held_back = result
            message = _("Batch %(number)s holds %(rows)d applications. Download the file, "
                        "hand it to BPJS, then mark the batch as sent.",
                        number=batch.batch_number, rows=batch.row_count)
            if held_back:
                message += " " + _("%(n)d approved applications were held back because "
                                   "their workers restricted processing (UU PDP).",
                                   n=held_back)
            return message
        return self._act(work, success)

    @expose("/batches/<int:batch_id>/sent", methods=("POST",))
    def sent(self, batch_id: int):
        batch = self._batch(batch_id)
        return self._act(lambda: mark_batch_sent(db.session, batch, actor=current_actor()),
                         _("Batch %(number)s is marked as sent to BPJS.",
                           number=batch.batch_number))

    @expose("/batches/<int:batch_id>/cancel", methods=("POST",))
    def cancel(self, batch_id: int):
        batch = self._batch(batch_id)
        return self._act(lambda: cancel_registration_batch(
            db.session, batch, reason=request.form.get("reason", ""), actor=current_actor()),
            _("Batch %(number)s is cancelled; its applications are approved again.",
              number=batch.batch_number))

    @expose("/batches/<int:batch_id>/<file_format>", methods=("POST",))
    def download(self, batch_id: int, file_format: str):
        if file_format not in FORMATS:
            abort(404)
        batch = self._batch(batch_id)
        try:
            data = batch_file(db.session, batch, file_format, actor=current_actor(),
                              purpose=request.form.get("purpose"))
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status)
        return send_file(BytesIO(data), mimetype=_MIME[file_format], as_attachment=True,
                         download_name=f"{batch.batch_number}.{file_format}")

    @expose("/responses", methods=("POST",))
    def upload(self):
        """Keep BPJS's reply and start a job; its page follows the work and brings the
        caseworker back here with the result."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            refuse(InvalidInput(_("Choose a file to upload.")))
            if from_script():  # it follows ``location`` whatever the status
                return go_to(url_for(".index", year=_year()), 422)
            return self.render_index(422)
        return follow(start_upload_job(REPLY_JOB, upload, {"year": _year()}))

    @expose("/responses/<int:run_id>/report.csv", methods=("POST",))
    def report(self, run_id: int):
        if not current_user.has_role(*READ_ROLES):
            abort(403)  # the report quotes NIKs and KPJs
        run = db.session.get(ImportRun, run_id)
        if run is None or run.kind != KIND or not run.error_report:
            abort(404)
        return problem_report_download(run, "laporan-balasan-bpjs", self.render_index)
