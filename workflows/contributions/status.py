"""Where each participant stands: paid-through month, arrears, lapse warnings, and
the job that marks overdue months as arrears.

BPJS ends a BPU membership after more than 3 consecutive unpaid months (domain.md
§1.7); a late APBD is the usual cause, so the city must see it coming. The reads
come from ``reports.contributions`` (the case page uses the same query).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, Role, Worker
from reports.contributions import LapseWarning, lapse_list, unpaid_before
from reports.contributions import paid_through as _paid_through
from workflows.actor import Actor
from workflows.audit import record
from workflows.audit.access import checked_purpose, record_list_reads
from workflows.errors import NotAllowed
from workflows.messages import lazy_gettext as _l

_CM = ContributionMonth.__table__


def paid_through(session: Session, application: Application) -> date | None:
    """The last month of the unbroken paid run from the coverage start, or None."""
    return _paid_through(session, application)


def lapse_warnings(session: Session, today: date) -> list[LapseWarning]:
    """Enrolled participants paid through 2 or more months before today's month."""
    return lapse_list(session, today)


def count_lapse_warnings(session: Session, today: date, *, actor: Actor) -> tuple[int, int]:
    """How many participants are at or near the lapse, and how many of them have lapsed:
    counts only (nobody is named, so nothing personal is read), recorded so the weekly
    check shows in the log."""
    found = lapse_warnings(session, today)
    lapsed = sum(1 for w in found if w.lapsed)
    record(session, actor, "contributions.lapse_counted", entity_type="contribution_month",
           diff={"at_or_near_lapse": [None, len(found)], "lapsed": [None, lapsed],
                 "as_of": [None, today.isoformat()]})
    return len(found), lapsed


def read_lapse_warnings(session: Session, today: date, *, actor: Actor, purpose: str | None,
                        limit: int | None = None) -> tuple[list[LapseWarning], int]:
    """The named list (at most ``limit``, the longest unpaid first) and how many there
    are: it gives out names, NIKs and KPJs, so each one listed is an audited read with
    the stated purpose."""
    purpose = checked_purpose(purpose)  # required even when nobody is listed
    found = lapse_warnings(session, today)
    listed = found[:limit] if limit is not None else found
    record_list_reads(session, actor, "contributions.lapse_list", "application",
                      [w.application_id for w in listed], purpose=purpose)
    return listed, len(found)


@dataclass(frozen=True)
class Arrears:
    application_id: int
    worker_name: str
    nik: str
    months: int
    amount: int
    oldest: date


def arrears(session: Session, today: date) -> list[Arrears]:
    """Generated months before today's month that are still unpaid, per participant
    (what the city owes BPJS), the oldest debt first."""
    cm = ContributionMonth
    rows = session.execute(
        select(cm.application_id, Worker.full_name, Worker.nik, func.count(),
               func.sum(cm.amount), func.min(cm.month))
        .join(Application, Application.id == cm.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .where(unpaid_before(today))
        .group_by(cm.application_id, Worker.full_name, Worker.nik)
        .order_by(func.min(cm.month), cm.application_id)).all()
    return [Arrears(a, name, nik, n, int(amount), oldest)
            for a, name, nik, n, amount, oldest in rows]


def mark_arrears(session: Session, *, today: date, actor: Actor) -> int:
    """Turn due months older than today's month into arrears; one audit event."""
    if not (actor.has_role(Role.CASEWORKER) or actor.is_system):
        raise NotAllowed(_l("Only caseworkers or the scheduled job mark arrears."))
    current = today.replace(day=1)
    changed = session.execute(update(_CM).where(_CM.c.status == "due", _CM.c.month < current)
                              .values(status="arrears")).rowcount
    if changed:  # a run that changes nothing writes no event, like a repeated import
        record(session, actor, "contributions.mark_arrears", entity_type="contribution_month",
               diff={"status": ["due", "arrears"], "months": [None, changed],
                     "before": [None, f"{current:%Y-%m}"]})
    return changed
