"""Eligibility under the policy version in force, stored as a snapshot.

Each evaluation records every rule with the value it saw, what the policy
expected, and the policy and data versions used, so a later policy or data
change never rewrites a past decision. Re-evaluating is an explicit, audited act.
"""
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (Application, DtsenRecord, EligibilityEvaluation, ParticipantRecord,
                    PolicyVersion, Role, Worker, clock)
from reports.configuration import policy_on, umk_for
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidInput, InvalidTransition, MissingReference, NotAllowed
from workflows.eligibility_rules import Cap, Facts, rules_for
from workflows.imports.datasets import current_dataset
from workflows.messages import lazy_gettext as _l

# States in which an application holds (or may soon hold) a place in the programme.
ACTIVE_STATES = ("submitted", "verified", "waitlisted", "approved", "submitted_to_bpjs",
                 "enrolled")
REEVALUATE_STATES = ("submitted", "returned")


def policy_in_force(session: Session, on: date) -> PolicyVersion:
    policy = policy_on(session, on)
    if policy is None:
        raise MissingReference(_l("No policy version is in force on %(day)s; nothing was "
                                  "evaluated. The admin must add one (Reference data → Policy "
                                  "versions).", day=on.isoformat()))
    return policy


def income_cap(session: Session, policy: PolicyVersion, year: int) -> tuple[int, int | None]:
    """The income cap in rupiah and the UMK year it comes from (None: the policy's own).

    The Governor sets next year's UMK late in December: until the admin enters it,
    the last published UMK stands in only where the policy version says so."""
    if policy.income_cap:
        return policy.income_cap, None
    umk = umk_for(session, year, fallback=policy.umk_fallback)
    if umk is None:
        raise MissingReference(_l(
            "The UMK of Kota Bekasi for %(year)d is not entered, and policy version %(policy)s "
            "does not let the last published UMK stand in; nothing was evaluated. The admin "
            "enters it under Reference data → UMK.", year=year, policy=policy.id))
    return umk.amount, umk.year


def _facts(session: Session, application: Application, dtsen, participants) -> Facts:
    worker = application.worker
    entry = None if dtsen is None else session.execute(
        select(DtsenRecord.desil).where(DtsenRecord.dataset_id == dtsen.id,
                                        DtsenRecord.nik == worker.nik).limit(1)).first()
    other_kk = session.execute(
        select(Application.id).join(Worker).where(
            Worker.kk_number == worker.kk_number,
            Application.program_year == application.program_year,
            Application.state.in_(ACTIVE_STATES), Application.id != application.id)
        .order_by(Application.id)).scalars()
    payer = None if participants is None else session.scalar(
        select(ParticipantRecord.sumber).where(ParticipantRecord.dataset_id == participants.id,
                                               ParticipantRecord.nik == worker.nik).limit(1))
    if payer is None and application.renews_id is None:
        # Already a participant: their next year is a renewal, not a second intake.
        member = session.scalar(select(Application.id).where(
            Application.worker_id == worker.id, Application.id != application.id,
            Application.state == "enrolled").limit(1))
        payer = f"SIGAP #{member}" if member else None
    return Facts(nik=worker.nik, kk_number=worker.kk_number, birth_date=worker.birth_date,
                 sex=worker.sex, category=worker.category, monthly_income=worker.monthly_income,
                 dtsen_dataset=getattr(dtsen, "id", None),
                 dtsen_desil=entry.desil if entry else None, in_dtsen=entry is not None,
                 other_kk_applications=tuple(other_kk), payer=payer)


def evaluate_application(session: Session, application: Application, *, actor: Actor,
                         action: str = "eligibility.evaluate",
                         reason: str | None = None) -> EligibilityEvaluation:
    on = (application.submitted_at.astimezone(clock.JAKARTA).date() if application.submitted_at
          else clock.today())
    policy = policy_in_force(session, on)
    dtsen, participants = current_dataset(session, "dtsen"), current_dataset(session,
                                                                             "participants")
    cap = Cap(*income_cap(session, policy, application.program_year), application.program_year)
    rules = rules_for(_facts(session, application, dtsen, participants), policy, cap, on,
                      continuing=application.renews_id is not None)
    evaluation = EligibilityEvaluation(
        application_id=application.id, policy_version_id=policy.id,
        dtsen_dataset_id=getattr(dtsen, "id", None),
        participants_dataset_id=getattr(participants, "id", None),
        eligible=all(r["passed"] for r in rules),
        desil=next(r["value"] for r in rules if r["rule"] == "desil"),
        results=json.dumps({"reference_date": on.isoformat(), "rules": rules}),
        evaluated_by_id=actor.user_id)
    session.add(evaluation)
    record(session, actor, action, entity=application, diff={
        "eligible": [None, evaluation.eligible], "policy_version": [None, policy.id],
        "dtsen_dataset": [None, evaluation.dtsen_dataset_id],
        "failed_rules": [None, evaluation.failed_rules]}, reason=reason)
    return evaluation


def reevaluate_application(session: Session, application: Application, *, actor: Actor,
                           reason: str | None) -> EligibilityEvaluation:
    """A new snapshot on request (e.g. after a new DTSEN update); the old one stays."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers re-evaluate applications."))
    if application.state not in REEVALUATE_STATES:
        raise InvalidTransition(_l("Only submitted or returned applications are re-evaluated."))
    if not (reason or "").strip():
        raise InvalidInput(_l("A reason is required."))
    return evaluate_application(session, application, actor=actor,
                                action="eligibility.reevaluate", reason=reason)
