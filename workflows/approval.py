"""The head's decisions: entering the signed decree of a proposal (which approves its
list and commits the budget), declining, sending back to verification, and moving
the waitlist up when money comes free.

A signed decree applies exactly the list its proposal froze (workflows.proposal):
approved cases commit premium x months from the decree's month (a continuing
participant from the month their cover runs on, and is enrolled at once with the
same KPJ); the rest stay the decree's reserve. A list of thousands is written with
set-based statements, not row by row, so the state table's guard on a worker's
restriction (UU PDP) is checked here for all.
"""
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, aliased

from models import Application, ApplicationTransition, Decree, Role, clock
from reports.formatting import rupiah
from workflows.actor import Actor
from workflows.audit import record_many
from workflows.audit.masking import mask
from workflows.budget import (Capacity, commit_many, last_decision_day, lock_year, release,
                              split_keys)
from workflows.decisions import Terms, terms_for
from workflows.errors import Conflict, InvalidInput, InvalidTransition, Repeated
from workflows.messages import lazy_gettext as _l
from workflows.notices.queue import queue_for_cases
from workflows.proposal import (check_not_restricted, check_separation,
                                decided_cases, frozen_lists, listed, lock_open_proposal,
                                open_proposal, propose_batch, require_head)
from workflows.ranking import DECIDING, ranking
from workflows.setwise import chunks, update_each
from workflows.states import apply_transition

_APP = Application.__table__
# Moving the reserve list up acts under the signed decree's authority, not a person's.
WAITLIST_ACTOR = Actor(None, "system:waitlist", (Role.HEAD.value,))


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


def check_sk_number_free(session: Session, sk_number: str, ids: list[int],
                         actor: Actor) -> None:
    """An SK number names one decree. The same head entering it again for the same
    applications (a double click, back and resubmit) hears that it is done."""
    other = session.execute(select(Decree).where(Decree.sk_number == sk_number)
                            ).scalar_one_or_none()
    if other is None:
        return
    if other.approved_by_id == actor.user_id and set(listed(other)) == set(ids):
        raise Repeated(_l("SK %(sk)s is already entered, for these applications (%(number)s); "
                          "nothing was applied twice.", sk=sk_number,
                          number=other.proposal_number))
    raise Conflict(_l("SK number %(sk)s is already entered for %(other)s.", sk=sk_number,
                      other=other.proposal_number))


def _set_states(session: Session, ids: list[int], values: dict, *, holder: int) -> None:
    """Decide cases still open to a decision and held by proposal ``holder``."""
    if update_each(session, _APP, ids, values, _APP.c.state.in_(DECIDING),
                   _APP.c.proposal_id == holder) != len(ids):
        raise Conflict(_l("Some applications changed in the meantime; nothing was "
                          "approved. Reload the list."))


def _still_listed(session: Session, decree: Decree, ids: list[int]) -> None:
    """Every case of the frozen list is still open to the decision and held by it."""
    held = set()
    for chunk in chunks(ids):
        held |= set(session.execute(select(Application.id).where(
            Application.id.in_(chunk), Application.proposal_id == decree.id,
            Application.state.in_(DECIDING))).scalars())
    moved = sorted(set(ids) - held)
    if moved:
        raise Conflict(_l("Application(s) %(ids)s changed since %(number)s was proposed; the "
                          "signed list can no longer be applied as it is. Withdraw the proposal "
                          "and propose again.", ids=", ".join(map(str, moved)),
                          number=decree.proposal_number))


def _approve(session: Session, decree: Decree, approved: list[Terms], now) -> None:
    """Approved cases in as few statements as there are distinct terms; a continuing
    participant is enrolled under the previous year's KPJ at once."""
    previous = aliased(Application)
    groups: dict[tuple, list[int]] = {}
    for terms in approved:
        start = terms.continuation.start if terms.continuation else None
        groups.setdefault((terms.amount, start), []).append(terms.case.application_id)
    for (amount, start), ids in groups.items():
        values = {"state": "approved", "decree_id": decree.id, "proposal_id": None,
                  "approved_by_id": decree.approved_by_id, "approved_at": now,
                  "commitment": amount, "state_changed_at": now}
        if start is not None:
            values.update(state="enrolled", coverage_start=start, kpj=select(previous.kpj)
                          .where(previous.id == _APP.c.renews_id).scalar_subquery())
        _set_states(session, ids, values, holder=decree.id)


def _moves(approved: list[Terms], reserve) -> list[tuple]:
    """(case, from, to, transition) for every state change the decree makes."""
    moves = []
    for terms in approved:
        moves.append((terms.case, terms.case.state, "approved", "approve"))
        if terms.continuation:
            moves.append((terms.case, "approved", "enrolled", "continue"))
    return moves + [(c, c.state, "waitlisted", "waitlist") for c in reserve
                    if c.state != "waitlisted"]


def _events(decree: Decree, approved: list[Terms], moves: list[tuple], reason: str) -> list:
    amounts = {t.case.application_id: t for t in approved}

    def detail(case, target) -> dict:
        terms = amounts.get(case.application_id)
        if target == "approved":
            return {"decree": [None, decree.id], "commitment": [None, terms.amount],
                    "months": [None, terms.months], "rank": [None, case.rank]}
        if target == "enrolled":  # the KPJ identifies a person: the log keeps a keyed hash
            return {"kpj": [None, mask(terms.continuation.kpj)],
                    "coverage_start": [None, terms.continuation.start.isoformat()]}
        return {"decree": [None, decree.id], "rank": [None, case.rank]}
    return [{"action": f"application.{verb}", "entity_type": "application",
             "entity_id": case.application_id, "reason": reason,
             "diff": {"state": [source, target], **detail(case, target)}}
            for case, source, target, verb in moves]


def sign_decree(session: Session, decree: Decree, *, sk_number: str, sk_date: date,
                actor: Actor) -> Decree:
    """The mayor signed the proposal: enter its number and date; the list is applied."""
    require_head(actor)
    sk_number = (sk_number or "").strip()
    if not sk_number:
        raise InvalidInput(_l("Enter the number of the signed decree."))
    approved_ids, reserve_ids = frozen_lists(decree)
    every = approved_ids + reserve_ids
    try:
        lock_open_proposal(session, decree)
    except InvalidTransition:  # signed meanwhile: by this very form, sent twice?
        check_sk_number_free(session, sk_number, every, actor)
        raise
    check_sk_date(decree.fiscal_year, sk_date)
    year = lock_year(session, decree.fiscal_year)
    check_sk_number_free(session, sk_number, every, actor)
    _still_listed(session, decree, every)
    ranked = {c.application_id: c for c in decided_cases(
        session, decree.fiscal_year, sorted(every))}
    check_separation(session, list(ranked), actor)
    check_not_restricted(list(ranked.values()))
    approved = terms_for(session, year, [ranked[i] for i in approved_ids], sk_date)
    reserve = [ranked[i] for i in reserve_ids]
    needed = sum(t.amount for t in approved)
    if needed > year.remaining or len(approved) > year.quota - year.places_used:
        raise Conflict(_l(
            "The budget of %(year)d no longer holds the signed list (%(needed)s and %(n)d places; "
            "%(left)s and %(places)d places are left). Revise the budget year, or withdraw the "
            "proposal and propose again.", year=decree.fiscal_year, needed=rupiah(needed),
            n=len(approved), left=rupiah(year.remaining),
            places=year.quota - year.places_used))
    now, reason = clock.now(), f"SK {sk_number}"
    decree.status, decree.sk_number, decree.sk_date = "signed", sk_number, sk_date
    decree.approved_by_id, decree.signed_at = actor.user_id, now
    estimate, decree.total_commitment = decree.total_commitment, needed
    session.flush()
    commit_many(session, decree.fiscal_year, [
        {"application_id": t.case.application_id, "amount": t.amount, "months": t.months,
         "reason": reason,
         "keys": split_keys(t.case.kecamatan, t.case.category, t.case.kelurahan_code)}
        for t in approved], actor=actor, decree_id=decree.id)
    _approve(session, decree, approved, now)
    _set_states(session, [c.application_id for c in reserve if c.state != "waitlisted"], {
        "state": "waitlisted", "decree_id": decree.id, "state_changed_at": now},
        holder=decree.id)
    _set_states(session, reserve_ids, {"proposal_id": None}, holder=decree.id)
    moves = _moves(approved, reserve)
    if moves:  # never an empty executemany: it would insert one row of defaults
        session.execute(insert(ApplicationTransition), [
            {"application_id": c.application_id, "from_state": source, "to_state": target,
             "actor_id": actor.user_id, "at": now, "reason": reason}
            for c, source, target, _ in moves])
    queue_for_cases(session, "approved", [t.case.application_id for t in approved])
    record_many(session, actor, [
        {"action": "decree.sign", "entity_type": "decree", "entity_id": decree.id,
         "diff": {"status": ["proposed", "signed"], "sk_number": [None, sk_number],
                  "sk_date": [None, sk_date.isoformat()],
                  "total_commitment": [estimate, decree.total_commitment],
                  "continuing": [None, sum(1 for t in approved if t.continuation)],
                  "snapshot_sha256": [None, decree.snapshot_sha256]}}]
        + _events(decree, approved, moves, reason))
    session.expire_all()
    return decree


def approve_batch(session: Session, *, fiscal_year: int, application_ids: list[int],
                  sk_number: str, sk_date: date, actor: Actor) -> Decree:
    """Propose and enter the signed decree in one go (a decree signed the day it was
    proposed; also the demo's and the tests' shorthand)."""
    require_head(actor)
    if not (sk_number or "").strip():
        raise InvalidInput(_l("An SK number and at least one application are required."))
    check_sk_date(fiscal_year, sk_date)
    lock_year(session, fiscal_year)  # a second click waits here until the first is done
    check_sk_number_free(session, sk_number.strip(), application_ids, actor)
    decree = propose_batch(session, fiscal_year=fiscal_year, application_ids=application_ids,
                           actor=actor, on=sk_date)
    return sign_decree(session, decree, sk_number=sk_number, sk_date=sk_date, actor=actor)


def promote_waitlist(session: Session, fiscal_year: int, *, trigger: str, actor: Actor) -> int:
    """Approve reserves in rank order while money and places allow; each under the decree
    that named it as reserve.

    A reserve whose worker restricted processing, or that an open proposal lists, is
    passed over without losing its rank: the next promotion or that proposal takes it."""
    today = clock.today()
    if today > last_decision_day(fiscal_year):
        return 0  # nobody could be covered in the year any more: reserves wait for carry-over
    year = lock_year(session, fiscal_year)
    capacity = Capacity.of(session, year)
    pending = open_proposal(session, fiscal_year)
    if pending is not None:  # what the mayor may be signing is not free for reserves
        capacity.money -= pending.total_commitment
        capacity.places -= pending.approved_count
    waiting = [c for c in ranking(session, fiscal_year, states=("waitlisted",))
               if not (c.restricted or c.proposed)]
    promoted = 0
    for terms in terms_for(session, year, waiting, today):
        case = terms.case
        keys = split_keys(case.kecamatan, case.category, case.kelurahan_code)
        if terms.months < 1 or not capacity.take(terms.amount, keys):
            break  # strictly in order: nobody jumps the queue
        application = session.get(Application, case.application_id)
        decree = session.get(Decree, application.decree_id)
        commit_many(session, fiscal_year, [{
            "application_id": application.id, "amount": terms.amount, "months": terms.months,
            "reason": trigger, "keys": keys}],
            actor=actor, decree_id=decree.id)
        application = session.get(Application, case.application_id)
        application.approved_by_id, application.approved_at = decree.approved_by_id, clock.now()
        application.commitment = terms.amount
        reason = f"{trigger}; SK {decree.sk_number}, cadangan peringkat {case.rank}"
        apply_transition(session, application, "approve", actor=actor, reason=reason)
        if terms.continuation:
            apply_transition(session, application, "continue", actor=actor, reason=reason,
                             changes={"kpj": terms.continuation.kpj,
                                      "coverage_start": terms.continuation.start})
        promoted += 1
    return promoted


def decline_application(session: Session, application: Application, *, reason: str,
                        actor: Actor) -> None:
    require_head(actor)
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
    require_head(actor)
    apply_transition(session, application, "send_back", actor=actor, reason=reason)
    application.decree_id = None
