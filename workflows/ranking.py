"""The transparent priority among verified applications: desil ascending (poorest
first), then the policy's factors (female head of household, disability), then
who submitted first. Each rank carries its reason so the order can be explained.

A case whose worker restricted processing (UU PDP) keeps its place but is marked,
so it is neither approved nor promoted from the waiting list until lifted."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, EligibilityEvaluation, Kelurahan, Worker
from workflows.messages import lazy_gettext as _l
from workflows.restrictions import worker_restricted


@dataclass(frozen=True)
class RankedCase:
    rank: int
    application_id: int
    state: str
    worker_name: str
    nik: str
    kecamatan: str
    kelurahan: str
    category: str
    desil: int | None
    female_head_of_household: bool
    disability: bool
    submitted_at: datetime
    restricted: bool
    renewal: bool  # continues the previous year's membership (lanjutan)
    proposed: bool  # listed in an open proposal, which decides it
    kelurahan_code: str  # its kelurahan quota split (workflows.budget.split_keys)

    @property
    def reason(self) -> str:
        parts = [str(_l("desil %(d)s", d=self.desil if self.desil is not None else "-"))]
        if self.renewal:
            parts.append(str(_l("continuing participant")))
        if self.female_head_of_household:
            parts.append(str(_l("female head of household")))
        if self.disability:
            parts.append(str(_l("disability")))
        parts.append(str(_l("submitted %(day)s", day=self.submitted_at.date().isoformat())))
        return "; ".join(parts)


def ranking(session: Session, fiscal_year: int, *, states=("verified", "waitlisted"),
            only_ids=None) -> list[RankedCase]:
    latest = (select(EligibilityEvaluation.application_id,
                     func.max(EligibilityEvaluation.id).label("evaluation_id"))
              .group_by(EligibilityEvaluation.application_id).subquery())
    stmt = (select(Application.id, Application.state, Worker.full_name, Worker.nik,
                   Kelurahan.kecamatan_code, Kelurahan.name, Worker.category,
                   EligibilityEvaluation.desil, Worker.female_head_of_household,
                   Worker.disability, Application.submitted_at,
                   worker_restricted(Worker.id, Worker.nik).label("restricted"),
                   Application.renews_id.is_not(None).label("renewal"),
                   Application.proposal_id.is_not(None).label("proposed"),
                   Worker.kelurahan_code)
            .join(Worker, Application.worker_id == Worker.id)
            .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code)
            .outerjoin(latest, latest.c.application_id == Application.id)
            .outerjoin(EligibilityEvaluation, EligibilityEvaluation.id == latest.c.evaluation_id)
            .where(Application.program_year == fiscal_year, Application.state.in_(states))
            .order_by(EligibilityEvaluation.desil.is_(None), EligibilityEvaluation.desil,
                      Worker.female_head_of_household.desc(), Worker.disability.desc(),
                      Application.submitted_at, Application.id))
    rows = session.execute(stmt)
    if only_ids is not None:  # filtered here: a decree of 200,000 is no IN list of ids
        wanted = set(only_ids)
        rows = (row for row in rows if row.id in wanted)
    return [RankedCase(rank, *row) for rank, row in enumerate(rows, start=1)]
