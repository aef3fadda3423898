"""The case's life as one table: which transition goes from where to where,
who may do it, whether it needs a reason, and what else must hold.

Verbs call :func:`apply_transition`; nothing else changes ``Application.state``.
"""
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from models import Application, ApplicationTransition, Role, clock
from workflows.actor import Actor
from workflows.audit import record
from workflows.audit.masking import field_value
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed, WorkflowError
from workflows.guards import (documents_complete, evaluated_eligible, identity_consistent,
                              no_open_duplicates, not_decided_by_own_hand, not_in_open_proposal,
                              not_taken_in_by_actor, processing_not_restricted)
from workflows.messages import lazy_gettext as _l
from workflows.notices.queue import queue_after_transition
from workflows.partners import within_partner_scope

Guard = Callable[[Application, Actor], None]


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    reason_required: bool = False
    guards: tuple[Guard, ...] = field(default=())


_CW, _HEAD = (Role.CASEWORKER.value,), (Role.HEAD.value,)
# A partner (kelurahan operator, partner office) submits what it took in, and nothing else:
# verifying, deciding and the budget stay with Disnaker (separation of duties, issue 15).
_INTAKE = _CW + (Role.PARTNER.value,)

# A data subject's restriction (processing_not_restricted) stops the forward moves only;
# returning, rejecting, declining and closing a case stay possible (workflows/restrictions.py).
TRANSITIONS = {t.name: t for t in (
    Transition("submit", ("draft", "returned"), "submitted", _INTAKE,
               guards=(within_partner_scope, processing_not_restricted, documents_complete,
                       identity_consistent)),
    Transition("return", ("submitted",), "returned", _CW, reason_required=True),
    Transition("reject", ("submitted",), "rejected", _CW, reason_required=True),
    Transition("verify", ("submitted",), "verified", _CW,
               guards=(not_taken_in_by_actor, processing_not_restricted, no_open_duplicates,
                       evaluated_eligible)),
    # approve_batch decides many at once and checks the restriction for all of them.
    Transition("approve", ("verified", "waitlisted"), "approved", _HEAD,
               guards=(processing_not_restricted,)),
    Transition("waitlist", ("verified",), "waitlisted", _HEAD),
    # A renewal approved while its membership can still continue is enrolled at once
    # under the previous year's KPJ (workflows.continuation); no new BPJS registration.
    Transition("continue", ("approved",), "enrolled", _HEAD),
    # A case an open proposal lists waits for its decree (workflows.proposal).
    Transition("decline", ("verified", "waitlisted", "approved"), "declined", _HEAD,
               reason_required=True, guards=(not_decided_by_own_hand, not_in_open_proposal)),
    Transition("send_back", ("verified", "waitlisted"), "submitted", _HEAD,
               reason_required=True, guards=(not_in_open_proposal,)),
    # A year that can no longer cover anyone hands its undecided cases to the next one.
    Transition("carry_over", ("verified", "waitlisted", "approved"), "verified", _CW + _HEAD,
               guards=(not_in_open_proposal,)),
    # A registration batch applies its guard set-based: it leaves restricted cases out.
    Transition("submit_to_bpjs", ("approved",), "submitted_to_bpjs", _CW,
               guards=(processing_not_restricted,)),
    Transition("cancel_bpjs_submission", ("submitted_to_bpjs",), "approved", _CW,
               reason_required=True),
    Transition("enrol", ("submitted_to_bpjs",), "enrolled", _CW),
    Transition("bpjs_reject", ("submitted_to_bpjs",), "bpjs_rejected", _CW,
               reason_required=True),
    Transition("correct_after_bpjs", ("bpjs_rejected",), "returned", _CW,
               reason_required=True),
    Transition("terminate", ("enrolled",), "terminated", _CW, reason_required=True),
)}

STATE_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned for correction"),
    "rejected": _l("Rejected"), "verified": _l("Verified"), "waitlisted": _l("Waitlisted"),
    "approved": _l("Approved"), "declined": _l("Declined"),
    "submitted_to_bpjs": _l("Submitted to BPJS"), "bpjs_rejected": _l("Rejected by BPJS"),
    "enrolled": _l("Enrolled"), "terminated": _l("Terminated"),
}


@dataclass(frozen=True)
class Availability:
    """Whether the actor may take one step now. ``applies``: their role takes it from the
    case's state; ``refusals``: what the table's guards say against it, all of them (the
    verb stops at the first), so a page can say why a step it leaves out is not there."""
    applies: bool
    refusals: tuple[WorkflowError, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.applies and not self.refusals

    @property
    def refused(self) -> bool:
        """The actor's step in this state, held back by a guard: worth saying why."""
        return self.applies and bool(self.refusals)


def availability(application: Application, name: str, actor: Actor) -> Availability:
    """The checks of :func:`check_transition` except the reason, which the form asks for."""
    transition = TRANSITIONS[name]
    if _gate(application, transition, actor) is not None:
        return Availability(applies=False)
    refusals = []
    for guard in transition.guards:
        try:
            guard(application, actor)
        except WorkflowError as exc:
            refusals.append(exc)
    return Availability(applies=True, refusals=tuple(refusals))


def _gate(application: Application, transition: Transition,
          actor: Actor) -> WorkflowError | None:
    """The refusal of an actor whose role does not take this step, or of the case's state."""
    if not actor.has_role(*transition.roles):
        return NotAllowed(_l("Your role may not do this."))
    if application.state not in transition.sources:
        return wrong_state(application.id, application.state)
    return None


def check_transition(application: Application, name: str, actor: Actor,
                     reason: str | None) -> Transition:
    transition = TRANSITIONS[name]
    refused = _gate(application, transition, actor)
    if refused is not None:
        raise refused
    if transition.reason_required and not (reason or "").strip():
        raise InvalidInput(_l("A reason is required."))
    for guard in transition.guards:
        guard(application, actor)
    return transition


def wrong_state(application_id: int, state: str) -> InvalidTransition:
    """The refusal of a step that the case's state does not allow."""
    return InvalidTransition(_l(
        "Application %(id)s is %(state)s; this action is not possible in that state.",
        id=application_id, state=STATE_LABELS[state]))


def set_edge(name: str, actor: Actor, *, applied: tuple[Guard, ...] = (),
             refusal=None) -> Transition:
    """A transition that a verb applies to a whole set of cases with set-based statements
    (``UPDATE ... WHERE state = source``) instead of ``apply_transition`` per case: the
    role check is made here (``refusal`` its message); the table's guards the caller
    applies to the set itself and names in ``applied``."""
    transition = TRANSITIONS[name]
    if set(transition.guards) - set(applied) or len(transition.sources) != 1:
        raise RuntimeError(f"{name} gained guards or sources; move its cases one by one")
    if not actor.has_role(*transition.roles):
        raise NotAllowed(refusal or _l("Your role may not do this."))
    return transition


def apply_transition(session: Session, application: Application, name: str, *,
                     actor: Actor, reason: str | None = None,
                     changes: dict | None = None) -> ApplicationTransition:
    """Move the application along one edge of the table, with its audit event.

    The row is re-read under a lock first, so a second click or a concurrent
    caseworker sees the state the first one left and is refused. ``changes`` are
    other fields the step sets, written and recorded with the state.
    """
    session.flush()
    session.refresh(application, with_for_update=True)
    transition = check_transition(application, name, actor, reason)
    source = application.state
    now = clock.now()
    diff = {"state": [source, transition.target]}
    for field_name, value in (changes or {}).items():  # a KPJ is kept as a keyed hash
        diff[field_name] = [field_value(Application, field_name, getattr(application, field_name)),
                            field_value(Application, field_name, value)]
        setattr(application, field_name, value)
    application.state = transition.target
    application.state_changed_at = now
    if transition.target == "submitted" and application.submitted_at is None:
        application.submitted_at = now
    step = ApplicationTransition(application=application, from_state=source,
                                 to_state=transition.target, actor_id=actor.user_id, at=now,
                                 reason=reason)
    session.add(step)
    record(session, actor, f"application.{name}", entity=application, diff=diff, reason=reason)
    queue_after_transition(session, application, name, source)  # the worker's notice, if any
    return step
