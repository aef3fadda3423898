"""The transparent priority among verified applications: desil ascending (poorest
first), then the policy's factors (female head of household, disability), then
who submitted first. Each rank carries its reason so the order can be explained.

A case whose worker restricted processing (UU PDP) keeps its place but is marked,
so it is neither approved nor promoted from the waiting list until lifted."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Application, Kelurahan, Worker
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


DECIDING = ("verified", "waitlisted")  # the cases the ranking orders


def rank_order(case=Application) -> tuple:
    """The ranking rule, the one place it is written: desil ascending (none last), then
    female head of household, then disability, then the earliest submission (then the
    number, so no two cases tie). ``case`` is the entity or an alias of a query over it;
    the facts are the case's copies (models/application.py), which ix_application_ranking
    holds in this order."""
    return (case.desil.asc().nulls_last(), case.female_head_of_household.desc(),
            case.disability.desc(), case.submitted_at, case.id)


def awaiting(fiscal_year: int, states=DECIDING) -> tuple:
    """The conditions of the cases ranked: ``states`` of the programme year."""
    return Application.program_year == fiscal_year, Application.state.in_(states)


def case_rows() -> Select:
    """The columns of ``RankedCase`` after its rank, for the cases the caller chooses."""
    return (select(Application.id, Application.state, Worker.full_name, Worker.nik,
                   Kelurahan.kecamatan_code, Kelurahan.name, Worker.category,
                   Application.desil, Application.female_head_of_household,
                   Application.disability, Application.submitted_at,
                   worker_restricted(Application.worker_id).label("restricted"),
                   Application.renews_id.is_not(None).label("renewal"),
                   Application.proposal_id.is_not(None).label("proposed"),
                   Worker.kelurahan_code)
            .join(Worker, Application.worker_id == Worker.id)
            .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code))


def ranking(session: Session, fiscal_year: int, *, states=DECIDING,
            only_ids=None) -> list[RankedCase]:
    """Every case of ``states`` in rank order, set-wise for the verbs (a proposal, the
    waiting list); the page reads one page of it (workflows/ranking_page.py)."""
    rows = session.execute(case_rows().where(*awaiting(fiscal_year, states))
                           .order_by(*rank_order()))
    if only_ids is not None:  # filtered here: a decree of 200,000 is no IN list of ids
        wanted = set(only_ids)
        rows = (row for row in rows if row.id in wanted)
    return [RankedCase(rank, *row) for rank, row in enumerate(rows, start=1)]
