"""The latest eligibility evaluation of an application: the case page shows it with its
policy, and the verification guard checks it."""
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import Application, EligibilityEvaluation
from reports.remembered import remembered


def latest_evaluation(session: Session, application: Application) -> EligibilityEvaluation | None:
    return remembered(session, ("latest_evaluation", application.id), lambda: session.execute(
        select(EligibilityEvaluation).where(EligibilityEvaluation.application_id == application.id)
        .options(joinedload(EligibilityEvaluation.policy_version))
        .order_by(EligibilityEvaluation.id.desc()).limit(1)).scalar_one_or_none())
