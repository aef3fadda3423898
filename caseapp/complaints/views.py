"""Complaints and objections: the list with the 14-day deadline and the counts of a
period, a complaint's page with the answer form, and the form for a new complaint.

A partner sees and files only those of its scope (404 for the others); it never
answers. Auditors and heads read; the POSTs refuse them with 403 before any form is read.
"""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.scope import scoped_kelurahan_choices, within
from caseapp.complaints.forms import (KIND_LABELS, SHOW_LABELS, STATUS_LABELS, AnswerForm,
                                      ComplaintForm)
from caseapp.extensions import db
from caseapp.refusals import refuse
from models import Complaint, Kelurahan, Role, User, clock
from reports.complaints import LIST_FILTERS, complaint_counts, complaint_list
from workflows.audit.access import record_list_reads, record_read
from workflows.complaints import (answer_complaint, can_answer, can_file, close_complaint,
                                  file_complaint)
from workflows.errors import WorkflowError
from workflows.partners import in_scope

LABELS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "shows": SHOW_LABELS}


def _day_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


class ComplaintsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value, Role.PARTNER.value)

    def _load(self, complaint_id: int) -> Complaint:
        complaint = db.session.get(Complaint, complaint_id)
        if complaint is None or not in_scope(db.session, current_actor(), complaint):
            abort(404)
        return complaint

    @expose("/")
    def index(self):
        today = clock.today()
        shown = request.args.get("show", "open")
        shown = shown if shown in LIST_FILTERS else "open"
        first_day = _day_arg("from", date(today.year, 1, 1))
        last_day = _day_arg("to", today)
        limit = within(Complaint)
        rows = complaint_list(db.session, shown, today=today, within=limit)
        counts = complaint_counts(db.session, first_day, last_day, today=today, within=limit)
        actor = current_actor()
        if rows:  # the list names the complainants: each one shown is a recorded read
            record_list_reads(db.session, actor, "complaints.list", "complaint",
                              [row.complaint.id for row in rows])
        body = self.render("complaints/index.html", rows=rows, shown=shown, counts=counts,
                           first_day=first_day, last_day=last_day, today=today,
                           can_file=can_file(actor), **LABELS)
        db.session.commit()
        return body

    def render_new(self, form: ComplaintForm, status: int = 200):
        return self.render("complaints/new.html", form=form, **LABELS), status

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        if not can_file(current_actor()):
            abort(403)
        form = ComplaintForm()
        form.kelurahan_code.choices = scoped_kelurahan_choices(blank="-")
        if request.method == "GET" or not form.validate_on_submit():
            return self.render_new(form, 200 if request.method == "GET" else 422)
        try:
            complaint = file_complaint(
                db.session, kind=form.kind.data, complainant_name=form.complainant_name.data,
                contact=form.contact.data, nik=form.nik.data,
                kelurahan_code=form.kelurahan_code.data, text=form.text.data,
                application_id=form.application_id.data, received_on=form.received_on.data,
                actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_new(form, exc.status)
        flash(_("Complaint %(number)s was recorded; answer it by %(due)s.",
                number=complaint.number, due=complaint.due_on.strftime("%d-%m-%Y")), "success")
        return redirect(url_for(".detail", complaint_id=complaint.id))

    def render_detail(self, complaint: Complaint, form: AnswerForm | None = None,
                      status: int = 200):
        """The page shows the complainant's data, so each rendering is a read event."""
        actor = current_actor()
        users = dict(db.session.execute(select(User.id, User.full_name).where(
            User.id.in_({complaint.filed_by_id, complaint.answered_by_id}))).all())
        body = self.render("complaints/complaint.html", c=complaint, form=form or AnswerForm(),
                           kelurahan=db.session.get(Kelurahan, complaint.kelurahan_code),
                           users=users, today=clock.today(), can_answer=can_answer(actor),
                           **LABELS)
        record_read(db.session, actor, "complaint.view", entity=complaint)
        db.session.commit()
        return body, status

    @expose("/<int:complaint_id>")
    def detail(self, complaint_id: int):
        return self.render_detail(self._load(complaint_id))

    @expose("/<int:complaint_id>/answer", methods=("POST",))
    def answer(self, complaint_id: int):
        if not can_answer(current_actor()):
            abort(403)
        complaint = self._load(complaint_id)
        form = AnswerForm()
        if not form.validate_on_submit():
            return self.render_detail(complaint, form, 422)
        return self.commit_verb(
            lambda: answer_complaint(db.session, complaint, answer=form.answer.data,
                                     actor=current_actor()),
            refused=lambda status: self.render_detail(self._load(complaint_id), form, status),
            message=_("The answer to complaint %(number)s is recorded.",
                      number=complaint.number),
            location=url_for(".detail", complaint_id=complaint.id))

    @expose("/<int:complaint_id>/close", methods=("POST",))
    def close(self, complaint_id: int):
        if not can_answer(current_actor()):
            abort(403)
        complaint = self._load(complaint_id)
        return self.commit_verb(
            lambda: close_complaint(db.session, complaint, actor=current_actor()),
            refused=lambda status: self.render_detail(self._load(complaint_id), status=status),
            message=_("Complaint %(number)s is closed.", number=complaint.number),
            location=url_for(".detail", complaint_id=complaint.id))
