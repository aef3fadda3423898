"""The intake-to-verification verbs a caseworker uses on one application."""
from sqlalchemy.orm import Session

from models import Application, EligibilityEvaluation
from workflows.actor import Actor
from workflows.duplicates import detect_duplicates
from workflows.eligibility import evaluate_application
from workflows.states import apply_transition


def submit_application(session: Session, application: Application, *,
                       actor: Actor) -> EligibilityEvaluation:
    """Submit (documents and identity guarded), then look for duplicates and evaluate
    eligibility, so the verifier finds both waiting on the case page. Returns the
    evaluation: a case that fails it is submitted all the same, and the caseworker is
    told so."""
    apply_transition(session, application, "submit", actor=actor)
    detect_duplicates(session, application, actor=actor)
    return evaluate_application(session, application, actor=actor)


def verify_application(session: Session, application: Application, *, actor: Actor) -> None:
    apply_transition(session, application, "verify", actor=actor)


def return_application(session: Session, application: Application, *, actor: Actor,
                       reason: str) -> None:
    apply_transition(session, application, "return", actor=actor, reason=reason)


def reject_application(session: Session, application: Application, *, actor: Actor,
                       reason: str) -> None:
    apply_transition(session, application, "reject", actor=actor, reason=reason)
