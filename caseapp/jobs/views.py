"""Following a job: its page with a progress bar, the status the bar polls, the file
it made, and the list of one's jobs.

A job is shown only to the person who started it (scheduled jobs to staff who
hold a role): its outcome may name runs and counts of their work. Once it has
ended, its page hands over to the page of the result, with the outcome as the
flashed message there, so an upload ends where it always did. A job that made a
file (a report, an evidence pack) stays on its page, which offers the file and
fetches it at once (static/js/job.js); the file is given once, to its starter only.
"""
from flask import abort, current_app, flash, jsonify, redirect, send_file, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from caseapp.actor import current_actor
from caseapp.admin.base import OwnPagesView
from caseapp.extensions import db
from caseapp.jobs import files, progress
from caseapp.jobs.kinds import kind_of
from caseapp.refusals import refuse
from models import Job
from workflows.errors import WorkflowError
from workflows.jobs import Outcome, take_job_output
from workflows.messages import lazy_gettext as _l

_ENDED = ("done", "failed")


class JobsView(OwnPagesView):
    """For every signed-in user; reached from an upload or another long task."""

    @expose("/")
    def index(self):
        jobs = db.session.execute(
            select(Job).where(or_(Job.started_by_id == current_user.id,
                                  Job.started_by_id.is_(None)))
            .order_by(Job.id.desc()).limit(50)).scalars().all()
        return self.render("jobs/index.html", jobs=jobs, outcome_text=outcome_text,
                           outcome_of=Outcome.from_json, status_labels=status_labels(),
                           kind_label=lambda kind: kind_of(kind).label)

    @expose("/<int:job_id>")
    def show(self, job_id: int):
        job = _own(job_id)
        outcome = Outcome.from_json(job.outcome)
        if job.status in _ENDED and outcome.target:
            flash(outcome_text(outcome), outcome.category)
            endpoint, values = outcome.target
            return redirect(url_for(endpoint, **values))
        return self.render_show(job)

    def render_show(self, job: Job, status: int = 200):
        kind = kind_of(job.kind)
        return self.render("jobs/show.html", job=job, outcome=Outcome.from_json(job.outcome),
                           outcome_text=outcome_text, counts=kind.counts,
                           file_kept=bool(job.output_file) and files.exists(job.output_file)
                           ), status

    @expose("/<int:job_id>/file", methods=("POST",))
    def download(self, job_id: int):
        """The file, once: the row forgets it and its kind's event records it leaving,
        committed before it is sent; then it is removed (the open file still reads)."""
        job = db.session.get(Job, job_id)
        if job is None or job.started_by_id is None or job.started_by_id != current_user.id \
                or job.output_name is None:
            abort(404)
        try:
            kind = kind_of(job.kind)
            name = take_job_output(db.session, job, actor=current_actor(), roles=kind.roles,
                                   record_taken=kind.downloaded)
            stream = _open_kept(name)
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_show(db.session.get(Job, job_id), exc.status)
        files.remove(name)
        return send_file(stream, mimetype=job.output_mimetype, as_attachment=True,
                         download_name=job.output_name, max_age=0, etag=False,
                         last_modified=None)

    @expose("/<int:job_id>/status")
    def status(self, job_id: int):
        job = _own(job_id)
        done = progress.read(_queue(), job.id) or {}
        return jsonify(status=job.status, ended=job.status in _ENDED, done=done.get("done"),
                       total=done.get("total"), location=url_for(".show", job_id=job.id))


def status_labels() -> dict:
    return {"queued": _("waiting"), "running": _("running"), "done": _("done"),
            "failed": _("failed")}


def outcome_text(outcome: Outcome | None) -> str:
    if outcome is None:
        return ""
    return _(outcome.message, **outcome.args) if outcome.args else _(outcome.message)


class FileGone(WorkflowError):
    status = 410


def _open_kept(name: str):
    try:
        return files.path_of(name).open("rb")
    except FileNotFoundError:
        raise FileGone(_l("This file is no longer kept: made files wait a day for their "
                          "reader. Generate it again."))


def _own(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.started_by_id != current_user.id and not (
            job.started_by_id is None and current_user.role_names):
        abort(404)  # not "forbidden": whose jobs exist is not for others to learn
    return job


def _queue():
    return current_app.extensions["caseapp_jobs"].huey
