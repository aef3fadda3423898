"""Renewal (lanjutan) into the next budget year: the re-check of every participant.

A participant enrolled in year Y continues in Y+1 without a new intake and without
a new registration at BPJS (same KPJ, no month without cover; a gap of more than 3
months ends a BPU membership). From 1 October of Y a caseworker re-checks every
active participant against the latest DTSEN dataset, the payer lists and the policy
in force, as an intake would be checked except for the age (BPJS lets a member who
joined within the age limit continue, domain.md §1.5), and without counting the
city's own membership at BPJS as another payer. Each becomes a renewal application
of Y+1: verified when every rule passes, ready for Y+1's decree where it is ranked
with the new applicants; submitted, with the failed rules shown, when one does not,
for a caseworker to correct and verify, or to end at the year's end with the reason.

Thousands of participants are re-checked in a handful of set-based statements; the
rules are the intake's own (``workflows.eligibility_rules``).
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session, aliased

from models import (Application, ApplicationTransition, DtsenRecord, EligibilityEvaluation,
                    ParticipantRecord, Role, Worker, clock)
from workflows.actor import Actor
from workflows.audit import record, record_many
from workflows.audit.chain import canonical_json
from workflows.eligibility import ACTIVE_STATES, income_cap, policy_in_force
from workflows.eligibility_rules import Cap, Facts, rules_for
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.exits import terminate_membership
from workflows.imports.datasets import current_dataset
from workflows.messages import lazy_gettext as _l
from workflows.serial import one_at_a_time
from workflows.setwise import chunks, update_each
from workflows.states import apply_transition

_APP = Application.__table__
OPENS_MONTH = 10  # the last quarter of the year before


@dataclass
class Recheck:
    renewals: int = 0
    eligible: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # rule -> renewals failing it


def renewal_opens(year: int) -> date:
    return date(year - 1, OPENS_MONTH, 1)


def due_for_renewal(year: int):
    """Participants of the year before whose membership has no renewal for ``year`` yet."""
    renewal, same_year = aliased(Application), aliased(Application)
    previous = Application
    return (previous.program_year == year - 1, previous.state == "enrolled",
            previous.kpj.is_not(None),
            ~exists().where(renewal.renews_id == previous.id),
            ~exists().where(same_year.worker_id == previous.worker_id,
                            same_year.program_year == year))


def _candidates(session: Session, year: int) -> list:
    return session.execute(
        select(Application.id, Application.worker_id, Application.intake_channel, Worker.nik,
               Worker.kk_number, Worker.birth_date, Worker.sex, Worker.category,
               Worker.monthly_income)
        .join(Worker, Worker.id == Application.worker_id)
        .where(*due_for_renewal(year)).order_by(Application.id)).all()


def _lookup(session: Session, column, key, where, keys: list[str]) -> dict:
    found = {}
    for chunk in chunks(keys):
        found.update(session.execute(select(key, column).where(where, key.in_(chunk))).all())
    return found


def _competitors(session: Session, year: int) -> dict[str, list[int]]:
    """Applications of ``year`` holding (or about to hold) a place, per KK."""
    found: dict[str, list[int]] = {}
    for kk, application_id in session.execute(
            select(Worker.kk_number, Application.id).join(Worker)
            .where(Application.program_year == year, Application.state.in_(ACTIVE_STATES))
            .order_by(Application.id)):
        found.setdefault(kk, []).append(application_id)
    return found


def _open(session: Session, rows: list, year: int, actor: Actor, now) -> dict[int, int]:
    """Insert the renewal applications (submitted); previous id -> renewal id."""
    session.execute(insert(Application), [
        {"worker_id": r.worker_id, "program_year": year, "state": "submitted",
         "intake_channel": r.intake_channel, "taken_in_by_id": actor.user_id,
         "created_at": now, "submitted_at": now, "state_changed_at": now, "renews_id": r.id}
        for r in rows])
    made = {}
    for chunk in chunks([r.id for r in rows]):
        made.update(session.execute(select(Application.renews_id, Application.id).where(
            Application.renews_id.in_(chunk))).all())
    return made


def recheck_renewals(session: Session, *, year: int, actor: Actor) -> Recheck:
    """Open and check the renewal of every participant of ``year - 1`` not yet renewed."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers re-check participants for renewal."))
    today = clock.today()
    if today < renewal_opens(year):
        raise InvalidTransition(_l("Renewal into %(year)d opens on %(day)s.", year=year,
                                   day=renewal_opens(year).isoformat()))
    one_at_a_time(session, f"renewal-{year}")  # a second click waits, then finds none due
    policy = policy_in_force(session, today)
    cap = Cap(*income_cap(session, policy, year), year)
    dtsen, payers = current_dataset(session, "dtsen"), current_dataset(session, "participants")
    rows = _candidates(session, year)
    outcome = Recheck()
    if not rows:
        return outcome
    niks = [r.nik for r in rows]
    desil = {} if dtsen is None else _lookup(
        session, DtsenRecord.desil, DtsenRecord.nik, DtsenRecord.dataset_id == dtsen.id, niks)
    payer = {} if payers is None else _lookup(
        session, ParticipantRecord.sumber, ParticipantRecord.nik,
        ParticipantRecord.dataset_id == payers.id, niks)
    kk_holders = _competitors(session, year)
    now = clock.now()
    made = _open(session, rows, year, actor, now)
    evaluations, events, eligible = [], [], []
    for r in rows:
        renewal_id = made[r.id]
        facts = Facts(nik=r.nik, kk_number=r.kk_number, birth_date=r.birth_date, sex=r.sex,
                      category=r.category, monthly_income=r.monthly_income,
                      dtsen_dataset=getattr(dtsen, "id", None), dtsen_desil=desil.get(r.nik),
                      in_dtsen=r.nik in desil,
                      other_kk_applications=tuple(kk_holders.get(r.kk_number, ())),
                      payer=payer.get(r.nik))
        kk_holders.setdefault(r.kk_number, []).append(renewal_id)
        rules = rules_for(facts, policy, cap, today, continuing=True)
        failed = [rule["rule"] for rule in rules if not rule["passed"]]
        for name in failed:
            outcome.failed[name] = outcome.failed.get(name, 0) + 1
        if not failed:
            eligible.append(renewal_id)
        evaluations.append({
            "application_id": renewal_id, "policy_version_id": policy.id,
            "dtsen_dataset_id": facts.dtsen_dataset,
            "participants_dataset_id": getattr(payers, "id", None), "eligible": not failed,
            "desil": facts.dtsen_desil if facts.in_dtsen else None,
            "results": canonical_json({"reference_date": today.isoformat(), "rules": rules}),
            "evaluated_by_id": actor.user_id, "evaluated_at": now})
        events.append({"action": "application.renew", "entity_type": "application",
                       "entity_id": renewal_id, "reason": f"Lanjutan dari permohonan #{r.id}",
                       "diff": {"renews": [None, r.id], "program_year": [None, year],
                                "state": [None, "submitted" if failed else "verified"],
                                "eligible": [None, not failed], "failed_rules": [None, failed],
                                "policy_version": [None, policy.id],
                                "dtsen_dataset": [None, facts.dtsen_dataset]}})
    session.execute(insert(EligibilityEvaluation), evaluations)
    update_each(session, _APP, eligible, {"state": "verified", "state_changed_at": now},
                _APP.c.state == "submitted")
    session.execute(insert(ApplicationTransition), [
        {"application_id": renewal_id, "from_state": None, "to_state": "submitted",
         "actor_id": actor.user_id, "at": now, "reason": f"Lanjutan dari permohonan #{previous}"}
        for previous, renewal_id in made.items()] + [
        {"application_id": renewal_id, "from_state": "submitted", "to_state": "verified",
         "actor_id": None, "at": now, "reason": "Pemeriksaan ulang: semua syarat terpenuhi"}
        for renewal_id in eligible])
    outcome.renewals, outcome.eligible = len(rows), len(eligible)
    record(session, actor, "renewal.recheck", entity_type="budget_year", entity_id=str(year),
           diff={"renewals": [None, outcome.renewals], "eligible": [None, outcome.eligible],
                 "failed_rules": [None, outcome.failed], "policy_version": [None, policy.id],
                 "dtsen_dataset": [None, getattr(dtsen, "id", None)],
                 "participants_dataset": [None, getattr(payers, "id", None)]})
    record_many(session, actor, events)
    session.expire_all()
    return outcome


# A renewal in one of these states still asks for a decision before the membership ends.
LIVE_RENEWAL = ("verified", "waitlisted", "approved", "submitted_to_bpjs", "enrolled")


def end_at_year_end(session: Session, previous: Application, *, year: int, reason_code: str,
                    note: str, actor: Actor) -> None:
    """The participant does not continue into ``year``: cover ends on 31 December (the
    first month not paid is January), a failed renewal is rejected with the reason."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers end memberships."))
    if not (note or "").strip():
        raise InvalidInput(_l("A reason is required."))
    if previous.program_year != year - 1:
        raise InvalidInput(_l("Application %(id)s is not of %(year)d.", id=previous.id,
                              year=year - 1))
    renewal = session.execute(select(Application).where(
        Application.renews_id == previous.id)).scalar_one_or_none()
    if renewal is not None and renewal.state in LIVE_RENEWAL:
        raise InvalidTransition(_l(
            "Its renewal %(id)s is still open to the decree of %(year)d; the head declines it "
            "first if the membership is to end.", id=renewal.id, year=year))
    terminate_membership(session, previous, reason_code=reason_code,
                         effective_month=date(year, 1, 1), note=note, actor=actor)
    if renewal is not None and renewal.state == "submitted":
        apply_transition(session, renewal, "reject", actor=actor,
                         reason=f"{reason_code}: {note.strip()}")
