"""Conditions a transition checks besides role and state (named in the state table)."""
from sqlalchemy.orm import object_session

from models import Application
from reports.evaluations import latest_evaluation
from workflows.actor import Actor
from workflows.documents import missing_required
from workflows.duplicates import open_flags
from workflows.errors import InvalidTransition, NotAllowed
from workflows.identity import blocking_failures, check_identity
from workflows.messages import lazy_gettext as _l
from workflows.proposal import check_separation
from workflows.restrictions import processing_restricted


def not_taken_in_by_actor(application: Application, actor: Actor) -> None:
    if application.taken_in_by_id == actor.user_id:
        raise NotAllowed(_l("You took this application in, so another caseworker must "
                            "verify it."))


def documents_complete(application: Application, actor: Actor) -> None:
    missing = missing_required(object_session(application), application)
    if missing:
        raise InvalidTransition(_l("Required documents are missing: %(names)s.",
                                   names=", ".join(kind.name for kind in missing)))


def identity_consistent(application: Application, actor: Actor) -> None:
    worker = application.worker
    failures = blocking_failures(check_identity(worker.nik, worker.kk_number, worker.birth_date,
                                                worker.sex))
    if failures:
        raise InvalidTransition(_l("The identity data has errors: %(errors)s",
                                   errors=" ".join(str(f.message) for f in failures)))


def no_open_duplicates(application: Application, actor: Actor) -> None:
    if open_flags(object_session(application), application):
        raise InvalidTransition(_l("Possible duplicates must be resolved before verification."))


def evaluated_eligible(application: Application, actor: Actor) -> None:
    evaluation = latest_evaluation(object_session(application), application)
    if evaluation is None or not evaluation.eligible:
        raise InvalidTransition(_l("The latest eligibility evaluation did not pass; return or "
                                   "reject the application instead."))


def not_in_open_proposal(application: Application, actor: Actor) -> None:
    """The list the mayor signs does not change under the proposal's feet."""
    if application.proposal_id is not None:
        raise InvalidTransition(_l("Application %(id)s is listed in an open proposal; withdraw "
                                   "the proposal first.", id=application.id))


def not_decided_by_own_hand(application: Application, actor: Actor) -> None:
    """Nobody decides a case they took in or verified (workflows.proposal)."""
    check_separation(object_session(application), [application.id], actor)


# Without the worker's NIK or name: refusal messages go to the permanent audit log.
RESTRICTED = _l("Processing of this worker's data is restricted at their request (UU PDP); "
                "answer or lift the restriction on the data subject request page first.")


def processing_not_restricted(application: Application, actor: Actor) -> None:
    """A standing restriction (UU PDP) stops every step that moves the case forward."""
    if processing_restricted(object_session(application), application.worker):
        raise InvalidTransition(RESTRICTED)
