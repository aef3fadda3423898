"""Queueing notices in the transaction that changes the case (the outbox pattern): the
row exists exactly when the stage change does, and a job sends it after the commit
(caseapp/notices/jobs.py).

``queue_after_transition`` is called by ``workflows.states.apply_transition`` for every
single-case step; the set-wise verbs (signing a decree, a BPJS reply) call
``queue_for_cases`` with the ids they moved: one INSERT ... SELECT per few thousand.
Each application gets at most one notice per stage (a case carried over and approved
again is not told twice); the lapse-risk notice at most one per month
(``queue_lapse_notices``). Without the worker's consent the row is written as skipped,
so the log shows that nobody was told and why.
"""
from datetime import date

from sqlalchemy import and_, case, exists, insert, literal, select
from sqlalchemy.orm import Session

from models import Application, clock
from models.notice import NoticeConsent, WorkerNotice
from reports.contributions import lapse_list
from workflows.actor import Actor
from workflows.audit import record
from workflows.notices.templates import CURRENT
from workflows.setwise import chunks

SELF_PAYER_EXIT = "peserta_mandiri"  # workflows/exits.py: continues as a self-payer
DEATH_EXIT = "meninggal"


def stage_of(name: str, source: str | None, exit_reason: str | None) -> str | None:
    """The notice a transition of the state table gives the worker, if any: the first
    submission only (not a resubmission after a return), and nothing for a death: the
    family is met at the desk, and "your membership has ended" would reach the phone
    of the one who died."""
    if name == "submit":
        return "received" if source == "draft" else None
    if name in ("approve", "continue"):
        return "approved"
    if name == "enrol":
        return "kpj_issued"
    if name == "terminate":
        if exit_reason == DEATH_EXIT:
            return None
        return "continue_self_payer" if exit_reason == SELF_PAYER_EXIT else "ended"
    return None


def _has_consent(worker_id):
    return exists().where(NoticeConsent.worker_id == worker_id,
                          NoticeConsent.withdrawn_at.is_(None))


def _insert(session: Session, stage: str, where, period: date | None = None) -> int:
    """INSERT ... SELECT of one notice of ``stage`` per application matching ``where``
    that has none of that stage (and period) yet."""
    now = clock.now()
    wn = WorkerNotice
    told = exists().where(wn.application_id == Application.id, wn.stage == stage,
                          (wn.period == period) if period else wn.period.is_(None))
    consented = _has_consent(Application.worker_id)
    rows = select(
        Application.id, Application.worker_id, literal(stage), literal(CURRENT[stage]),
        literal(period, wn.period.type),
        case((consented, literal("queued")), else_=literal("skipped")),
        case((consented, None), else_=literal("no_consent")),
        literal(now, wn.created_at.type), literal(0),
        case((consented, literal(now, wn.next_attempt_at.type)), else_=None),
    ).where(where, ~told)
    return session.execute(insert(wn.__table__).from_select(
        ["application_id", "worker_id", "stage", "template_code", "period", "status",
         "skip_reason", "created_at", "attempts", "next_attempt_at"], rows)
        .execution_options(preserve_rowcount=True)).rowcount


def queue_for_cases(session: Session, stage: str, application_ids: list[int]) -> int:
    """One notice of ``stage`` for each of the cases a set-wise verb moved."""
    return sum(_insert(session, stage, Application.id.in_(chunk))
               for chunk in chunks(sorted(set(application_ids))))


def queue_after_transition(session: Session, application: Application, name: str,
                           source: str) -> int:
    """The notice of one step of ``apply_transition``, if the step has one."""
    stage = stage_of(name, source, application.exit_reason)
    if stage is None:
        return 0
    session.flush()
    return _insert(session, stage, Application.id == application.id)


def queue_lapse_notices(session: Session, application_ids: list[int], today: date) -> int:
    """Lapse-risk notices for participants whose contributions are overdue (the weekly
    lapse warnings), at most one per participant in ``today``'s month."""
    month = today.replace(day=1)
    return sum(_insert(session, "lapse_risk", and_(Application.id.in_(chunk),
                                                   Application.state == "enrolled"),
                       period=month)
               for chunk in chunks(sorted(set(application_ids))))


def notify_lapse_risk(session: Session, today: date, *, actor: Actor) -> int:
    """Queue the lapse-risk notices of the participants the weekly lapse warnings find
    not yet lapsed (domain.md §1.7: BPJS ends a BPU membership after more than 3 unpaid
    months; a late APBD is the usual cause), and record how many in one event."""
    at_risk = [w.application_id for w in lapse_list(session, today) if not w.lapsed]
    queued = queue_lapse_notices(session, at_risk, today)
    if queued:  # a week that adds nothing writes nothing
        record(session, actor, "notice.lapse_queued", entity_type="worker_notice",
               diff={"notices": [None, queued], "month": [None, f"{today:%Y-%m}"]})
    return queued
