"""How the audit log's codes read on the pages and in the audit report: actions, entity
types, roles and actors in words (the code stays in a tooltip), and reasons that were
stored as message templates shown translated, with the cases they name."""
import re

from flask_babel import gettext
from markupsafe import Markup

from caseapp.i18n import ROLE_LABELS, coded
from reports.audit_trail import parsed_diff
from workflows.messages import lazy_gettext as _l

ACTION_LABELS = {
    "application.open": _l("Application opened"),
    "application.submit": _l("Application submitted"),
    "application.return": _l("Returned for correction"),
    "application.reject": _l("Application rejected"),
    "application.verify": _l("Application verified"),
    "application.approve": _l("Application approved"),
    "application.waitlist": _l("Application put on the waiting list"),
    "application.continue": _l("Membership continued"),
    "application.decline": _l("Application declined"),
    "application.send_back": _l("Sent back to verification"),
    "application.carry_over": _l("Carried over to the next year"),
    "application.submit_to_bpjs": _l("Submitted to BPJS"),
    "application.cancel_bpjs_submission": _l("BPJS submission cancelled"),
    "application.enrol": _l("Enrolled at BPJS"),
    "application.bpjs_reject": _l("Rejected by BPJS"),
    "application.correct_after_bpjs": _l("Corrected after the BPJS rejection"),
    "application.terminate": _l("Membership ended"),
    "membership_exit.record": _l("Exit facts recorded (date of death, other payer, desil)"),
    "membership.end_desil_naik": _l("Memberships ended: desil above the cut-off"),
    "desil_exits.list": _l("Desil list read"),
    "refund.open": _l("Refund owed by BPJS entered in the ledger"),
    "refund.receive": _l("Refund from BPJS recorded"),
    "refunds.list": _l("Refund ledger read"),
    "refunds.export": _l("Refund ledger exported"),
    "application.propose": _l("Listed in a decree proposal"),
    "application.renew": _l("Renewal opened"),
    "application.view": _l("Application viewed"),
    "application.view_search": _l("Application found by a search"),
    "application.search": _l("Application found by the search box"),
    "worker.register": _l("Worker registered"),
    "worker.correct": _l("Worker data corrected"),
    "worker.view": _l("Worker viewed"),
    "worker.view_search": _l("Worker found by a search"),
    "document.upload": _l("Document uploaded"),
    "document.read": _l("Document opened"),
    "duplicate.flag": _l("Possible duplicate flagged"),
    "duplicate.resolve": _l("Possible duplicate resolved"),
    "eligibility.evaluate": _l("Eligibility evaluated"),
    "eligibility.reevaluate": _l("Eligibility evaluated again"),
    "decree.propose": _l("Decree proposed"),
    "decree.sign": _l("Decree signed"),
    "decree.withdraw": _l("Decree proposal withdrawn"),
    "decree.view": _l("Decree viewed"),
    "budget.open": _l("Budget year opened"),
    "budget.revise": _l("Budget year revised"),
    "budget.close": _l("Budget year closed"),
    "budget.realise": _l("Budget realised (payment)"),
    "budget.release": _l("Budget commitment released"),
    "renewal.recheck": _l("Renewal re-check"),
    "bpjs.batch_create": _l("BPJS registration batch prepared"),
    "bpjs.batch_cancel": _l("BPJS registration batch cancelled"),
    "bpjs.batch_sent": _l("BPJS registration batch sent"),
    "bpjs.batch_download": _l("BPJS registration file downloaded"),
    "bpjs.membership": _l("BPJS membership recorded"),
    "contributions.generate": _l("Contribution months generated"),
    "contributions.pay": _l("Contributions paid (SP2D)"),
    "contributions.reconcile": _l("Contributions reconciled with BPJS"),
    "contributions.lapse_counted": _l("Unpaid months counted"),
    "contributions.lapse_list": _l("Lapse warning list read"),
    "contributions.mark_arrears": _l("Months marked in arrears"),
    "contributions.report_download": _l("Reconciliation report downloaded"),
    "membership.lapse": _l("Membership lapsed (nonaktif)"),
    "membership.reactivate": _l("Membership reactivated"),
    "membership.differences_download": _l("Membership differences downloaded"),
    "notice.consent_given": _l("Consent to notices recorded"),
    "notice.consent_withdrawn": _l("Consent to notices withdrawn"),
    "notice.lapse_queued": _l("Lapse-risk notices queued"),
    "notice.sent": _l("Notice sent to the worker"),
    "notice.send_failed": _l("Notice not sent (to be retried)"),
    "notice.gave_up": _l("Notice given up"),
    "notice.skipped": _l("Notice skipped (no consent)"),
    "notice.retry": _l("Notice retry requested"),
    "import.applied": _l("Import applied"),
    "import.rejected": _l("Import rejected"),
    "import.held": _l("Import held for a decision"),
    "import.cancelled": _l("Held import cancelled"),
    "import.report_download": _l("Import problem report downloaded"),
    "subject_request.record": _l("Data subject request recorded"),
    "subject_request.fulfil": _l("Data subject request fulfilled"),
    "subject_request.decline": _l("Data subject request refused"),
    "subject_request.lift": _l("Processing restriction lifted"),
    "subject_request.view": _l("Data subject request viewed"),
    "subject.export": _l("Personal data exported"),
    "complaint.file": _l("Complaint recorded"),
    "complaint.answer": _l("Complaint answered"),
    "complaint.close": _l("Complaint closed"),
    "complaint.view": _l("Complaint viewed"),
    "complaints.list": _l("Complaint list read"),
    "partner.scope": _l("Partner's area or office set"),
    "claim.record": _l("Claim recorded"),
    "claim.submit": _l("Claim sent to BPJS"),
    "claim.pay": _l("Claim payout recorded"),
    "claim.reject": _l("Claim refusal by BPJS recorded"),
    "claim.document_upload": _l("Claim document uploaded"),
    "claim.document_read": _l("Claim document opened"),
    "claim.view": _l("Claim viewed"),
    "report.generate": _l("Report generated"),
    "report.download": _l("Report downloaded"),
    "job.queued": _l("Background job queued"),
    "job.started": _l("Background job started"),
    "job.finished": _l("Background job finished"),
    "job.failed": _l("Background job failed"),
    "audit.checkpoint": _l("Audit checkpoint signed"),
    "audit.evidence_pack": _l("Evidence pack built"),
    "audit.evidence_pack.download": _l("Evidence pack downloaded"),
    "audit.worker_lookup": _l("Worker looked up in the audit log"),
    "backup.create": _l("Backup made"),
    "backup.restore": _l("Backup restored"),
    "auth.login": _l("Signed in"),
    "auth.logout": _l("Signed out"),
    "auth.login_failed": _l("Failed sign-in"),
    "auth.login_throttled": _l("Sign-in paused after failures"),
    "auth.mfa_failed": _l("Wrong second-factor code"),
    "auth.mfa_throttled": _l("Second factor paused after failures"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "auth.session_end": _l("Session ended"),
    "user.create": _l("User account created"),
    "user.roles": _l("Roles changed"),
    "user.password_change": _l("Password changed"),
    "user.password_rehash": _l("Password hash renewed"),
    "user.one_time_password_used": _l("Initial password used"),
    "user.mfa_enrol": _l("Second factor set up"),
    "user.mfa_reset": _l("Second factor reset"),
    "role_grant.request": _l("Role grant requested"),
    "role_grant.confirmed": _l("Role grant confirmed"),
    "role_grant.declined": _l("Role grant declined"),
    "role_grant.withdrawn": _l("Role grant withdrawn"),
    "reference.create": _l("Reference data added"),
    "reference.update": _l("Reference data changed"),
    "policy.create": _l("Policy version created"),
}
# admin.<create|update|delete>.<table>: a change made in the admin's lists.
ADMIN_CHANGES = {"create": _l("Added in the admin: %(what)s"),
                 "update": _l("Changed in the admin: %(what)s"),
                 "delete": _l("Deleted in the admin: %(what)s")}
ADMIN_PREFIX = {"admin.": _l("Changes in the admin lists (all)")}
# <page endpoint>.refused / .denied (caseapp/refusals.py): the page is in the tooltip.
ATTEMPT_LABELS = {"refused": _l("Refused attempt"), "denied": _l("Page or action denied")}

# Named system actors (workflows.actor.Actor.system) and the unauthenticated.
SYSTEM_ACTOR_LABELS = {"system:scheduler": _l("Scheduler (automatic)"),
                       "system:session-expiry": _l("Session expiry (automatic)"),
                       "system:job-recovery": _l("Job recovery (automatic)"),
                       "system:audit-checkpoint": _l("Audit checkpoint (automatic)"),
                       "system:waitlist": _l("Waiting list (automatic)"),
                       "system:demo-seed": _l("Demo data (setup)")}

ENTITY_LABELS = {
    "app_user": _l("User"), "application": _l("Application"),
    "application_transition": _l("Status change"), "audit_chain_head": _l("Chain head"),
    "audit_checkpoint": _l("Audit checkpoint"), "audit_event": _l("Audit event"),
    "background_job": _l("Background job"), "backup": _l("Backup"),
    "budget_ledger": _l("Budget ledger entry"), "budget_quota": _l("Quota split"),
    "budget_year": _l("Budget year"), "contribution_component": _l("Contribution rate"),
    "claim": _l("Claim"), "claim_document": _l("Claim document"),
    "complaint": _l("Complaint"), "partner_scope": _l("Partner's area or office"),
    "application_partner": _l("Partner office of an application"),
    "contribution_month": _l("Contribution month"),
    "data_subject_request": _l("Data subject request"), "decree": _l("Decree"),
    "document": _l("Document"), "document_type": _l("Document type"),
    "dtsen_record": _l("DTSEN record"), "duplicate_flag": _l("Possible duplicate"),
    "eligibility_evaluation": _l("Eligibility evaluation"), "import_run": _l("Import"),
    "kecamatan": _l("Kecamatan"), "kelurahan": _l("Kelurahan"),
    "participant_record": _l("Participant record"), "payment_batch": _l("Payment batch"),
    "membership_status": _l("Membership status at BPJS"),
    "policy_version": _l("Policy version"), "recovery_code": _l("Recovery code"),
    "registration_batch": _l("BPJS registration batch"),
    "registration_item": _l("BPJS registration item"), "role_grant": _l("Role grant"),
    "umk_rate": _l("UMK"), "user_role": _l("User role"), "user_session": _l("Session"),
    "worker": _l("Worker"),
    "membership_exit": _l("Membership exit"), "refund_line": _l("Refund line"),
    "worker_notice": _l("Notice to a worker"), "notice_consent": _l("Consent to notices"),
    "notice_attempt": _l("Notice delivery attempt"),
}
# Parameters that always name applications, linked to the case on the pages.
CASE_PARAMETERS = ("ids",)
# Events whose reason is a message template of the code, not text a person typed.
TEMPLATE_REASON_ACTIONS = ("job.failed",)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def action_label(action: str) -> str:
    """The action in words; an unknown code is shown as it is."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    prefix, _dot, last = action.rpartition(".")
    if last in ATTEMPT_LABELS and prefix:
        return str(ATTEMPT_LABELS[last])
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "admin" and parts[1] in ADMIN_CHANGES:
        return str(ADMIN_CHANGES[parts[1]] % {"what": entity_label(parts[2])})
    return action


def entity_label(entity_type: str | None) -> str:
    return "" if not entity_type else str(ENTITY_LABELS.get(entity_type, entity_type))


def actor_label(name: str) -> str:
    """A system actor in words; a person by their username (a failed sign-in: the name
    typed, marked as not signed in)."""
    if name in SYSTEM_ACTOR_LABELS:
        return str(SYSTEM_ACTOR_LABELS[name])
    kind, _colon, typed = name.partition(":")
    if kind == "anonymous":
        return str(_l("not signed in: %(name)s", name=typed)) if typed else str(
            _l("not signed in"))
    return name


def roles_label(roles: str | None) -> str:
    """Stored roles ("caseworker,head") in words."""
    return ", ".join(str(ROLE_LABELS.get(r, r)) for r in (roles or "").split(",") if r)


def action_html(action: str) -> Markup:
    return coded(action_label(action), action)


def is_template_reason(event) -> bool:
    return event.action.endswith((".refused", ".denied")) or event.action in \
        TEMPLATE_REASON_ACTIONS


def _parameters(event) -> dict:
    stored = (parsed_diff(event) or {}).get("parameters")
    values = stored[-1] if isinstance(stored, list) and stored else None
    return values if isinstance(values, dict) else {}  # kept by caseapp/refusals.py


def reason_text(event) -> str:
    """The reason as its reader's language says it: a stored template is translated and
    filled with the values kept (a value not kept reads "…")."""
    reason = event.reason or ""
    if not reason or not is_template_reason(event):
        return reason
    values = _parameters(event)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%"
                            else str(values.get(m.group(1), "…")), gettext(reason))


def linked_cases(event) -> list[int]:
    """The applications a stored refusal names (see CASE_PARAMETERS)."""
    if not is_template_reason(event):  # only a refusal keeps parameters: no diff to parse
        return []
    values = _parameters(event)
    return [int(i) for name in CASE_PARAMETERS
            for i in str(values.get(name, "")).split(", ") if i.isdigit()]


# For the pages and the audit report (registered by caseapp.admin.init_app).
JINJA_FILTERS = {"action_label": action_html, "entity_label": entity_label,
                 "actor_label": lambda name: coded(actor_label(name), name),
                 "roles_label": roles_label, "reason_text": reason_text,
                 "linked_cases": linked_cases}
