"""The worklists: applications in one or more states (the verification worklist is
the submitted ones), oldest first, filtered, and paged by keyset (no COUNT over the
whole table, however large it grows)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, Kelurahan, Worker, clock
from reports.contributions import unpaid_before

PAGE_SIZE = 50


def waited(moment, low: int | None, high: int | None, days_ago):
    """``moment`` at least ``low`` and at most ``high`` whole days ago: the home page's age
    buckets and the lists their counts link to. ``days_ago(n)``: the moment n days
    before now, a value or a parameter of a statement built once."""
    condition = true()
    if low is not None:
        condition &= moment <= days_ago(low)
    if high is not None:
        condition &= moment > days_ago(high + 1)
    return condition


@dataclass(frozen=True)
class WorklistFilter:
    states: tuple[str, ...] = ("submitted",)  # empty: any state
    taken_in_by: int | None = None  # only this user's intake
    not_taken_in_by: int | None = None  # only others' intake (what this user may verify)
    arrears_on: date | None = None  # only those in arrears on this day
    program_year: int | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    category: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    # A condition on Application limiting the list (a partner's scope:
    # workflows.partners.scope_filter); None: no limit.
    within: object = None

    @property
    def verification(self) -> bool:
        return self.states == ("submitted",)

    @property
    def since(self):
        """What "waiting" counts from: the submission on the verification worklist (as
        the home page's ageing does), else the last change of state."""
        return Application.submitted_at if self.verification else Application.state_changed_at


@dataclass(frozen=True)
class WorklistRow:
    application_id: int
    since: datetime
    worker_name: str
    kelurahan: str
    category: str
    taken_in_by_id: int
    state: str
    program_year: int

    @property
    def age_days(self) -> int:
        return (clock.now() - self.since).days

    @property
    def cursor(self) -> str:
        return f"{self.since.isoformat()}|{self.application_id}"


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
    since = filters.since
    stmt = (select(Application.id, since, Worker.full_name, Kelurahan.name, Worker.category,
                   Application.taken_in_by_id, Application.state, Application.program_year)
            .join(Worker, Application.worker_id == Worker.id)
            .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code))
    if filters.within is not None:
        stmt = stmt.where(filters.within)
    if filters.states:
        stmt = stmt.where(Application.state.in_(filters.states))
    if filters.taken_in_by is not None:
        stmt = stmt.where(Application.taken_in_by_id == filters.taken_in_by)
    if filters.not_taken_in_by is not None:
        stmt = stmt.where(Application.taken_in_by_id != filters.not_taken_in_by)
    if filters.arrears_on is not None:
        stmt = stmt.where(exists().where(ContributionMonth.application_id == Application.id,
                                         unpaid_before(filters.arrears_on)))
    if filters.program_year is not None:
        stmt = stmt.where(Application.program_year == filters.program_year)
    if filters.kecamatan:
        stmt = stmt.where(Kelurahan.kecamatan_code == filters.kecamatan)
    if filters.kelurahan:
        stmt = stmt.where(Worker.kelurahan_code == filters.kelurahan)
    if filters.category:
        stmt = stmt.where(Worker.category == filters.category)
    now = clock.now()
    stmt = stmt.where(waited(since, filters.min_age_days, filters.max_age_days,
                             lambda days: now - timedelta(days=days)))
    position = parse_cursor(after)
    if position:
        moment, ident = position
        stmt = stmt.where(or_(since > moment, and_(since == moment, Application.id > ident)))
    rows = [WorklistRow(*row) for row in session.execute(
        stmt.order_by(since, Application.id).limit(page_size + 1))]
    more = len(rows) > page_size
    rows = rows[:page_size]
    return rows, (rows[-1].cursor if more else None)
