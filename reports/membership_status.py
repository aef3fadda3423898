"""Membership side by side: "paid by us" (the unbroken run of paid contribution months
from the coverage start) and "protected at BPJS" (the latest status file), with the
differences someone must follow up.

A participant here is an enrolled or ended application that no later enrolled or
ended renewal continues (a continuing worker is counted once, under the latest year).
Everything is one set-based query over that list, so counting 200,000 participants
per kind costs one statement, and the page reads a page of them by keyset.

The lapse rule is the contributions' one (``reports.contributions``, LAPSE_AFTER):
more than 3 consecutive unpaid months end a BPU membership (Perdir 22/PERDIR.02/072022
via the PROBIS manual; BPJS FAQ: "3 bulan berturut-turut tidak membayar"; domain.md
§1.7), today's month counting as unpaid until it is paid.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from models import Application, MembershipStatus, Worker
# The paid-run query is the contributions' own, so "paid through" means one thing.
from reports.contributions import (LAPSE_AFTER, month_index, month_of, paid_run_lengths,
                                   sql_month_index)
from reports.formatting import masked_nik

ENDED_OR_ENROLLED = ("enrolled", "terminated")
# The kinds of difference, in the order the page lists them.
KINDS = ("paid_not_active", "bpjs_behind", "active_after_end", "no_status", "lapsed")
# Reactivated by a payment once no month before today's month is unpaid.
CAUGHT_UP_WITHIN = 1
PAGE = 50


def participants():
    """One row per participant: our paid-through (as a month index) beside the BPJS
    status record; a subquery for the counts, the page, the export and the lapse job."""
    app, ms = Application, MembershipStatus
    later = aliased(Application)
    continued = exists().where(later.renews_id == app.id, later.state.in_(ENDED_OR_ENROLLED))
    runs = paid_run_lengths()
    start = sql_month_index(app.coverage_start)
    return (
        select(app.id.label("application_id"), app.worker_id, app.state, app.kpj,
               app.coverage_start, app.exit_month, start.label("start_index"),
               (start + func.coalesce(runs.c.run, 0) - 1).label("paid_index"),
               ms.id.label("record_id"), ms.bpjs_status, ms.bpjs_paid_through,
               sql_month_index(ms.bpjs_paid_through).label("bpjs_index"), ms.bpjs_as_of,
               func.coalesce(ms.lapsed, False).label("lapsed"), ms.lapse_reason)
        .outerjoin(runs, runs.c.application_id == app.id)
        .outerjoin(ms, ms.worker_id == app.worker_id)
        .where(app.state.in_(ENDED_OR_ENROLLED), app.coverage_start.is_not(None), ~continued)
        .subquery("participant"))


def kind_conditions(p, today: date) -> dict:
    """Per kind of difference, the SQL condition on a ``participants()`` row."""
    now = month_index(today)
    paid_something = p.c.paid_index >= p.c.start_index
    enrolled = p.c.state == "enrolled"
    return {
        # We count the contributions as paid (at most 3 months open), BPJS says NONAKTIF.
        "paid_not_active": and_(enrolled, p.c.bpjs_status == "NONAKTIF", paid_something,
                                literal(now) - p.c.paid_index <= LAPSE_AFTER),
        # BPJS shows fewer months paid than we paid.
        "bpjs_behind": and_(p.c.bpjs_status.is_not(None), paid_something,
                            func.coalesce(p.c.bpjs_index, -1) < p.c.paid_index),
        # We ended the membership, a status file of a later day still says AKTIF.
        "active_after_end": and_(p.c.state == "terminated", p.c.bpjs_status == "AKTIF",
                                 p.c.bpjs_as_of >= p.c.exit_month),
        "no_status": and_(enrolled, p.c.bpjs_status.is_(None)),
        "lapsed": and_(enrolled, p.c.lapsed.is_(True)),
    }


def counts(session: Session, today: date) -> dict[str, int]:
    """How many participants show each kind of difference, and ``all`` of them."""
    p = participants()
    conditions = kind_conditions(p, today)
    row = session.execute(select(
        func.count().label("all"),
        *(func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(kind)
          for kind, condition in conditions.items())).select_from(p)).one()
    return {key: int(row._mapping[key]) for key in ("all", *KINDS)}


@dataclass(frozen=True)
class Participant:
    application_id: int
    state: str
    full_name: str
    nik: str
    kpj: str | None
    paid_through: date | None  # ours
    months_unpaid: int  # from the month after ours up to today's month
    bpjs_status: str | None
    bpjs_paid_through: date | None
    bpjs_as_of: date | None
    lapsed: bool
    lapse_reason: str | None
    kinds: tuple[str, ...]

    @property
    def masked_name(self) -> str:
        """Initials only: the list is for finding who to follow up, not for reading."""
        return " ".join(part[0] + "." for part in self.full_name.split() if part)

    @property
    def masked_nik(self) -> str:
        return masked_nik(self.nik)


def _rows(session: Session, today: date, kind: str | None):
    p = participants()
    conditions = kind_conditions(p, today)
    flags = [case((condition, 1), else_=0).label(name) for name, condition in conditions.items()]
    query = (select(p, Worker.full_name, Worker.nik, *flags)
             .join(Worker, Worker.id == p.c.worker_id))
    if kind is not None:
        query = query.where(conditions[kind])
    return query, p


def _participant(row, today: date) -> Participant:
    m = row._mapping
    paid = int(m["paid_index"])
    covered = paid >= int(m["start_index"])
    return Participant(
        m["application_id"], m["state"], m["full_name"], m["nik"], m["kpj"],
        month_of(paid) if covered else None, month_index(today) - paid, m["bpjs_status"],
        m["bpjs_paid_through"], m["bpjs_as_of"], bool(m["lapsed"]), m["lapse_reason"],
        tuple(k for k in KINDS if m[k]))


def page(session: Session, today: date, *, kind: str | None = None, after: int = 0,
         limit: int = PAGE) -> tuple[list[Participant], int | None]:
    """A page of participants by application number after ``after``, and where the next
    page starts (None: this was the last)."""
    query, p = _rows(session, today, kind)
    rows = session.execute(query.where(p.c.application_id > after)
                           .order_by(p.c.application_id).limit(limit + 1)).all()
    found = [_participant(row, today) for row in rows[:limit]]
    return found, (found[-1].application_id if len(rows) > limit else None)


def differences(session: Session, today: date, kind: str | None = None):
    """Every participant with a difference (of ``kind``, or of any kind), streamed in
    application order for an export."""
    query, p = _rows(session, today, kind)
    if kind is None:
        query = query.where(or_(*kind_conditions(p, today).values()))
    for row in session.execute(query.order_by(p.c.application_id)
                               .execution_options(yield_per=5_000)):
        yield _participant(row, today)


def lapse_due(session: Session, today: date) -> list[tuple]:
    """``(worker_id, application_id, record_id, paid_index, months_unpaid)`` of enrolled
    participants, not yet lapsed, with more than 3 consecutive months unpaid.

    A month BPJS shows paid in an AKTIF status counts as paid: the membership is not
    lapsed at BPJS whatever our records are missing (that is a difference to follow up).
    """
    p = participants()
    now = month_index(today)
    bpjs = case((p.c.bpjs_status == "AKTIF", func.coalesce(p.c.bpjs_index, -1)), else_=-1)
    effective = case((bpjs > p.c.paid_index, bpjs), else_=p.c.paid_index)
    rows = session.execute(
        select(p.c.worker_id, p.c.application_id, p.c.record_id, effective)
        .where(p.c.state == "enrolled", p.c.coverage_start <= today, p.c.lapsed.is_(False),
               literal(now) - effective > LAPSE_AFTER)
        .order_by(p.c.application_id)).all()
    return [(w, a, r, int(paid), now - int(paid)) for w, a, r, paid in rows]


def caught_up(session: Session, today: date) -> list[tuple]:
    """``(record_id, application_id, paid_index)`` of enrolled participants lapsed for
    unpaid months whose every month before today's month is now paid (today's month is
    due by the 15th). A lapse BPJS reported (NONAKTIF) is not undone by our payment:
    only a later AKTIF status clears it."""
    p = participants()
    return [(r, a, int(paid)) for r, a, paid in session.execute(
        select(p.c.record_id, p.c.application_id, p.c.paid_index)
        .where(p.c.lapsed.is_(True), p.c.lapse_reason == "unpaid", p.c.state == "enrolled",
               literal(month_index(today)) - p.c.paid_index <= CAUGHT_UP_WITHIN)
        .order_by(p.c.application_id))]


@dataclass(frozen=True)
class CaseStatus:
    bpjs_status: str | None
    bpjs_paid_through: date | None
    bpjs_as_of: date | None
    lapsed: bool
    lapse_reason: str | None
    lapsed_on: date | None


def case_status(session: Session, application: Application) -> CaseStatus | None:
    """What the case page shows of an enrolled case's membership; None for other states."""
    if application.state != "enrolled":
        return None
    record = session.execute(select(MembershipStatus).where(
        MembershipStatus.worker_id == application.worker_id)).scalar_one_or_none()
    if record is None:
        return CaseStatus(None, None, None, False, None, None)
    return CaseStatus(record.bpjs_status, record.bpjs_paid_through, record.bpjs_as_of,
                      record.lapsed, record.lapse_reason, record.lapsed_on)
