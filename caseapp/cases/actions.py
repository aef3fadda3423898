"""The case page's POST actions: each calls one workflow verb, commits once, and
answers a refusal with the case page, the message and the refusal's status code."""
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext as _, ngettext

from caseapp.actor import current_actor
from caseapp.cases.forms import UPLOAD_PREFIX, WorkerCorrectionForm, kelurahan_choices
from caseapp.cases.labels import RULE_LABELS
from caseapp.exits.case import ended_message, terminate_posted
from caseapp.extensions import db
from models import Document, DuplicateFlag, EligibilityEvaluation
from workflows.approval import decline_application, send_back_application
from workflows.documents import read_document, store_documents
from workflows.duplicates import resolve_duplicate
from workflows.eligibility import REEVALUATE_STATES, reevaluate_application
from workflows.errors import InvalidInput
from workflows.states import TRANSITIONS
from workflows.verification import (reject_application, return_application,
                                    submit_application, verify_application)
from workflows.worker_corrections import (EDITABLE_FIELDS, can_correct, correct_worker,
                                          correctable_fields, require_corrector)


def storage_dir() -> Path:
    return Path(current_app.config["DOCUMENT_DIR"])


def submitted_message(evaluation: EligibilityEvaluation) -> str:
    """The submit's flash names the eligibility result: a case that fails the check is
    submitted all the same, and must not read as a plain success."""
    if evaluation.eligible:
        return _("Application #%(id)s submitted; eligibility check: eligible.",
                 id=evaluation.application_id)
    return _("Application #%(id)s submitted; eligibility check: not eligible. Not met: "
             "%(rules)s.", id=evaluation.application_id,
             rules="; ".join(str(RULE_LABELS.get(rule, rule))
                             for rule in evaluation.failed_rules))

# The case page's query argument that asks for the correction form (?koreksi=1).
CORRECTION_ARG = "koreksi"


class CaseActionsMixin:
    def _act(self, application_id: int, work, success, category="success"):
        application = self.load_application(application_id)
        return self.commit_verb(
            lambda: work(application), message=success, category=category,
            refused=lambda status: self.render_case(self.load_application(application_id),
                                                    status),
            location=url_for(".case", application_id=application_id))

    def _reason(self) -> str:
        return request.form.get("reason", "")

    @expose("/<int:application_id>/submit", methods=("POST",))
    def submit(self, application_id: int):
        return self._act(application_id, lambda a: submit_application(
            db.session, a, actor=current_actor()), submitted_message,
            category=lambda evaluation: "success" if evaluation.eligible else "warning")

    @expose("/<int:application_id>/verify", methods=("POST",))
    def verify(self, application_id: int):
        return self._act(application_id, lambda a: verify_application(
            db.session, a, actor=current_actor()), _("The application was verified."))

    @expose("/<int:application_id>/return", methods=("POST",))
    def return_for_correction(self, application_id: int):
        return self._act(application_id, lambda a: return_application(
            db.session, a, actor=current_actor(), reason=self._reason()),
            _("The application was returned for correction."))

    @expose("/<int:application_id>/reject", methods=("POST",))
    def reject(self, application_id: int):
        return self._act(application_id, lambda a: reject_application(
            db.session, a, actor=current_actor(), reason=self._reason()),
            _("The application was rejected."))

    @expose("/<int:application_id>/decline", methods=("POST",))
    def decline(self, application_id: int):
        return self._act(application_id, lambda a: decline_application(
            db.session, a, actor=current_actor(), reason=self._reason()),
            _("The application was declined."))

    @expose("/<int:application_id>/send_back", methods=("POST",))
    def send_back(self, application_id: int):
        return self._act(application_id, lambda a: send_back_application(
            db.session, a, actor=current_actor(), reason=self._reason()),
            _("The application was sent back to verification."))

    @expose("/<int:application_id>/terminate", methods=("POST",))
    def terminate(self, application_id: int):
        return self._act(application_id, lambda a: terminate_posted(
            db.session, a, request.form, actor=current_actor()),
            lambda released: ended_message(db.session, application_id, released))

    @expose("/<int:application_id>/reevaluate", methods=("POST",))
    def reevaluate(self, application_id: int):
        return self._act(application_id, lambda a: reevaluate_application(
            db.session, a, actor=current_actor(), reason=self._reason()),
            _("Eligibility was evaluated again."))

    def worker_correction_form(self, application) -> WorkerCorrectionForm | None:
        """The correction card's form (``asked_correction_form``), for those who may
        correct: the worker's data, or after a refused correction what
        was posted, with its errors. Only the fields the state allows are offered."""
        if not can_correct(current_actor()):
            return None
        worker = application.worker
        posted = request.endpoint == f"{self.endpoint}.worker_correction"
        form = WorkerCorrectionForm() if posted else WorkerCorrectionForm(formdata=None,
                                                                          obj=worker)
        form.kelurahan_code.choices = kelurahan_choices()
        form.correctable = correctable_fields(db.session, worker)
        form.frozen = tuple(form[name].label.text for name in EDITABLE_FIELDS
                            if name not in form.correctable)
        if posted:
            for name in EDITABLE_FIELDS:
                if name not in request.form:  # not offered: the verb never sees it
                    del form[name]
            form.validate()
        return form

    def asked_correction_form(self, application) -> WorkerCorrectionForm | None:
        """The correction form when it is asked for (the card's link, or a refused
        correction shown again); otherwise the card offers only the link: corrections
        are rare, and building and rendering the form's fields cost about a sixth of
        every case page (issue 16)."""
        asked = (request.args.get(CORRECTION_ARG) == "1"
                 or request.endpoint == f"{self.endpoint}.worker_correction")
        return self.worker_correction_form(application) if asked else None

    @staticmethod
    def _eligibility_hint(application) -> str | None:
        """The evaluation shown predates the correction; say how to get a new one."""
        if application.state in REEVALUATE_STATES:
            return _("Eligibility depends on the corrected data: evaluate it again (the "
                     "evaluation shown is from before the correction).")
        if application.state in TRANSITIONS["send_back"].sources:
            return _("Eligibility depends on the corrected data and the application was "
                     "verified on an evaluation from before the correction: the head can "
                     "send it back to verification to evaluate it again.")
        return None

    @expose("/<int:application_id>/worker_correction", methods=("POST",))
    def worker_correction(self, application_id: int):
        hints = []

        def work(application):
            actor = current_actor()
            require_corrector(actor)  # before the form: the role is refused, not the input
            form = self.worker_correction_form(application)
            if form.errors:
                raise InvalidInput(_("Check the marked fields of the correction."))
            correction = correct_worker(
                db.session, application.worker, reason=form.reason.data, actor=actor,
                changes={name: form[name].data for name in EDITABLE_FIELDS if name in form})
            if correction.affects_eligibility:
                hints.append(self._eligibility_hint(application))
        response = self._act(application_id, work, _("The worker's data was corrected."))
        for hint in filter(None, hints):
            flash(hint, "warning")
        return response

    @expose("/<int:application_id>/duplicates/<int:flag_id>", methods=("POST",))
    def resolve(self, application_id: int, flag_id: int):
        def work(application):
            flag = db.session.get(DuplicateFlag, flag_id)
            if flag is None or flag.application_id != application.id:
                raise InvalidInput(_("Unknown possible duplicate."))
            resolve_duplicate(db.session, flag, resolution=request.form.get("resolution", ""),
                              note=request.form.get("note", ""), actor=current_actor())
        return self._act(application_id, work, _("The possible duplicate was resolved."))

    @expose("/<int:application_id>/documents", methods=("POST",))
    def upload(self, application_id: int):
        """One file input per document type (``file-<code>``): what was chosen is stored
        together, or nothing is."""
        def work(application):
            files = [(name.removeprefix(UPLOAD_PREFIX), upload.filename, upload.read())
                     for name, upload in request.files.items(multi=True)
                     if name.startswith(UPLOAD_PREFIX) and upload.filename]
            return len(store_documents(db.session, application, files,
                                       storage_dir=storage_dir(), actor=current_actor(),
                                       max_bytes=current_app.config["MAX_DOCUMENT_BYTES"]))
        return self._act(application_id, work, lambda n: ngettext(
            "%(num)d document was stored.", "%(num)d documents were stored.", n))

    @expose("/<int:application_id>/documents/<int:document_id>")
    def download(self, application_id: int, document_id: int):
        self.load_application(application_id)  # 404 outside a partner's scope
        document = db.session.get(Document, document_id)
        if document is None or document.application_id != application_id:
            abort(404)
        data = read_document(db.session, document, storage_dir=storage_dir(),
                             actor=current_actor())
        db.session.commit()
        return send_file(BytesIO(data), mimetype=document.content_type, as_attachment=True,
                         download_name=f"{document.document_type_code}-{document.id}"
                                       f"{Path(document.stored_name).suffix}")
