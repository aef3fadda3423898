"""The delivery log of notices to workers (under Membership), the retry of a notice
that was given up, and the consent recorded or withdrawn from the case page."""
from flask import abort, flash, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.arguments import int_arg
from caseapp.extensions import db
from caseapp.jobs.starting import follow, start_job
from caseapp.notices.forms import (CHANNEL_LABELS, SKIP_LABELS, STAGE_LABELS, STATUS_LABELS,
                                   ConfirmForm, ConsentForm, LogFilterForm)
from caseapp.notices.jobs import SEND_JOB
from caseapp.refusals import refuse
from models import Application, Role, User
from models.notice import WorkerNotice
from workflows.errors import WorkflowError
from workflows.notices.consent import consent_history, record_consent, \
    withdraw_consent
from workflows.notices.delivery import retry_notice
from workflows.notices.log import case_notices, log_page, masked_phone

LABELS = {"channels": CHANNEL_LABELS, "stages": STAGE_LABELS, "statuses": STATUS_LABELS,
          "skips": SKIP_LABELS}


def notices_of_case(application: Application) -> dict:
    """What the case page's notices card shows (a Jinja global: caseapp/admin)."""
    history = consent_history(db.session, application.worker_id)
    ids = {c.recorded_by_id for c in history} | {c.withdrawn_by_id for c in history}
    users = dict(db.session.execute(select(User.id, User.username).where(
        User.id.in_(ids))).all()) if history else {}
    return {"consent": next((c for c in history if c.withdrawn_at is None), None),
            "history": history, "users": users,
            "notices": case_notices(db.session, application.id),
            "form": ConsentForm(formdata=None, phone=application.worker.phone),
            "masked": masked_phone, **LABELS}


class NoticesView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)

    @expose("/")
    def index(self):
        form = LogFilterForm(request.args)
        valid = form.validate()
        page = log_page(db.session, status=form.status.data if valid else None,
                        stage=form.stage.data if valid else None,
                        page=int_arg("page", 1, high=100_000))
        filter_args = {name: request.args[name] for name in ("status", "stage")
                       if request.args.get(name)}
        return self.render("notices/log.html", form=form, log=page, filter_args=filter_args,
                           confirm=ConfirmForm(), masked=masked_phone, **LABELS)

    def _case_page(self, application_id: int) -> str:
        return url_for("cases.case", application_id=application_id) + "#notices"

    def _application(self, application_id: int) -> Application:
        if not self.caseworker():
            abort(403)
        application = db.session.get(Application, application_id)
        if application is None:
            abort(404)
        return application

    @staticmethod
    def caseworker() -> bool:
        return current_actor().has_role(Role.CASEWORKER.value)

    def _refused(self, back: str):
        """A refusal's answer: its status, the message (flashed) and the way back."""
        return lambda status: (self.render("notices/refused.html", back=back), status)

    @expose("/case/<int:application_id>/consent", methods=("POST",))
    def consent(self, application_id: int):
        application = self._application(application_id)
        form = ConsentForm()
        back = self._case_page(application_id)
        if not form.validate_on_submit():
            for errors in form.errors.values():
                flash(" ".join(str(e) for e in errors), "error")
            return self.render("notices/refused.html", back=back), 422
        return self.commit_verb(
            lambda: record_consent(db.session, application.worker, channel=form.channel.data,
                                   phone=form.phone.data, actor=current_actor()),
            refused=self._refused(back), location=back,
            message=_("Consent to notices by %(channel)s is recorded.",
                      channel=CHANNEL_LABELS[form.channel.data]))

    @expose("/case/<int:application_id>/consent/withdraw", methods=("POST",))
    def withdraw(self, application_id: int):
        application = self._application(application_id)
        back = self._case_page(application_id)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        return self.commit_verb(
            lambda: withdraw_consent(db.session, application.worker, actor=current_actor()),
            refused=self._refused(back), location=back,
            message=_("Consent to notices is withdrawn; no more notices go to this worker."))

    @expose("/<int:notice_id>/retry", methods=("POST",))
    def retry(self, notice_id: int):
        if not self.caseworker():
            abort(403)
        notice = db.session.get(WorkerNotice, notice_id)
        if notice is None:
            abort(404)
        back = url_for(".index")
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            retry_notice(db.session, notice, actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render("notices/refused.html", back=back), exc.status
        return follow(start_job(SEND_JOB, {"notice_id": notice_id}))
