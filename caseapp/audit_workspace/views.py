"""The auditor workspace (/audit/...): events, one event, an entity's history, who
accessed a worker, the chain's state, and the evidence pack of a case.

Nothing here changes data. Lookups by NIK and the pack's purpose are POSTs so they
stay out of URLs and server logs; the chain walk and the pack run as jobs.
"""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.actor import current_actor
from caseapp.arguments import MAX_BIGINT, int_arg
from caseapp.audit_keys import trusted_key
from caseapp.admin.base import SecureView
from caseapp.audit_workspace.chain import chain_status
from caseapp.audit_workspace.evidence_pack import check_evidence_pack
from caseapp.audit_workspace.forms import EvidencePackForm, EventFilterForm, WorkerLookupForm
from caseapp.audit_workspace.jobs import EVIDENCE_PACK_JOB, VERIFY_JOB
from caseapp.extensions import db, limiter
from caseapp.jobs.starting import follow, start_job
from caseapp.refusals import refuse
from models import AuditEvent, Role, User, Worker
from reports.audit_trail import (EventFilter, access_kind, diff_rows, entity_history,
                                 find_worker, is_read, search_events, worker_access)
from workflows.audit.access import record_read
from workflows.audit.chain import HASHED_FIELDS, event_hash
from workflows.errors import WorkflowError

def _after() -> int | None:
    """The seq a page of events continues after (a cursor, so it may be 0)."""
    return int_arg("after", low=0, high=MAX_BIGINT)


class AuditWorkspaceView(SecureView):
    roles = (Role.AUDITOR.value,)

    def render_page(self, template: str, status: int = 200, **context):
        return self.render(f"audit/{template}", diff_rows=diff_rows, **context), status

    @expose("/")
    def index(self):
        form = EventFilterForm(request.args, accounts=db.session.execute(
            select(User.username, User.full_name).order_by(User.full_name)).all())
        page = None  # an invalid filter shows its errors, not an unfiltered log
        if form.validate():
            page = search_events(db.session, EventFilter(
                actor=form.actor.data or None, role=form.role.data or None,
                action=form.action.data or None,
                action_exact=form.action_match.data == "exact",
                entity_type=form.entity_type.data or None, entity_id=form.entity_id.data or None,
                since=form.date_from.data, until=form.date_to.data, text=form.text.data or None),
                after=_after())
        filter_args = {name: request.args[name] for name in form._fields
                       if request.args.get(name)}
        return self.render_page("events.html", form=form, page=page, filter_args=filter_args)

    @expose(f"/event/<int(max={MAX_BIGINT}):seq>")
    def event(self, seq: int):
        event = db.session.get(AuditEvent, seq)
        if event is None:
            abort(404)
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        try:
            intact = event_hash(fields) == event.hash
        except ValueError:  # a diff that is no longer JSON
            intact = False
        has_next = db.session.get(AuditEvent, seq + 1) is not None
        return self.render_page("event.html", event=event, intact=intact, read=is_read(event),
                                has_next=has_next)

    @expose("/entity/<entity_type>/<path:entity_id>")
    def entity(self, entity_type: str, entity_id: str):
        page = entity_history(db.session, entity_type, entity_id, after=_after())
        return self.render_page("entity.html", entity_type=entity_type, entity_id=entity_id,
                                page=page)

    @expose("/worker", methods=("GET", "POST"))
    def worker_lookup(self):
        form = WorkerLookupForm()
        if form.validate_on_submit():
            worker = find_worker(db.session, form.worker.data)
            if worker is not None:
                # Finding someone by NIK tells whether the city holds their data: a read.
                record_read(db.session, current_actor(), "audit.worker_lookup", entity=worker)
                db.session.commit()
                return redirect(url_for(".worker", worker_id=worker.id))
            flash(_("No worker has this NIK or number."), "error")
            return self.render_page("worker.html", 404, form=form, worker_id=None, page=None)
        return self.render_page("worker.html", form=form, worker_id=None, page=None)

    @expose("/worker/<int:worker_id>")
    def worker(self, worker_id: int):
        """Only who did what and why; none of the worker's own data, so no read event."""
        if db.session.get(Worker, worker_id) is None:
            abort(404)
        page = worker_access(db.session, worker_id, after=_after())
        return self.render_page("worker.html", form=WorkerLookupForm(), worker_id=worker_id,
                                page=page, access_kind=access_kind)

    @expose("/chain")
    def chain(self):
        return self.render_page("chain.html", state=chain_status(db.session, trusted_key()))

    @expose("/chain/verify", methods=("POST",))
    @limiter.limit(lambda: current_app.config["AUDIT_VERIFY_RATE_LIMIT"])
    def verify(self):
        """The whole chain (~16 s per million events) is walked by a job; its page shows
        the progress and comes back here with the verdict. Rate-limited so nobody fills
        the queue with walks."""
        return follow(start_job(VERIFY_JOB, {}))

    @expose("/evidence-pack", methods=("GET", "POST"))
    def evidence_pack(self):
        """Checked here (form, role, purpose, key, case), then built by a job whose page
        hands the ZIP over."""
        form = EvidencePackForm(application_id=int_arg("application_id"))
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return self.render_page("evidence_pack.html", status, form=form)
        application_id = form.application_id.data
        try:
            purpose = check_evidence_pack(db.session, application_id, form.purpose.data,
                                          actor=current_actor())
            job = start_job(EVIDENCE_PACK_JOB, {"application_id": application_id,
                                                "purpose": purpose})
        except WorkflowError as exc:
            refuse(exc)
            return self.render_page("evidence_pack.html", exc.status, form=form)
        return follow(job)
