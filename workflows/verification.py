"""The intake-to-verification verbs a caseworker uses on one application."""
from sqlalchemy.orm import Session

from models import Application
from workflows.actor import Actor
from workflows.duplicates import detect_duplicates
from workflows.eligibility import evaluate_application
from workflows.states import apply_transition


def submit_application(session: Session, application: Application, *, actor: Actor) -> None:
    """Submit (documents and identity guarded), then look for duplicates and evaluate
    eligibility, so the verifier finds both waiting on the case page."""
    apply_transition(session, application, "submit", actor=actor)
    detect_duplicates(session, application, actor=actor)
    evaluate_application(session, application, actor=actor)


def verify_application(session: Session, application: Application, *, actor: Actor) -> None:
    apply_transition(session, application, "verify", actor=actor)


def return_application(session: Session, application: Application, *, actor: Actor,
                       reason: str) -> None:
    apply_transition(session, application, "return", actor=actor, reason=reason)


def reject_application(session: Session, application: Application, *, actor: Actor,
                       reason: str) -> None:
    apply_transition(session, application, "reject", actor=actor, reason=reason)
