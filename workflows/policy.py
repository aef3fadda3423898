"""Rules for changing policy versions (the Perwal's parameters)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import EligibilityEvaluation, PolicyVersion
from models.worker import CATEGORIES
from workflows.errors import Conflict, InvalidInput
from workflows.messages import lazy_gettext as _l


def check_policy_editable(session: Session, policy: PolicyVersion) -> None:
    used = session.scalar(select(EligibilityEvaluation.id).where(
        EligibilityEvaluation.policy_version_id == policy.id).limit(1))
    if used is not None:
        raise Conflict(_l("Policy version %(id)s has been used in evaluations and cannot be "
                          "changed; create a new version with its own effective date.",
                          id=policy.id))


def check_policy_values(policy: PolicyVersion) -> None:
    unknown = [c for c in policy.category_list if c not in CATEGORIES]
    if unknown or not policy.category_list:
        raise InvalidInput(_l("Categories must be from: %(known)s.", known=", ".join(CATEGORIES)))
    if policy.min_age > policy.max_age or not 1 <= policy.max_desil <= 10:
        raise InvalidInput(_l("Check the age range and the maximum desil (1-10)."))
    if policy.effective_to and policy.effective_to < policy.effective_from:
        raise InvalidInput(_l("The end date is before the start date."))
