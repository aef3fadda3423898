"""The renewal worklist of a year: where each participant of the year before stands on the
way into it, and who needs a caseworker (a failed re-check, a reserve of the new decree,
a renewal refused but the membership not yet ended, a new application made instead of
a renewal). Counted in SQL; only the first SHOWN needing attention are loaded."""
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from models import Application, EligibilityEvaluation, Worker

SHOWN = 200
# Stages a caseworker acts on (besides "not yet re-checked").
ATTENTION = ("failed", "reserve", "refused", "new_application")
# How a renewal's state reads on the worklist.
STAGES = {"submitted": "failed", "returned": "failed", "verified": "ready",
          "waitlisted": "reserve", "approved": "approved", "submitted_to_bpjs": "approved",
          "enrolled": "continued", "rejected": "refused", "declined": "refused"}


@dataclass(frozen=True)
class Attention:
    previous_id: int
    worker_name: str
    nik: str
    renewal_id: int | None
    stage: str  # failed, reserve, refused, unchecked, new_application
    failed_rules: list[str]


@dataclass(frozen=True)
class RenewalOverview:
    year: int
    participants: int  # enrolled in the year before (ended or not)
    waiting_for_bpjs: int  # sent to BPJS in the year before, reply not in yet
    unchecked: int
    ended: int  # memberships ended at the turn of the year
    stages: dict[str, int]
    attention: list[Attention]  # the first SHOWN
    attention_total: int


def _failed_rules(session: Session, ids: list[int]) -> dict[int, list[str]]:
    latest = (select(func.max(EligibilityEvaluation.id))
              .where(EligibilityEvaluation.application_id.in_(ids))
              .group_by(EligibilityEvaluation.application_id))
    return {application_id: [r["rule"] for r in json.loads(results)["rules"] if not r["passed"]]
            for application_id, results in session.execute(
                select(EligibilityEvaluation.application_id, EligibilityEvaluation.results)
                .where(EligibilityEvaluation.id.in_(latest)))}


def _stage(renewal, previous, year: int):
    """The stage as SQL: from the renewal's state, else a new application made instead
    (the re-check passes over those, workflows.renewal), else none yet."""
    applied_anew = aliased(Application)
    by_stage: dict[str, list[str]] = {}
    for state, stage in STAGES.items():
        by_stage.setdefault(stage, []).append(state)
    return case(*[(renewal.state.in_(states), stage) for stage, states in by_stage.items()],
                (exists().where(applied_anew.worker_id == previous.worker_id,
                                applied_anew.program_year == year,
                                applied_anew.renews_id.is_(None)), "new_application"),
                else_=None)


def renewal_overview(session: Session, year: int) -> RenewalOverview:
    previous, renewal = aliased(Application), aliased(Application)
    ended = (previous.state == "terminated") & (previous.exit_month == date(year, 1, 1))
    # A participant at the year's end: still enrolled, or ended on 31 December (one who
    # left during the year is not).
    rows = (select(previous.id.label("id"), Worker.full_name, Worker.nik,
                   renewal.id.label("renewal_id"), case((ended, 1), else_=0).label("ended"),
                   _stage(renewal, previous, year).label("stage"))
            .join(Worker, Worker.id == previous.worker_id)
            .outerjoin(renewal, renewal.renews_id == previous.id)
            .where(previous.program_year == year - 1, previous.kpj.is_not(None),
                   (previous.state == "enrolled") | ended).subquery())
    stages: dict[str, int] = {}
    participants = ended_count = unchecked = attention_total = 0
    for stage, is_ended, count in session.execute(
            select(rows.c.stage, rows.c.ended, func.count()).group_by(rows.c.stage,
                                                                       rows.c.ended)):
        participants += count
        if stage:
            stages[stage] = stages.get(stage, 0) + count
        if is_ended:
            ended_count += count
        elif stage is None:
            unchecked += count
            attention_total += count
        elif stage in ATTENTION:
            attention_total += count
    needing = (rows.c.ended == 0) & (rows.c.stage.is_(None) | rows.c.stage.in_(ATTENTION))
    shown = session.execute(select(rows.c.id, rows.c.full_name, rows.c.nik, rows.c.renewal_id,
                                   rows.c.stage).where(needing).order_by(rows.c.id)
                            .limit(SHOWN)).all()
    failed = _failed_rules(session, [r.renewal_id for r in shown if r.stage == "failed"])
    waiting = session.scalar(select(func.count()).select_from(Application).where(
        Application.program_year == year - 1, Application.state == "submitted_to_bpjs"))
    return RenewalOverview(year, participants, waiting, unchecked, ended_count, stages,
                           [Attention(r.id, r.full_name, r.nik, r.renewal_id,
                                      r.stage or "unchecked", failed.get(r.renewal_id, []))
                            for r in shown], attention_total)
