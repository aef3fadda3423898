"""The head's decisions: approving a batch under one decree (SK), declining, sending
back to verification, and moving the waitlist up when money comes free.

A batch is decided in rank order against the locked budget: cases that fit are
approved and commit premium x months left; the rest are waitlisted as the
decree's reserve list. The decree freezes both lists (canonical JSON + SHA-256).
A batch of thousands is written with set-based statements, not row by row, so the
state table's guard on a worker's restriction (UU PDP) is checked here for all.
"""
import hashlib
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models import Application, ApplicationTransition, Decree, Role, clock
from workflows.actor import Actor
from workflows.audit import record_many
from workflows.audit.chain import canonical_json
from workflows.budget import (Capacity, commit_many, last_decision_day, lock_year, months_left,
                              release, split_keys)
from workflows.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from workflows.ranking import RankedCase, ranking
from workflows.states import apply_transition

_APP = Application.__table__
# Moving the reserve list up acts under the signed decree's authority, not a person's.
WAITLIST_ACTOR = Actor(None, "system:waitlist", (Role.HEAD.value,))
DECIDABLE = ("verified", "waitlisted")
CHUNK = 5_000


def _require_head(actor: Actor) -> None:
    if not actor.has_role(Role.HEAD):
        raise NotAllowed(_l("Only the head approves or declines applications."))


def _check_separation(session: Session, ids: list[int], actor: Actor) -> None:
    """Nobody approves a case they took in or verified."""
    own = set(session.execute(select(Application.id).where(
        Application.id.in_(ids), Application.taken_in_by_id == actor.user_id)).scalars())
    own |= set(session.execute(select(ApplicationTransition.application_id).where(
        ApplicationTransition.application_id.in_(ids),
        # The verify edge (submitted -> verified), not a carry-over that keeps "verified".
        ApplicationTransition.from_state == "submitted",
        ApplicationTransition.to_state == "verified",
        ApplicationTransition.actor_id == actor.user_id)).scalars())
    if own:
        raise NotAllowed(_l("You took in or verified application(s) %(ids)s; another head must "
                            "decide them.", ids=", ".join(map(str, sorted(own)))))


def _check_not_restricted(ranked: list[RankedCase]) -> None:
    """A decree covering a worker who restricted processing would be processing them."""
    restricted = sorted(c.application_id for c in ranked if c.restricted)
    if restricted:
        raise InvalidTransition(_l(
            "Processing of the data of the workers of application(s) %(ids)s is restricted at "
            "their request (UU PDP); nothing was approved. Answer or lift the restriction on "
            "the data subject request page first, or leave them out.",
            ids=", ".join(map(str, restricted))))


def check_sk_date(fiscal_year: int, sk_date: date) -> None:
    """An SK is dated the day it was signed, and only an SK that can still give cover
    in its year commits that year's budget."""
    today = clock.today()
    if sk_date > today:
        raise InvalidInput(_l("An SK cannot be dated after today (%(today)s); enter the day it "
                              "was signed.", today=today.isoformat()))
    last = last_decision_day(fiscal_year)
    if sk_date > last:
        raise InvalidTransition(_l(
            "An SK dated %(day)s can no longer cover anyone in %(year)d: BPJS cover starts the "
            "month after registration, so the last SK of %(year)d is dated %(last)s. Carry "
            "these applications over to %(next)d and decide them under that budget.",
            day=sk_date.isoformat(), year=fiscal_year, last=last.isoformat(),
            next=fiscal_year + 1))


def _snapshot(approved: list[tuple[RankedCase, int]], reserve: list[RankedCase]) -> str:
    def entry(case: RankedCase) -> dict:
        return {"rank": case.rank, "application": case.application_id, "nik": case.nik,
                "name": case.worker_name, "kelurahan": case.kelurahan,
                "category": case.category, "desil": case.desil, "reason": case.reason}
    return canonical_json({"approved": [{**entry(c), "commitment": amount}
                                        for c, amount in approved],
                           "reserve": [entry(c) for c in reserve]})


def _set_states(session: Session, ids: list[int], values: dict) -> None:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        done = session.execute(update(_APP).where(_APP.c.id.in_(chunk),
                                                  _APP.c.state.in_(DECIDABLE)).values(**values))
        if done.rowcount != len(chunk):
            raise Conflict(_l("Some applications changed in the meantime; nothing was "
                              "approved. Reload the list."))


def approve_batch(session: Session, *, fiscal_year: int, application_ids: list[int],
                  sk_number: str, sk_date: date, actor: Actor) -> Decree:
    _require_head(actor)
    sk_number = (sk_number or "").strip()
    if not sk_number or not application_ids:
        raise InvalidInput(_l("An SK number and at least one application are required."))
    ids = sorted(set(application_ids))
    check_sk_date(fiscal_year, sk_date)
    year = lock_year(session, fiscal_year)
    if session.scalar(select(Decree.id).where(Decree.sk_number == sk_number)) is not None:
        raise Conflict(_l("SK number %(sk)s is already used by another decree.", sk=sk_number))
    ranked = ranking(session, fiscal_year, only_ids=ids)
    if len(ranked) != len(ids):
        bad = sorted(set(ids) - {c.application_id for c in ranked})
        raise InvalidTransition(_l("Only verified or waitlisted applications of %(year)d can be "
                                   "decided; not: %(ids)s.", year=fiscal_year,
                                   ids=", ".join(map(str, bad))))
    _check_separation(session, ids, actor)
    _check_not_restricted(ranked)
    months = months_left(year, sk_date)
    amount = year.premium_per_month * months
    capacity = Capacity.of(session, year)
    approved, reserve = [], []
    for case in ranked:
        if capacity.take(amount, split_keys(case.kecamatan, case.category)):
            approved.append((case, amount))
        else:
            reserve.append(case)
    if not approved and all(c.state == "waitlisted" for c in reserve):
        raise Conflict(_l("No money or places are left for these applications; nothing was "
                          "approved. They stay on the waiting list."))
    snapshot = _snapshot(approved, reserve)
    decree = Decree(sk_number=sk_number, sk_date=sk_date, fiscal_year=fiscal_year,
                    approved_by_id=actor.user_id, approved_count=len(approved),
                    waitlisted_count=len(reserve), total_commitment=amount * len(approved),
                    snapshot=snapshot,
                    snapshot_sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest())
    session.add(decree)
    session.flush()
    now = clock.now()
    reason = f"SK {sk_number}"
    commit_many(session, fiscal_year, [
        {"application_id": c.application_id, "amount": a, "months": months, "reason": reason,
         "keys": split_keys(c.kecamatan, c.category)} for c, a in approved],
        actor=actor, decree_id=decree.id)
    _set_states(session, [c.application_id for c, _ in approved], {
        "state": "approved", "decree_id": decree.id, "approved_by_id": actor.user_id,
        "approved_at": now, "commitment": amount, "state_changed_at": now})
    _set_states(session, [c.application_id for c in reserve if c.state != "waitlisted"], {
        "state": "waitlisted", "decree_id": decree.id, "state_changed_at": now})
    moves = [(c, "approved", "approve") for c, _ in approved] + [
        (c, "waitlisted", "waitlist") for c in reserve if c.state != "waitlisted"]
    if moves:  # never an empty executemany: it would insert one row of defaults
        session.execute(insert(ApplicationTransition), [
            {"application_id": c.application_id, "from_state": c.state, "to_state": target,
             "actor_id": actor.user_id, "at": now, "reason": reason} for c, target, _ in moves])
    record_many(session, actor, [
        {"action": "decree.create", "entity_type": "decree", "entity_id": decree.id,
         "diff": {"sk_number": [None, sk_number], "sk_date": [None, sk_date.isoformat()],
                  "approved": [None, len(approved)], "waitlisted": [None, len(reserve)],
                  "total_commitment": [None, decree.total_commitment],
                  "snapshot_sha256": [None, decree.snapshot_sha256]}}] + [
        {"action": f"application.{verb}", "entity_type": "application",
         "entity_id": c.application_id, "reason": reason,
         "diff": {"state": [c.state, target], "decree": [None, decree.id],
                  **({"commitment": [None, amount]} if target == "approved" else {}),
                  "rank": [None, c.rank]}} for c, target, verb in moves])
    session.expire_all()
    return decree


def promote_waitlist(session: Session, fiscal_year: int, *, trigger: str, actor: Actor) -> int:
    """Approve reserves in rank order while money and places allow; each under its own SK.

    A reserve whose worker restricted processing is passed over without losing its
    rank: once the restriction is lifted, the next promotion or the head's next batch
    takes it."""
    today = clock.today()
    if today > last_decision_day(fiscal_year):
        return 0  # nobody could be covered in the year any more: reserves wait for carry-over
    year = lock_year(session, fiscal_year)
    capacity = Capacity.of(session, year)
    months = months_left(year, today)
    amount = year.premium_per_month * months
    promoted = 0
    for case in ranking(session, fiscal_year, states=("waitlisted",)):
        if case.restricted:
            continue
        if months < 1 or not capacity.take(amount, split_keys(case.kecamatan, case.category)):
            break  # strictly in order: nobody jumps the queue
        application = session.get(Application, case.application_id)
        decree = session.get(Decree, application.decree_id)
        commit_many(session, fiscal_year, [{
            "application_id": application.id, "amount": amount, "months": months,
            "reason": trigger, "keys": split_keys(case.kecamatan, case.category)}],
            actor=actor, decree_id=decree.id)
        application = session.get(Application, case.application_id)
        application.approved_by_id, application.approved_at = decree.approved_by_id, clock.now()
        application.commitment = amount
        apply_transition(session, application, "approve", actor=actor,
                         reason=f"{trigger}; SK {decree.sk_number}, cadangan peringkat {case.rank}")
        promoted += 1
    return promoted


def decline_application(session: Session, application: Application, *, reason: str,
                        actor: Actor) -> None:
    _require_head(actor)
    _check_separation(session, [application.id], actor)
    was_approved = application.state == "approved"
    apply_transition(session, application, "decline", actor=actor, reason=reason)
    if was_approved:
        release(session, application, amount=application.commitment or 0, months=0,
                free_place=True, reason=f"Ditolak kepala dinas: {reason}", actor=actor)
        promote_waitlist(session, application.program_year, actor=WAITLIST_ACTOR,
                         trigger=f"Tempat kosong dari permohonan #{application.id}")


def send_back_application(session: Session, application: Application, *, reason: str,
                          actor: Actor) -> None:
    """Back to verification; a reserve leaves the decree's waiting list."""
    _require_head(actor)
    apply_transition(session, application, "send_back", actor=actor, reason=reason)
    application.decree_id = None
