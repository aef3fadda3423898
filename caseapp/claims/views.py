"""The claims desk: the list with a status filter, recording a claim from a case, the
claim page (documents, steps to BPJS and back, the membership letter) and the payout
register.

Caseworkers record and follow claims up; the head and the auditor read. Every POST is
refused with 403 for them before any form is read, and the verbs check the role again.
The claim page shows the participant's and the heir's data, so each rendering is an
audited read (UU PDP Pasal 31); the list and the register show masked participants.
"""
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp.actor import current_actor
from caseapp.admin.base import SecureView
from caseapp.cases.actions import storage_dir
from caseapp.cases.printouts import send_printout
from caseapp.claims.forms import (LABELS, ClaimForm, DocumentForm, PayoutForm, RejectForm,
                                  SubmitForm)
from caseapp.extensions import db
from caseapp.refusals import refuse
from models import Application, Claim, ClaimDocument, Role, clock
from reports.claims import paid_claims, paid_through, totals
from reports.formatting import masked_name, masked_nik
from workflows.audit.access import record_read
from workflows.claims import (read_claim_document, record_claim, record_payout,
                              record_rejection, store_claim_document, submit_claim)
from workflows.claims.documents import OPEN_STATES, missing_documents
from workflows.claims.recording import may_record
from workflows.claims.rules import cover_end
from workflows.claims.steps import allowed_steps
from workflows.errors import WorkflowError
from workflows.restrictions import processing_restricted

LIST_LIMIT = 200


class ClaimsView(SecureView):
    roles = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)

    def _require_recorder(self) -> None:
        if not may_record(current_actor()):
            abort(403)

    def _load(self, claim_id: int) -> Claim:
        claim = db.session.get(Claim, claim_id)
        if claim is None:
            abort(404)
        return claim

    def _application(self, application_id: int) -> Application:
        application = db.session.get(Application, application_id)
        if application is None:
            abort(404)
        return application

    @expose("/")
    def index(self):
        status = request.args.get("status", "")
        query = (select(Claim).options(joinedload(Claim.application)
                                       .joinedload(Application.worker))
                 .order_by(Claim.id.desc()).limit(LIST_LIMIT))
        if status in LABELS["states"]:
            query = query.where(Claim.state == status)
        claims = db.session.execute(query).scalars().all()
        return self.render("claims/index.html", claims=claims, status=status,
                           masked_name=masked_name, **LABELS)

    def render_new(self, application: Application, form: ClaimForm, status: int = 200):
        return self.render("claims/new.html", application=application, form=form,
                           worker_label=f"{masked_name(application.worker.full_name)} "
                                        f"({masked_nik(application.worker.nik)})",
                           cover_end=cover_end(db.session, application),
                           **LABELS), status

    @expose("/new/<int:application_id>", methods=("GET", "POST"))
    def new(self, application_id: int):
        self._require_recorder()
        application = self._application(application_id)
        form = ClaimForm()
        if request.method == "GET":
            form.kind.data = "jkm" if application.exit_reason == "meninggal" else "jkk"
            return self.render_new(application, form)
        if not form.validate_on_submit():
            return self.render_new(application, form, 422)
        try:
            claim = record_claim(db.session, application, kind=form.kind.data,
                                 event_date=form.event_date.data, event_time=form.event_time.data,
                                 reported_at=form.reported_moment(),
                                 description=form.description.data,
                                 late_reason=form.late_reason.data,
                                 heir_name=form.heir_name.data,
                                 heir_relation=form.heir_relation.data or None,
                                 actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_new(self._application(application_id), form, exc.status)
        flash(_("Claim %(number)s was recorded. Add its documents, then send it to BPJS.",
                number=claim.claim_number), "success")
        return redirect(url_for(".claim", claim_id=claim.id))

    def render_claim(self, claim: Claim, status: int = 200, **forms):
        """Each rendering shows the participant's and the heir's data: a read event."""
        application = claim.application
        actor = current_actor()
        body = self.render(
            "claims/claim.html", claim=claim, application=application,
            worker=application.worker, cover_end=cover_end(db.session, application),
            paid_through=paid_through(db.session, application.id),
            restricted=processing_restricted(db.session, application.worker),
            missing=missing_documents(db.session, claim), steps=allowed_steps(claim),
            can_record=may_record(actor), documents_open=claim.state in OPEN_STATES,
            document_form=forms.get("document_form") or DocumentForm(),
            submit_form=forms.get("submit_form") or SubmitForm(),
            payout_form=forms.get("payout_form") or PayoutForm(),
            reject_form=forms.get("reject_form") or RejectForm(),
            max_mb=current_app.config["MAX_DOCUMENT_BYTES"] // 1_048_576, **LABELS)
        record_read(db.session, actor, "claim.view", entity=claim,
                    detail={"application_id": application.id,
                            "worker_id": application.worker_id})
        db.session.commit()
        return body, status

    @expose("/<int:claim_id>")
    def claim(self, claim_id: int):
        return self.render_claim(self._load(claim_id))

    def _step(self, claim_id: int, form_name: str, form, work, message: str):
        self._require_recorder()
        claim = self._load(claim_id)
        if not form.validate_on_submit():
            return self.render_claim(claim, 422, **{form_name: form})
        return self.commit_verb(
            lambda: work(claim), message=message,
            refused=lambda status: self.render_claim(self._load(claim_id), status,
                                                     **{form_name: form}),
            location=url_for(".claim", claim_id=claim_id))

    @expose("/<int:claim_id>/documents", methods=("POST",))
    def upload(self, claim_id: int):
        form = DocumentForm()
        upload = request.files.get("file")

        def work(claim):
            return store_claim_document(
                db.session, claim, kind=form.kind.data,
                original_name=upload.filename if upload else "",
                data=upload.read() if upload else b"", storage_dir=storage_dir(),
                actor=current_actor(), max_bytes=current_app.config["MAX_DOCUMENT_BYTES"])
        return self._step(claim_id, "document_form", form, work,
                          _("The document was stored."))

    @expose("/<int:claim_id>/documents/<int:claim_document_id>")
    def document(self, claim_id: int, claim_document_id: int):
        document = db.session.get(ClaimDocument, claim_document_id)
        if document is None or document.claim_id != claim_id:
            abort(404)
        try:
            data = read_claim_document(db.session, document, storage_dir=storage_dir(),
                                       actor=current_actor())
            db.session.commit()
        except WorkflowError as exc:
            refuse(exc)
            return self.render_claim(self._load(claim_id), exc.status)
        return send_file(BytesIO(data), mimetype=document.content_type, as_attachment=True,
                         download_name=f"{document.kind}-{document.id}"
                                       f"{Path(document.stored_name).suffix}")

    @expose("/<int:claim_id>/submit", methods=("POST",))
    def submit(self, claim_id: int):
        return self._step(claim_id, "submit_form", SubmitForm(), lambda claim: submit_claim(
            db.session, claim, actor=current_actor()), _("The claim is marked as sent to BPJS."))

    @expose("/<int:claim_id>/pay", methods=("POST",))
    def pay(self, claim_id: int):
        form = PayoutForm()
        return self._step(claim_id, "payout_form", form, lambda claim: record_payout(
            db.session, claim, amount=form.amount.data, paid_on=form.paid_on.data,
            reference=form.reference.data, actor=current_actor()),
            _("The payout is recorded in the register."))

    @expose("/<int:claim_id>/reject", methods=("POST",))
    def reject(self, claim_id: int):
        form = RejectForm()
        return self._step(claim_id, "reject_form", form, lambda claim: record_rejection(
            db.session, claim, reason=form.reason.data, actor=current_actor()),
            _("BPJS's refusal is recorded."))

    @expose("/<int:claim_id>/letter", methods=("POST",))
    def letter(self, claim_id: int):
        """The membership letter for BPJS, made in the request like the case page's
        printouts (caseapp/cases/printouts.py): generated and downloaded, both audited."""
        self._require_recorder()
        claim = self._load(claim_id)
        return send_printout("claim_letter", {"claim_id": claim.id}, lambda status:
                             self.render_claim(self._load(claim_id), status))

    @expose("/register")
    def register(self):
        rows = paid_claims(db.session)
        return self.render("claims/register.html", rows=rows, totals=totals(rows),
                           year=clock.today().year, **LABELS)


def case_claims(application: Application) -> list[Claim]:
    """The claims of a case, for its page (a Jinja global). A claim needs cover, so a
    case that never had a KPJ has none and is not asked (workflows/claims/rules.py)."""
    if not application.kpj:
        return []
    return db.session.execute(select(Claim).where(Claim.application_id == application.id)
                              .order_by(Claim.id)).scalars().all()
