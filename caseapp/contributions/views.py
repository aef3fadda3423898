"""Contributions and payments: the batches, generating one, recording its SP2D,
reconciling it with the BPJS bill (upload with the import pages' progress bar),
and the participants at or near the 3-month lapse.

Heads, auditors and the admin read; only caseworkers act. The view refuses other
roles with 403 before calling a verb, and the verbs check the role again.
"""
import csv
from collections import Counter
from datetime import date, datetime

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.arguments import int_arg
from caseapp.extensions import db
from caseapp.contributions.jobs import RECONCILE_JOB
from caseapp.jobs.starting import follow, go_to, start_upload_job
from caseapp.refusals import refuse
from models import ImportRun, PaymentBatch, Role, User, clock
from reports.contributions import add_months, batch_month_counts
from reports.formatting import rupiah
from workflows.audit.access import record_read
from workflows.contributions.generation import BLOCKS, generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.reconciliation import DIFFERENCES, KIND
from workflows.contributions.status import lapse_warnings, read_lapse_warnings
from workflows.errors import InvalidInput, WorkflowError

SHOWN = 100
SHOWN_WARNINGS = 1_000  # the page stays usable; the CLI lists everyone
# The listing never loads the reconciliation reports themselves.
_LIST_COLUMNS = (PaymentBatch.id, PaymentBatch.fiscal_year, PaymentBatch.first_month,
                 PaymentBatch.months, PaymentBatch.participant_count, PaymentBatch.total,
                 PaymentBatch.status, PaymentBatch.sp2d_number, PaymentBatch.sp2d_date,
                 PaymentBatch.invoice_number, PaymentBatch.created_at,
                 PaymentBatch.reconciliation_report.is_not(None).label("has_report"))


def _difference_counts(batch: PaymentBatch) -> Counter | None:
    if batch.reconciliation_report is None:
        return None
    return Counter(row["selisih"] for row in csv.DictReader(
        batch.reconciliation_report.splitlines()))


def _require_caseworker() -> None:
    if not current_user.has_role(Role.CASEWORKER):
        abort(403)


class ContributionsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value)

    def render_index(self, status: int = 200):
        batches = db.session.execute(select(*_LIST_COLUMNS).order_by(PaymentBatch.id.desc())
                                     .limit(SHOWN)).all()
        return self.render("contributions/index.html", batches=batches, blocks=BLOCKS,
                           add_months=add_months, month=request.form.get("month") or
                           f"{clock.today():%Y-%m}"), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/generate", methods=("POST",))
    def generate(self):
        _require_caseworker()
        try:
            try:
                first = datetime.strptime(request.form.get("month", ""), "%Y-%m").date()
                months = int(request.form.get("months", "1"))
            except ValueError:
                raise InvalidInput(_("Choose the first month of the block."))
            batch = generate_contributions(db.session, first_month=first, months=months,
                                           actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(exc.status)
        flash(_("Batch %(id)d: %(n)d participants, %(total)s.", id=batch.id,
                n=batch.participant_count, total=rupiah(batch.total)),
              "success")
        return redirect(url_for(".batch", batch_id=batch.id))

    def load_batch(self, batch_id: int) -> PaymentBatch:
        batch = db.session.get(PaymentBatch, batch_id)
        if batch is None:
            abort(404)
        return batch

    def render_batch(self, batch: PaymentBatch, status: int = 200):
        run_id = int_arg("run")
        run = db.session.get(ImportRun, run_id) if run_id else None
        return self.render(
            "contributions/batch.html", batch=batch, counts=batch_month_counts(db.session, batch),
            last_month=add_months(batch.first_month, batch.months - 1),
            run=run if run is not None and run.kind == KIND else None,
            creator=db.session.get(User, batch.created_by_id) if batch.created_by_id else None,
            differences=_difference_counts(batch), labels=DIFFERENCES, today=clock.today()), status

    @expose("/batches/<int:batch_id>")
    def batch(self, batch_id: int):
        return self.render_batch(self.load_batch(batch_id))

    @expose("/batches/<int:batch_id>/pay", methods=("POST",))
    def pay(self, batch_id: int):
        _require_caseworker()
        batch = self.load_batch(batch_id)
        try:
            try:
                sp2d_date = date.fromisoformat(request.form.get("sp2d_date", ""))
            except ValueError:
                raise InvalidInput(_("The SP2D date is not valid."))
            record_payment(db.session, batch, sp2d_number=request.form.get("sp2d_number", ""),
                           sp2d_date=sp2d_date,
                           invoice_number=request.form.get("invoice_number", ""),
                           actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_batch(self.load_batch(batch_id), exc.status)
        flash(_("Batch %(id)d is recorded as paid under SP2D %(sp2d)s.", id=batch.id,
                sp2d=batch.sp2d_number), "success")
        return redirect(url_for(".batch", batch_id=batch.id))

    @expose("/batches/<int:batch_id>/reconcile", methods=("POST",))
    def reconcile(self, batch_id: int):
        """Keep the BPJS bill and start a job; its page follows the work and brings the
        caseworker back to the batch with the result."""
        _require_caseworker()
        self.load_batch(batch_id)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to upload."), "error")
            return go_to(url_for(".batch", batch_id=batch_id))
        return follow(start_upload_job(RECONCILE_JOB, upload, {"batch_id": batch_id}))

    @expose("/batches/<int:batch_id>/reconciliation.csv", methods=("POST",))
    def report(self, batch_id: int):
        """The report lists participants' NIKs and KPJs: a bulk read of personal data,
        so a POST with a stated purpose kept in the audit log."""
        batch = self.load_batch(batch_id)
        if not batch.reconciliation_report:
            abort(404)
        try:
            record_read(db.session, current_actor(), "contributions.report_download",
                        entity=batch, purpose=request.form.get("purpose"), bulk=True)
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_batch(self.load_batch(batch_id), exc.status)
        # A BOM so Excel opens the UTF-8 report with the right characters.
        return Response("\ufeff" + batch.reconciliation_report, mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=rekonsiliasi-iuran-{batch.id}.csv"})

    @expose("/lapse", methods=("GET", "POST"))
    def lapse(self):
        """How many are at or near the lapse; their names, NIKs and KPJs only after a
        stated purpose (POST), each one listed an audited read."""
        today, status, warnings = clock.today(), 200, None
        if request.method == "POST":
            try:
                warnings, total = read_lapse_warnings(
                    db.session, today, actor=current_actor(),
                    purpose=request.form.get("purpose"), limit=SHOWN_WARNINGS)
                db.session.commit()
            except WorkflowError as exc:
                refuse(exc)
                status = exc.status
        if warnings is None:
            found = lapse_warnings(db.session, today)
            total, lapsed = len(found), sum(w.lapsed for w in found)
        else:
            lapsed = None
        return self.render("contributions/lapse.html", warnings=warnings, total=total,
                           lapsed=lapsed, today=today), status

