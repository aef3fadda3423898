"""Following a job: its page with a progress bar, the status the bar polls, and the
list of one's jobs.

A job is shown only to the person who started it (scheduled jobs to staff who
hold a role): its outcome may name runs and counts of their work. Once it has
ended, its page hands over to the page of the result, with the outcome as the
flashed message there, so an upload ends where it always did.
"""
from flask import abort, current_app, flash, jsonify, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from caseapp.admin.base import OwnPagesView
from caseapp.extensions import db
from caseapp.jobs import progress
from caseapp.jobs.kinds import kind_of
from models import Job
from workflows.jobs import Outcome

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
        return self.render("jobs/show.html", job=job, outcome=outcome,
                           outcome_text=outcome_text)

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
