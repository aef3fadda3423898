"""The head's proposal (usulan) of a Keputusan Wali Kota fixing the participants.

In Kota Bekasi the participant list is fixed by a decree of the mayor prepared by
Disnaker (e.g. No. 500.15.1/Kep.655-Disnaker/X/2025, domain.md §2.1): the head
proposes, the proposal is printed and signed, and the number and date are entered
afterwards (``workflows.approval.sign_decree``). The proposal decides, in rank
order against the budget, who is approved and who is the reserve, and freezes
both lists as canonical JSON with their SHA-256: what the mayor signs is exactly
what is applied. One proposal per year is open at a time, so two never count the
same money.
"""
import hashlib
import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, ApplicationTransition, Decree, Role, clock
from workflows.actor import Actor
from workflows.audit import record, record_many
from workflows.audit.chain import canonical_json
from workflows.budget import last_decision_day, lock_year
from workflows.decisions import Terms, fit
from workflows.errors import (Conflict, InvalidInput, InvalidTransition, NotAllowed,
                             Repeated)
from workflows.messages import lazy_gettext as _l
from workflows.ranking import DECIDING, RankedCase, ranking
from workflows.setwise import chunks, update_each

_APP = Application.__table__


def require_head(actor: Actor) -> None:
    if not actor.has_role(Role.HEAD):
        raise NotAllowed(_l("Only the head approves or declines applications."))


def own_cases(session: Session, ids: list[int], actor: Actor) -> dict[int, str]:
    """Which of ``ids`` the actor took in ("intake") or verified ("verify"): separation
    of duties leaves them to another head, and the ranking page says so."""
    own: dict[int, str] = {}
    for chunk in chunks(ids):
        own.update(dict.fromkeys(session.execute(
            select(ApplicationTransition.application_id).where(
                ApplicationTransition.application_id.in_(chunk),
                # The verify edge (submitted -> verified), not a carry-over that keeps
                # "verified".
                ApplicationTransition.from_state == "submitted",
                ApplicationTransition.to_state == "verified",
                ApplicationTransition.actor_id == actor.user_id)).scalars(), "verify"))
        own.update(dict.fromkeys(session.execute(select(Application.id).where(
            Application.id.in_(chunk), Application.taken_in_by_id == actor.user_id)
        ).scalars(), "intake"))
    return own


def check_separation(session: Session, ids: list[int], actor: Actor) -> None:
    """Nobody decides a case they took in or verified."""
    own = own_cases(session, ids, actor)
    if own:
        raise NotAllowed(_l("You took in or verified application(s) %(ids)s; another head must "
                            "decide them.", ids=", ".join(map(str, sorted(own)))))


def check_not_restricted(ranked: list[RankedCase]) -> None:
    """A decree covering a worker who restricted processing would be processing them."""
    restricted = sorted(c.application_id for c in ranked if c.restricted)
    if restricted:
        raise InvalidTransition(_l(
            "Processing of the data of the workers of application(s) %(ids)s is restricted at "
            "their request (UU PDP); nothing was approved. Answer or lift the restriction on "
            "the data subject request page first, or leave them out.",
            ids=", ".join(map(str, restricted))))


def decided_cases(session: Session, fiscal_year: int, ids: list[int]) -> list[RankedCase]:
    """The ranked cases of ``ids``; refuses when one is not open to a decision."""
    ranked = ranking(session, fiscal_year, only_ids=ids)
    if len(ranked) != len(ids):
        bad = sorted(set(ids) - {c.application_id for c in ranked})
        raise InvalidTransition(_l("Only verified or waitlisted applications of %(year)d can be "
                                   "decided; not: %(ids)s.", year=fiscal_year,
                                   ids=", ".join(map(str, bad))))
    return ranked


def open_proposal(session: Session, fiscal_year: int) -> Decree | None:
    return session.execute(select(Decree).where(Decree.fiscal_year == fiscal_year,
                                                Decree.status == "proposed")
                           ).scalar_one_or_none()


def lock_open_proposal(session: Session, decree: Decree) -> None:
    """Re-read under a lock: a second click finds it signed or withdrawn and is refused."""
    session.refresh(decree, with_for_update=True)
    if decree.status != "proposed":
        raise InvalidTransition(_l("%(title)s is not an open proposal.", title=decree.title))


def frozen_lists(decree: Decree) -> tuple[list[int], list[int]]:
    """The application ids the decree approves and holds in reserve, in rank order."""
    lists = json.loads(decree.snapshot)
    return ([e["application"] for e in lists["approved"]],
            [e["application"] for e in lists["reserve"]])


def listed(decree: Decree) -> list[int]:
    """Every application of the decree's frozen lists."""
    approved, reserve = frozen_lists(decree)
    return approved + reserve


def _snapshot(approved: list[Terms], reserve: list[RankedCase]) -> str:
    def entry(case: RankedCase) -> dict:
        return {"rank": case.rank, "application": case.application_id, "nik": case.nik,
                "name": case.worker_name, "kelurahan": case.kelurahan,
                "category": case.category, "desil": case.desil, "reason": case.reason,
                "continuing": case.renewal}
    return canonical_json({"approved": [entry(t.case) for t in approved],
                           "reserve": [entry(c) for c in reserve]})


def _number(session: Session, fiscal_year: int) -> str:
    count = session.scalar(select(func.count()).select_from(Decree)
                           .where(Decree.fiscal_year == fiscal_year))
    return f"USULAN-{fiscal_year}-{count + 1:03d}"


def propose_batch(session: Session, *, fiscal_year: int, application_ids: list[int],
                  actor: Actor, on: date | None = None) -> Decree:
    """Decide in rank order who fits (as of ``on``, today by default) and freeze the lists."""
    require_head(actor)
    if not application_ids:
        raise InvalidInput(_l("Choose at least one application."))
    on = on or clock.today()
    if on > last_decision_day(fiscal_year):
        raise InvalidTransition(_l(
            "%(year)d can no longer cover new participants after %(last)s; carry these "
            "applications over to %(next)d and propose them there.", year=fiscal_year,
            last=last_decision_day(fiscal_year).isoformat(), next=fiscal_year + 1))
    ids = sorted(set(application_ids))
    year = lock_year(session, fiscal_year)
    pending = open_proposal(session, fiscal_year)
    if pending is not None:
        if pending.proposed_by_id == actor.user_id and set(listed(pending)) == set(ids):
            raise Repeated(_l("Proposal %(number)s with these applications is already made; "
                              "nothing was proposed twice.", number=pending.proposal_number))
        raise Conflict(_l("Proposal %(number)s for %(year)d is still open; enter its signed "
                          "decree or withdraw it first.", number=pending.proposal_number,
                          year=fiscal_year))
    ranked = decided_cases(session, fiscal_year, ids)
    check_separation(session, ids, actor)
    check_not_restricted(ranked)
    approved, reserve = fit(session, year, ranked, on)
    if not approved and all(c.state == "waitlisted" for c in reserve):
        raise Conflict(_l("No money or places are left for these applications; nothing was "
                          "approved. They stay on the waiting list."))
    snapshot = _snapshot(approved, reserve)
    decree = Decree(status="proposed", proposal_number=_number(session, fiscal_year),
                    proposed_by_id=actor.user_id, fiscal_year=fiscal_year,
                    approved_count=len(approved), waitlisted_count=len(reserve),
                    total_commitment=sum(t.amount for t in approved), snapshot=snapshot,
                    snapshot_sha256=hashlib.sha256(snapshot.encode("utf-8")).hexdigest())
    session.add(decree)
    session.flush()
    # Listed: still decidable and in no other proposal, or the whole step refuses.
    if update_each(session, _APP, ids, {"proposal_id": decree.id}, _APP.c.state.in_(DECIDING),
                   _APP.c.proposal_id.is_(None)) != len(ids):
        raise Conflict(_l("Some applications changed in the meantime; nothing was proposed. "
                          "Reload the list."))
    record_many(session, actor, [
        {"action": "decree.propose", "entity_type": "decree", "entity_id": decree.id,
         "diff": {"proposal_number": [None, decree.proposal_number],
                  "approved": [None, len(approved)], "waitlisted": [None, len(reserve)],
                  "estimated_commitment": [None, decree.total_commitment],
                  "snapshot_sha256": [None, decree.snapshot_sha256]}}] + [
        {"action": "application.propose", "entity_type": "application",
         "entity_id": case.application_id, "reason": decree.proposal_number,
         "diff": {"proposal": [None, decree.id], "proposed_as": [None, role],
                  "rank": [None, case.rank]}}
        for case, role in [(t.case, "approved") for t in approved] +
        [(c, "reserve") for c in reserve]])
    session.expire_all()
    return decree


def withdraw_proposal(session: Session, decree: Decree, *, reason: str, actor: Actor) -> None:
    """The mayor did not sign it (or the list must change): its cases are free again."""
    require_head(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("A reason is required."))
    lock_open_proposal(session, decree)
    approved, reserve = frozen_lists(decree)
    update_each(session, _APP, approved + reserve, {"proposal_id": None},
                _APP.c.proposal_id == decree.id)
    decree.status, decree.withdraw_reason = "withdrawn", reason
    record(session, actor, "decree.withdraw", entity=decree,
           diff={"status": ["proposed", "withdrawn"]}, reason=reason)
