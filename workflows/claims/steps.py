"""The claim's own small state machine, as a table: recorded at the desk (dicatat), sent
to BPJS Ketenagakerjaan (diajukan), then paid (dibayar, with BPJS's amount, date and
reference) or refused (ditolak, with BPJS's reason). A step sent twice (a second
click) changes nothing and says so.
"""
from datetime import date

from sqlalchemy.orm import Session

from models import Claim, clock
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.claims.documents import missing_documents
from workflows.claims.recording import require_caseworker
from workflows.errors import InvalidInput, InvalidTransition, Repeated
from workflows.messages import lazy_gettext as _l

# step -> (from state, to state)
TRANSITIONS = {"submit": ("dicatat", "diajukan"),
               "pay": ("diajukan", "dibayar"),
               "reject": ("diajukan", "ditolak")}
STATE_LABELS = {"dicatat": _l("Recorded"), "diajukan": _l("Sent to BPJS"),
                "dibayar": _l("Paid"), "ditolak": _l("Refused by BPJS")}
REFERENCE_MAX = 80


def allowed_steps(claim: Claim) -> list[str]:
    return [step for step, (source, _target) in TRANSITIONS.items() if source == claim.state]


def _begin(session: Session, claim: Claim, step: str, actor: Actor) -> str:
    """Role, then the state re-read under a lock: a racing second click waits here and
    then finds the step done."""
    require_caseworker(actor)
    session.flush()
    session.refresh(claim, with_for_update=True)
    source, target = TRANSITIONS[step]
    if claim.state == target:
        raise Repeated(_l("Claim %(number)s is already %(state)s; nothing was changed.",
                          number=claim.claim_number, state=STATE_LABELS[target]))
    if claim.state != source:
        raise InvalidTransition(_l("Claim %(number)s is %(state)s: this step is not possible "
                                   "now.", number=claim.claim_number,
                                   state=STATE_LABELS[claim.state]))
    return target


def submit_claim(session: Session, claim: Claim, *, actor: Actor) -> None:
    """Sent to BPJS with its documents: what BPJS needs for the kind must be attached."""
    target = _begin(session, claim, "submit", actor)
    missing = missing_documents(session, claim)
    if missing:
        raise InvalidTransition(_l("Documents missing before the claim can be sent: "
                                   "%(names)s.", names=", ".join(str(m) for m in missing)))
    claim.state, claim.submitted_at, claim.submitted_by_id = target, clock.now(), actor.user_id
    record_change(session, actor, "claim.submit", claim)


def record_payout(session: Session, claim: Claim, *, amount: int, paid_on: date,
                  reference: str, actor: Actor) -> None:
    """BPJS paid: the amount, the day and BPJS's reference, as its reply states them."""
    target = _begin(session, claim, "pay", actor)
    reference = (reference or "").strip()
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(_l("The amount paid is a positive number of rupiah."))
    if not reference or len(reference) > REFERENCE_MAX:
        raise InvalidInput(_l("Give BPJS's reference of the payment (at most %(max)d "
                              "characters).", max=REFERENCE_MAX))
    if paid_on > clock.today() or paid_on < claim.event_date:
        raise InvalidInput(_l("The payment date must lie between the event and today."))
    claim.state, claim.payout_amount, claim.payout_date = target, amount, paid_on
    claim.bpjs_reference = reference
    claim.decided_at, claim.decided_by_id = clock.now(), actor.user_id
    record_change(session, actor, "claim.pay", claim)


def record_rejection(session: Session, claim: Claim, *, reason: str, actor: Actor) -> None:
    """BPJS refused the claim; its reason is kept (a new claim may be recorded after)."""
    target = _begin(session, claim, "reject", actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("State BPJS's reason for refusing the claim."))
    claim.state, claim.rejection_reason = target, reason
    claim.decided_at, claim.decided_by_id = clock.now(), actor.user_id
    record_change(session, actor, "claim.reject", claim, reason=reason)
