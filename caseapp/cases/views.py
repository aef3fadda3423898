"""Intake, the verification worklist and the case page (Flask-Admin pages)."""
from dataclasses import replace

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.actions import CORRECTION_ARG, CaseActionsMixin
from caseapp.cases.printouts import CasePrintoutsMixin
from caseapp.cases import labels, worklists
from caseapp.cases.forms import (UPLOAD_PREFIX, IntakeForm, ResolveForm,
                                 WorklistFilterForm, kecamatan_names)
from caseapp.cases.scope import current_scope, scoped_kelurahan_choices, within
from caseapp.exits.case import exit_facts
from caseapp.extensions import db
from caseapp.i18n import translated
from caseapp.refusals import refuse
from models import Application, Kelurahan, Role, Worker, clock
from reports.case_file import load_case_file
from reports.remembered import reads_remembered
from reports.contributions import participant_months
from reports.worklist import WorklistFilter, worklist_page
from workflows.audit.access import record_read
from workflows.documents import EDITABLE_STATES, required_checklist
from workflows.errors import WorkflowError
from workflows.identity import check_identity
from workflows.intake import AlreadyRegistered, open_application, register_worker
from workflows.notices.consent import record_consent
from workflows.partners import in_scope
from workflows.states import STATE_LABELS, TRANSITIONS, availability
from workflows.restrictions import processing_restricted
from workflows.worker_corrections import can_correct


# What every case page shows beside the application, read with it (issue 16). Only for
# showing: SQLAlchemy keeps an object's load options for its later refreshes, and a
# verb's FOR UPDATE cannot lock the outer-joined side.
CASE_PAGE_LOADS = (joinedload(Application.worker).joinedload(Worker.kelurahan)
                   .joinedload(Kelurahan.kecamatan), joinedload(Application.decree))


class CasesView(CaseActionsMixin, CasePrintoutsMixin, SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value, Role.PARTNER.value)

    def load_application(self, application_id: int, options=()) -> Application:
        """The case, or 404: also for a partner when it lies outside its scope (the
        partner learns nothing of cases it does not cover, not even that they exist)."""
        application = db.session.get(Application, application_id, options=options)
        if application is None or not in_scope(db.session, current_actor(), application):
            abort(404)
        return application

    @expose("/")
    def index(self):
        form = WorklistFilterForm(request.args)
        form.kecamatan.choices = [("", _("All"))] + list(kecamatan_names().items())
        form.kelurahan.choices = scoped_kelurahan_choices(blank=_("All"))
        filters = WorklistFilter()
        if form.validate():
            filters = worklists.chosen_filter(form, current_user.id, clock.today())
        filters = replace(filters, within=within(Application))
        rows, next_cursor = worklist_page(db.session, filters, after=request.args.get("after"))
        filter_args = {name: request.args[name] for name in form._fields
                       if request.args.get(name)}
        return self.render("cases/worklist.html", form=form, rows=rows, next_cursor=next_cursor,
                           categories=translated(labels.CATEGORY_LABELS),
                           filter_args=filter_args, states=translated(STATE_LABELS),
                           tabs=worklists.tabs(),
                           verification=filters.verification)

    @expose("/new", methods=("GET", "POST"))
    def intake(self):
        if not current_user.has_role(Role.CASEWORKER, Role.PARTNER):
            abort(403)
        form = IntakeForm()
        form.kelurahan_code.choices = scoped_kelurahan_choices()
        scope = current_scope()
        if scope is not None:  # a partner's channel and office come from its scope
            del form.intake_channel, form.partner_office
        if form.validate_on_submit():
            data = {name: field.data for name, field in form._fields.items()
                    if name not in ("csrf_token", "intake_channel", "program_year",
                                    "partner_office", "notice_channel")}
            data["nik"], data["kk_number"] = data["nik"].strip(), data["kk_number"].strip()
            try:
                actor = current_actor()
                worker = register_worker(db.session, actor=actor, **data)
                application = open_application(db.session, worker,
                                               program_year=form.program_year.data,
                                               intake_channel=scope.channel if scope
                                               else form.intake_channel.data,
                                               partner_office=None if scope
                                               else form.partner_office.data,
                                               actor=actor)
                if form.notice_channel.data:  # "Bersedia menerima pemberitahuan": yes, by ...
                    record_consent(db.session, worker, channel=form.notice_channel.data,
                                   phone=form.phone.data, actor=actor)
                db.session.commit()
            except WorkflowError as exc:
                refuse(exc)
                existing = exc.application_id if isinstance(exc, AlreadyRegistered) else None
                return self.render("cases/intake.html", form=form, partner_scope=scope,
                                   existing_application=existing), exc.status
            flash(_("Application %(id)s was saved as a draft. Add the documents, then submit.",
                    id=application.id), "success")
            return redirect(url_for(".case", application_id=application.id))
        return self.render("cases/intake.html", form=form, partner_scope=scope)

    def _case_page(self, application: Application) -> str:
        case_file = load_case_file(db.session, application)
        worker = application.worker
        actor = current_actor()
        actions = {name: availability(application, name, actor)
                   for name in labels.STEP_LABELS}
        checklist = (required_checklist(db.session, application)
                     if application.state in TRANSITIONS["submit"].sources else None)
        return self.render(
            "cases/case.html", case=case_file, application=application, worker=worker,
            identity=check_identity(worker.nik, worker.kk_number, worker.birth_date, worker.sex),
            upload_prefix=UPLOAD_PREFIX,
            uploading=application.state in EDITABLE_STATES and actor.has_role(Role.CASEWORKER),
            resolve_form=ResolveForm(),
            actions=actions, checklist=checklist, states=STATE_LABELS, labels=labels,
            today=clock.today(),
            max_mb=current_app.config["MAX_DOCUMENT_BYTES"] // 1_048_576,
            contributions=participant_months(db.session, application),
            restricted=processing_restricted(db.session, worker),
            may_correct=can_correct(actor), correction=self.asked_correction_form(application),
            correction_arg=CORRECTION_ARG,
            exit_facts=exit_facts(db.session, application))

    def render_case(self, application: Application, status: int = 200):
        """Every rendering shows the worker's personal data, so each one is a read event
        (UU PDP Pasal 31), also the page shown again after a refused action. The cards
        and the steps' guards ask some things alike: asked once (reports/remembered.py)."""
        with reads_remembered(db.session):
            body = self._case_page(application)
        actor = current_actor()
        record_read(db.session, actor, "application.view", entity=application,
                    detail={"worker_id": application.worker_id})
        db.session.commit()
        return body, status

    @expose("/<int:application_id>")
    def case(self, application_id: int):
        return self.render_case(self.load_application(application_id, CASE_PAGE_LOADS))
