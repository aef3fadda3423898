"""Upload pages for data aktual (DTSEN), other payers' lists and intake proposals."""
import re
from datetime import date

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.extensions import db
from caseapp.imports import progress
from caseapp.imports.problem_report import problem_report_download
from caseapp.refusals import refuse
from models import ImportRun, Role, User, clock
from workflows.budget import decision_year
from workflows.errors import InvalidInput, WorkflowError
from workflows.imports.datasets import import_dtsen, import_participants
from workflows.imports.intake import import_intake

_TOKEN = re.compile(r"^[a-f0-9-]{8,64}$")
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

    @expose("/progress/<token>")
    def poll(self, token: str):
        return jsonify(rows=progress.rows_done(token) if _TOKEN.match(token) else None)

    @expose("/<kind>", methods=("POST",))
    def upload(self, kind: str):
        if kind not in KINDS:
            abort(404)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to upload."), "error")
            return self._done(url_for(".index"))
        token = request.form.get("token", "")
        track = (lambda rows: progress.update(token, rows)) if _TOKEN.match(token) else None
        try:
            result = self._run(kind, upload, track)
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self._done(url_for(".index"))
        run = result.run
        if result.duplicate_file:
            flash(_("This file was already imported as run %(id)s; nothing changed.", id=run.id),
                  "info")
        elif run.status == "applied":
            flash(_("Imported %(rows)d rows as run %(id)s.", rows=run.row_count, id=run.id),
                  "success")
        else:
            flash(_("Nothing was imported: %(n)d problems. Download the report of run %(id)s.",
                    n=run.error_count, id=run.id), "error")
        return self._done(url_for(".index", run=run.id))

    def _done(self, location: str):
        """Redirect a form post; tell the page's script where to go (so the flashed
        message is not used up by the script's own request)."""
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return jsonify(location=location)
        return redirect(location)

    def _run(self, kind: str, upload, track):
        actor = current_actor()
        try:
            year = int(request.form.get("year") or decision_year(clock.today()))
            as_of = date.fromisoformat(request.form.get("as_of") or clock.today().isoformat())
        except ValueError:
            raise InvalidInput(_("The date or year is not valid."))
        # Nothing is written yet: end the transaction that loaded the user, so the verb
        # reads the file before it takes SQLite's write lock (caseapp/database.py).
        db.session.commit()
        if kind == "intake":
            return import_intake(db.session, upload.stream, file_name=upload.filename,
                                 channel=request.form.get("channel", "kelurahan"),
                                 program_year=year, actor=actor, progress=track)
        verb = import_dtsen if kind == "dtsen" else import_participants
        return verb(db.session, upload.stream, file_name=upload.filename, as_of=as_of,
                    actor=actor, progress=track)

    @expose("/<int:run_id>/report.csv", methods=("POST",))
    def report(self, run_id: int):
        """The problem report quotes the rows' values (NIKs, names): a bulk read of
        personal data, so a POST with a stated purpose kept in the audit log."""
        run = db.session.get(ImportRun, run_id)
        if run is None or not run.error_report:
            abort(404)
        return problem_report_download(run, "laporan-impor", self.render_index)
