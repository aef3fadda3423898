"""The renewal worklist of a year: where each participant of the year before stands on the
way into it, and who needs a caseworker (a failed re-check, a reserve of the new decree,
a renewal refused but the membership not yet ended, a new application made instead of
a renewal). One query for the participants, one for the failed rules shown."""
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models import Application, EligibilityEvaluation, Worker

SHOWN = 200
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


def renewal_overview(session: Session, year: int) -> RenewalOverview:
    previous, renewal = aliased(Application), aliased(Application)
    of_last_year = (previous.program_year == year - 1)
    applied_anew = set(session.execute(select(Application.worker_id).where(
        Application.program_year == year, Application.renews_id.is_(None))).scalars())
    rows = session.execute(
        select(previous.id, previous.state, previous.exit_month, Worker.full_name, Worker.nik,
               renewal.id, renewal.state, previous.worker_id)
        .join(Worker, Worker.id == previous.worker_id)
        .outerjoin(renewal, renewal.renews_id == previous.id)
        .where(of_last_year, previous.state.in_(("enrolled", "terminated")),
               previous.kpj.is_not(None))
        .order_by(previous.id)).all()
    stages: dict[str, int] = {}
    attention, unchecked, ended, participants = [], 0, 0, 0
    for previous_id, state, exit_month, name, nik, renewal_id, renewal_state, worker_id in rows:
        is_ended = state == "terminated" and exit_month == date(year, 1, 1)
        if state == "terminated" and not is_ended:
            continue  # left during the year: not a participant at its end
        participants += 1
        ended += is_ended
        stage = STAGES.get(renewal_state) if renewal_id else None
        if stage is None and worker_id in applied_anew:
            stage = "new_application"  # the re-check passes over them (workflows.renewal)
        if stage:
            stages[stage] = stages.get(stage, 0) + 1
        elif not is_ended:
            unchecked += 1
        if not is_ended and stage in (None, "failed", "reserve", "refused", "new_application"):
            attention.append(Attention(previous_id, name, nik, renewal_id, stage or "unchecked",
                                       []))
    shown = attention[:SHOWN]
    failed = _failed_rules(session, [a.renewal_id for a in shown if a.stage == "failed"])
    shown = [Attention(a.previous_id, a.worker_name, a.nik, a.renewal_id, a.stage,
                       failed.get(a.renewal_id, [])) for a in shown]
    waiting = session.scalar(select(func.count()).select_from(Application).where(
        Application.program_year == year - 1, Application.state == "submitted_to_bpjs"))
    return RenewalOverview(year, participants, waiting, unchecked, ended, stages, shown,
                           len(attention))
