"""The verification worklist: submitted applications, oldest first, filtered, and
paged by keyset (no COUNT over the whole table, however large it grows)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import Application, Kelurahan, Worker, clock

PAGE_SIZE = 50


@dataclass(frozen=True)
class WorklistFilter:
    state: str = "submitted"
    kecamatan: str | None = None
    kelurahan: str | None = None
    category: str | None = None
    min_age_days: int | None = None


@dataclass(frozen=True)
class WorklistRow:
    application_id: int
    submitted_at: datetime
    worker_name: str
    kelurahan: str
    category: str
    taken_in_by_id: int

    @property
    def age_days(self) -> int:
        return (clock.now() - self.submitted_at).days

    @property
    def cursor(self) -> str:
        return f"{self.submitted_at.isoformat()}|{self.application_id}"


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor or "|" not in cursor:
        return None
    moment, _, ident = cursor.partition("|")
    try:
        return datetime.fromisoformat(moment), int(ident)
    except ValueError:
        return None


def worklist_page(session: Session, filters: WorklistFilter, *, after: str | None = None,
                  page_size: int = PAGE_SIZE) -> tuple[list[WorklistRow], str | None]:
    """One page and the cursor of the next page (None on the last page)."""
    stmt = (select(Application.id, Application.submitted_at, Worker.full_name, Kelurahan.name,
                   Worker.category, Application.taken_in_by_id)
            .join(Worker, Application.worker_id == Worker.id)
            .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code)
            .where(Application.state == filters.state))
    if filters.kecamatan:
        stmt = stmt.where(Kelurahan.kecamatan_code == filters.kecamatan)
    if filters.kelurahan:
        stmt = stmt.where(Worker.kelurahan_code == filters.kelurahan)
    if filters.category:
        stmt = stmt.where(Worker.category == filters.category)
    if filters.min_age_days:
        limit = clock.now() - timedelta(days=filters.min_age_days)
        stmt = stmt.where(Application.submitted_at <= limit)
    position = parse_cursor(after)
    if position:
        moment, ident = position
        stmt = stmt.where(or_(Application.submitted_at > moment,
                              and_(Application.submitted_at == moment, Application.id > ident)))
    rows = [WorklistRow(*row) for row in session.execute(
        stmt.order_by(Application.submitted_at, Application.id).limit(page_size + 1))]
    more = len(rows) > page_size
    rows = rows[:page_size]
    return rows, (rows[-1].cursor if more else None)
