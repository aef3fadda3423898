"""Data subject requests (UU PDP): the list with deadlines, recording a request,
answering it and, for an access request, downloading the export.

Auditors see everything here and change nothing: the POSTs are refused with 403
before any form is read, and the verbs check the role again.
"""
from io import BytesIO

from flask import abort, flash, redirect, send_file, url_for
from flask_admin import expose
from flask_babel import format_datetime, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.actions import storage_dir
from caseapp.extensions import db
from caseapp.privacy.forms import (CHANNEL_LABELS, KIND_LABELS, STATE_LABELS, LiftForm,
                                   RequestForm, ResolveForm)
from caseapp.refusals import refuse
from models import Application, DataSubjectRequest, Role, User, clock
from workflows.audit.access import record_read
from workflows.errors import WorkflowError
from workflows.restrictions import processing_restricted
from workflows.subject_requests import (can_handle, export_subject_data, lift_restriction,
                                        record_request, resolve_request, subject_worker)

CLOSED_SHOWN = 50
LABELS = {"kinds": KIND_LABELS, "states": STATE_LABELS, "channels": CHANNEL_LABELS}


class PrivacyView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)

    def _require_handler(self) -> None:
        if not can_handle(current_actor()):
            abort(403)

    def _load(self, request_id: int) -> DataSubjectRequest:
        request = db.session.get(DataSubjectRequest, request_id)
        if request is None:
            abort(404)
        return request

    def _users(self) -> dict[int, str]:
        return dict(db.session.execute(select(User.id, User.full_name)).all())

    def render_index(self, form: RequestForm | None = None, status: int = 200):
        base = select(DataSubjectRequest).options(joinedload(DataSubjectRequest.worker))
        open_requests = db.session.execute(base.where(DataSubjectRequest.state == "open")
                                           .order_by(DataSubjectRequest.due_at)).scalars().all()
        closed = db.session.execute(base.where(DataSubjectRequest.state != "open")
                                    .order_by(DataSubjectRequest.resolved_at.desc())
                                    .limit(CLOSED_SHOWN)).scalars().all()
        return self.render("privacy/index.html", open_requests=open_requests, closed=closed,
                           form=form or RequestForm(), can_handle=can_handle(current_actor()),
                           now=clock.now(), **LABELS), status

    @expose("/")
    def index(self):
        return self.render_index()

    @expose("/new", methods=("POST",))
    def record(self):
        self._require_handler()
        form = RequestForm()
        if not form.validate_on_submit():
            return self.render_index(form, 422)
        try:
            request = record_request(db.session, nik=form.nik.data, kind=form.kind.data,
                                     requester_name=form.requester_name.data,
                                     channel=form.channel.data,
                                     description=form.description.data,
                                     received_at=form.received_moment(), actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_index(form, exc.status)
        flash(_("Request %(id)s was recorded; answer it by %(due)s WIB.", id=request.id,
                due=format_datetime(request.due_at, "dd MMM yyyy HH:mm")),
              "success")
        return redirect(url_for(".detail", request_id=request.id))

    def render_detail(self, request: DataSubjectRequest, form: ResolveForm | None = None,
                      status: int = 200, lift_form: LiftForm | None = None):
        """Every rendering shows the subject's and the requester's data, so each one is
        a read event (UU PDP Pasal 31), also the page shown again after a refused action."""
        worker = subject_worker(db.session, request)
        applications = [] if worker is None else db.session.execute(
            select(Application.id, Application.program_year)
            .where(Application.worker_id == worker.id).order_by(Application.id)).all()
        actor = current_actor()
        body = self.render("privacy/request.html", request_row=request, worker=worker,
                           applications=applications,
                           restricted=processing_restricted(db.session, worker,
                                                            nik=request.nik),
                           form=form or ResolveForm(), lift_form=lift_form or LiftForm(),
                           can_handle=can_handle(actor), users=self._users(), now=clock.now(),
                           **LABELS)
        record_read(db.session, actor, "subject_request.view", entity=request,
                    detail={"worker_id": None if worker is None else worker.id})
        db.session.commit()
        return body, status

    @expose("/<int:request_id>")
    def detail(self, request_id: int):
        return self.render_detail(self._load(request_id))

    @expose("/<int:request_id>/resolve", methods=("POST",))
    def resolve(self, request_id: int):
        self._require_handler()
        request = self._load(request_id)
        form = ResolveForm()
        if not form.validate_on_submit():
            return self.render_detail(request, form, 422)
        try:
            resolve_request(db.session, request, outcome=form.outcome.data,
                            note=form.note.data, actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_detail(self._load(request_id), form, exc.status)
        flash(_("Request %(id)s is closed as %(state)s.", id=request.id,
                state=STATE_LABELS[request.state]), "success")
        return redirect(url_for(".detail", request_id=request.id))

    @expose("/<int:request_id>/lift", methods=("POST",))
    def lift(self, request_id: int):
        self._require_handler()
        request = self._load(request_id)
        form = LiftForm()
        if not form.validate_on_submit():
            return self.render_detail(request, status=422, lift_form=form)
        try:
            lift_restriction(db.session, request, note=form.note.data, actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_detail(self._load(request_id), status=exc.status, lift_form=form)
        flash(_("The restriction of request %(id)s is lifted; processing may resume.",
                id=request.id), "success")
        return redirect(url_for(".detail", request_id=request.id))

    @expose("/<int:request_id>/export", methods=("POST",))
    def export(self, request_id: int):
        self._require_handler()
        request = self._load(request_id)
        try:
            export = export_subject_data(db.session, request, storage_dir=storage_dir(),
                                         actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_detail(self._load(request_id), status=exc.status)
        return send_file(BytesIO(export.content), mimetype="application/zip",
                         as_attachment=True, download_name=export.file_name,
                         max_age=0, etag=False, last_modified=None)
