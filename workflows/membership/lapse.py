"""The lapse (nonaktif) of a membership and its reactivation, set-wise.

BPJS ends a BPU membership after more than 3 consecutive unpaid months (Perdir
22/PERDIR.02/072022, PROBIS manual p. 59: "lebih dari 3 bulan berturut-turut";
BPJS FAQ: membership and protection become inactive; domain.md §1.7). A late APBD is
the usual cause, and the manual lets a donor pay the arrears afterwards: so a lapse
is a flag on the participant's membership record, not an exit. The application stays
enrolled; ending the cover for good is an exit (reason nonaktif_bpjs) someone decides.

- ``mark_lapsed``: the daily job (and a caseworker) flags everyone past the rule;
- a status file saying NONAKTIF flags the participant too (workflows/membership/
  status_import.py), one saying AKTIF reactivates;
- ``reactivate_paid_up``: recording a payment (workflows/contributions/payment.py)
  reactivates the lapsed whose every month before today's month is now paid.
Each participant's change is one audit event (``record_many``: one lock of the chain
for the whole set), like the decree's per-case events.
"""
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import MembershipStatus, Role, clock
from reports.contributions import month_of
from reports.membership_status import caught_up, lapse_due
from workflows.actor import Actor
from workflows.audit import record_many
from workflows.errors import Conflict, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.setwise import chunks, update_rows

_MS = MembershipStatus.__table__
UNPAID, BPJS_NONAKTIF = "unpaid", "bpjs_nonaktif"
BY_PAYMENT, BY_BPJS = "payment", "bpjs_aktif"


def _first_per_key(rows: list[tuple]) -> list[tuple]:
    """The first row per value of the first column (a worker, a record): a worker whose
    applications of two years are both listed has one membership record."""
    first: dict = {}
    for row in rows:
        first.setdefault(row[0], row)
    return list(first.values())


def check_may_change(actor: Actor) -> None:
    if not (actor.has_role(Role.CASEWORKER) or actor.is_system):
        raise NotAllowed(_l("Only caseworkers or the scheduled job change a membership's "
                            "lapse."))


def ensure_records(session: Session, pairs: list[tuple[int, int]]) -> dict[int, int]:
    """``{worker_id: record id}`` for ``(worker_id, application_id)`` pairs, creating the
    missing records (no status yet, not lapsed); the caller's event covers them."""
    found: dict[int, int] = {}
    for chunk in chunks([w for w, _a in pairs]):
        found.update(session.execute(select(_MS.c.worker_id, _MS.c.id)
                                     .where(_MS.c.worker_id.in_(chunk))).all())
    missing = [{"worker_id": w, "application_id": a, "lapsed": False, "updated_at": clock.now()}
               for w, a in dict(pairs).items() if w not in found]
    if missing:
        session.execute(insert(_MS), missing)
        for chunk in chunks([m["worker_id"] for m in missing]):
            found.update(session.execute(select(_MS.c.worker_id, _MS.c.id)
                                         .where(_MS.c.worker_id.in_(chunk))).all())
    return found


def lapse_records(session: Session, items: list[dict], *, reason: str, on: date,
                  actor: Actor) -> int:
    """Flag the records of ``items`` (``record_id``, ``application_id`` and what the event
    adds under ``detail``) lapsed for ``reason``; those already lapsed are left alone."""
    now = clock.now()
    changed = update_rows(session, _MS, [
        {"id": item["record_id"], "lapsed": True, "lapsed_on": on, "lapse_reason": reason,
         "reactivated_on": None, "updated_at": now} for item in items],
        _MS.c.lapsed.is_(False))
    if changed != len(items):  # another session flagged some meanwhile: start again
        raise Conflict(_l("The memberships changed meanwhile; run it again."))
    record_many(session, actor, [
        {"action": "membership.lapse", "entity_type": "membership_status",
         "entity_id": item["record_id"],
         "diff": {"lapsed": [False, True], "lapse_reason": [None, reason],
                  "lapsed_on": [None, on.isoformat()],
                  "application": [None, item["application_id"]], **item.get("detail", {})}}
        for item in items])
    return changed


def reactivate_records(session: Session, items: list[dict], *, by: str, on: date,
                       actor: Actor) -> int:
    """Clear the lapse of the records of ``items`` (``record_id``, ``application_id``,
    ``lapse_reason`` as it was, and an optional ``detail``)."""
    now = clock.now()
    changed = update_rows(session, _MS, [
        {"id": item["record_id"], "lapsed": False, "lapse_reason": None, "reactivated_on": on,
         "updated_at": now} for item in items], _MS.c.lapsed.is_(True))
    if changed != len(items):
        raise Conflict(_l("The memberships changed meanwhile; run it again."))
    record_many(session, actor, [
        {"action": "membership.reactivate", "entity_type": "membership_status",
         "entity_id": item["record_id"],
         "diff": {"lapsed": [True, False], "lapse_reason": [item["lapse_reason"], None],
                  "reactivated_by": [None, by], "reactivated_on": [None, on.isoformat()],
                  "application": [None, item["application_id"]], **item.get("detail", {})}}
        for item in items])
    return changed


def mark_lapsed(session: Session, *, today: date, actor: Actor) -> int:
    """Flag every enrolled participant with more than 3 consecutive unpaid months (today's
    month counted) as lapsed; how many. A second run the same day finds nobody."""
    check_may_change(actor)
    due = _first_per_key(lapse_due(session, today))  # a worker's record is one
    if not due:
        return 0
    records = ensure_records(session, [(worker, application) for worker, application, *_ in due])
    return lapse_records(session, [
        {"record_id": records[worker], "application_id": application,
         "detail": {"months_unpaid": [None, months],
                    "paid_through": [None, f"{month_of(paid):%Y-%m}"]}}
        for worker, application, _record, paid, months in due],
        reason=UNPAID, on=today, actor=actor)


def reactivate_paid_up(session: Session, *, today: date, actor: Actor) -> int:
    """Reactivate every lapsed participant whose months before today's month are all paid
    now: the city's late payment arrived. Set-wise over the lapsed, who are few, so a
    payment batch of 200,000 people costs one query here."""
    check_may_change(actor)
    found = _first_per_key(caught_up(session, today))  # lapsed for unpaid months only
    if not found:
        return 0
    return reactivate_records(session, [
        {"record_id": record, "application_id": application, "lapse_reason": UNPAID,
         "detail": {"paid_through": [None, f"{month_of(paid):%Y-%m}"]}}
        for record, application, paid in found], by=BY_PAYMENT, on=today, actor=actor)


def update_lapses(session: Session, *, today: date, actor: Actor) -> tuple[int, int]:
    """The daily run: reactivate whoever caught up, then flag whoever is past the rule;
    ``(lapsed, reactivated)``."""
    reactivated = reactivate_paid_up(session, today=today, actor=actor)
    return mark_lapsed(session, today=today, actor=actor), reactivated
