"""What BPJS's answers do to the cases of a reply: enrolment under the KPJ, giving back
the committed months before the cover starts, or rejection, which gives the case's
money and place back so the waiting list moves up (Pasal 90 ayat 3: the budget serves
the next person in rank instead of lying idle).

Set-based, as ``approve_batch`` and the registration batch are: a reply of 10,000
rows is a few executemany statements and two audit appends, not 10,000 trips through
``apply_transition``. What it writes is what those trips wrote, row for row and in
the same order: per answer its transition, ledger row and events, then the KPJs'
events, then the waiting list moved up by the money enrolment gave back. Only the
waiting list goes case by case: in a year with reserves, each rejection gives its
place to the next reserve at once, so who is promoted, and with which reason, does
not depend on how the reply is applied.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from models import Application, ApplicationTransition, BudgetYear, Kelurahan, Worker, clock
from workflows.actor import Actor
from workflows.approval import WAITLIST_ACTOR, promote_waitlist
from workflows.audit import record_many
from workflows.audit.masking import mask
from workflows.budget import lock_year, release_many, split_keys, uncovered
from workflows.errors import Conflict, WorkflowError
from workflows.exits import promote_into_place_of, releasable, release_event
from workflows.messages import lazy_gettext as _l
from workflows.notices.queue import queue_for_cases
from workflows.setwise import chunks, update_rows
from workflows.states import Transition, set_edge, wrong_state

_APP = Application.__table__


@dataclass(frozen=True)
class Answer:
    """BPJS's answer about one case: accepted with a KPJ and the day cover starts, or
    refused with BPJS's reason."""

    application_id: int
    accepted: bool
    kpj: str | None = None
    coverage_start: date | None = None
    reason: str | None = None


class CaseRefused(Conflict):
    """An answer that cannot be applied to its case, named so the reply's report can
    point at its row."""

    def __init__(self, application_id: int, message):
        super().__init__(message)
        self.application_id = application_id


@dataclass
class _Step:
    """What one answer writes: the case's new columns, its transition's events, the
    commitment it gives back (a ``release_many`` item) and its membership event."""

    answer: Answer
    transition: Transition
    year: int
    values: dict
    events: list[dict]
    release: dict | None = None
    membership: dict | None = None

    @property
    def frees_place(self) -> bool:
        return bool(self.release and self.release.get("keys"))


def _locked(session: Session, ids: list[int]) -> dict[int, object]:
    """The cases, locked as ``apply_transition`` locks one (PostgreSQL; SQLite's write
    transaction is already exclusive), in id order so two writers queue, not deadlock."""
    found = {}
    for chunk in chunks(sorted(ids)):
        for row in session.execute(
                select(Application.id, Application.state, Application.kpj,
                       Application.commitment, Application.program_year,
                       Application.decree_id, Kelurahan.kecamatan_code, Worker.category,
                       Worker.kelurahan_code)
                .join(Worker, Worker.id == Application.worker_id)
                .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
                .where(Application.id.in_(chunk)).order_by(Application.id)
                .with_for_update(of=Application)):
            found[row.id] = row
    return found


def _lock_year_for(session: Session, fiscal_year: int, locked: set[int],
                   application_id: int) -> None:
    """Lock the budget year at the first case giving money back, which a closed year
    refuses, as ``release`` does."""
    if fiscal_year in locked:
        return
    try:
        lock_year(session, fiscal_year)
    except WorkflowError as exc:
        raise CaseRefused(application_id, exc.message) from exc
    locked.add(fiscal_year)


def _plan(session: Session, answer: Answer, case, transition: Transition,
          years: dict[int, BudgetYear], locked: set[int]) -> _Step:
    """The writes of one answer, refused before anything is written."""
    case_id = answer.application_id
    if case.state not in transition.sources:
        raise CaseRefused(case_id, wrong_state(case_id, case.state).message)
    reason = None if answer.accepted else answer.reason
    if transition.reason_required and not (reason or "").strip():
        raise CaseRefused(case_id, _l("A reason is required."))
    if case.program_year not in years:
        years[case.program_year] = session.get(BudgetYear, case.program_year)
    year = years[case.program_year]
    values = {"id": case_id, "state": transition.target, "commitment": case.commitment}
    step = _Step(answer, transition, case.program_year, values, [{
        "action": f"application.{transition.name}", "entity_type": "application",
        "entity_id": case_id, "reason": reason,
        "diff": {"state": [transition.sources[0], transition.target]}}])
    if answer.accepted:
        if case.kpj is not None and case.kpj != answer.kpj:
            raise CaseRefused(case_id, _l("Application %(id)s already has another KPJ.",
                                          id=case_id))
        values.update(kpj=answer.kpj, coverage_start=answer.coverage_start)
        amount, months, why = uncovered(year, case.commitment, answer.coverage_start)
        # The KPJ identifies a person: the log keeps a keyed hash, the row keeps the number.
        diff = {"kpj": [None, mask(answer.kpj)],
                "coverage_start": [None, answer.coverage_start.isoformat()]}
        if amount:
            values["commitment"] = case.commitment - amount
            diff["commitment"] = [case.commitment, values["commitment"]]
            step.release = {"reason": why}
        step.membership = {"action": "bpjs.membership", "entity_type": "application",
                           "entity_id": case_id, "diff": diff}
    else:
        amount, months = releasable(year, case.commitment, None)
        if months:
            why = f"Ditolak BPJS: {reason}"
            values["commitment"] = (case.commitment or 0) - amount
            step.release = {"reason": why, "keys": split_keys(
                case.kecamatan_code, case.category, case.kelurahan_code)}
            step.events.append(release_event(case_id, amount, months, why))
    if step.release is not None:
        _lock_year_for(session, case.program_year, locked, case_id)
        step.release.update(application_id=case_id, amount=amount, months=months,
                            decree_id=case.decree_id)
    return step


def _write(session: Session, steps: list[_Step], *, actor: Actor, now) -> None:
    """The steps' updates, ledger rows, transitions and events, in the steps' order."""
    if not steps:
        return
    for accepted in (True, False):
        group = [s for s in steps if s.answer.accepted is accepted]
        rows = [{**s.values, "state_changed_at": now} for s in group]
        if group and update_rows(session, _APP, rows, _APP.c.state == group[0].transition
                                 .sources[0]) != len(rows):  # locked: only a bug gets here
            raise Conflict(_l("Some applications changed in the meantime; nothing was done. "
                              "Reload the page and try again."))
    releases: dict[int, list[dict]] = {}
    for step in steps:
        if step.release is not None:
            releases.setdefault(step.year, []).append(step.release)
    for fiscal_year, items in releases.items():
        release_many(session, fiscal_year, items, actor=actor)
    session.execute(insert(ApplicationTransition).execution_options(render_nulls=True), [
        {"application_id": s.answer.application_id, "from_state": s.transition.sources[0],
         "to_state": s.transition.target, "actor_id": actor.user_id, "at": now,
         "reason": s.events[0]["reason"]} for s in steps])
    queue_for_cases(session, "kpj_issued", [s.answer.application_id for s in steps
                                            if s.answer.accepted])
    record_many(session, actor, [event for s in steps for event in s.events])


def _has_reserves(session: Session, fiscal_year: int) -> bool:
    return session.scalar(select(exists().where(Application.program_year == fiscal_year,
                                                Application.state == "waitlisted")))


def promote_after_enrolment(session: Session, fiscal_years: set[int]) -> int:
    """Money released at enrolment serves the next reserves in rank."""
    return sum(promote_waitlist(session, year, actor=WAITLIST_ACTOR,
                                trigger="Bulan tanpa cakupan BPJS dilepas")
               for year in sorted(fiscal_years))


def answer_cases(session: Session, answers: list[Answer], *, actor: Actor) -> None:
    """Enrol the accepted cases and release the refused ones, in the answers' order.

    Every answer is checked against its locked case before anything is written;
    ``CaseRefused`` names the first that cannot apply (or whose place the waiting list
    could not take), and the caller's savepoint undoes whatever was written."""
    edges = {True: set_edge("enrol", actor), False: set_edge("bpjs_reject", actor)}
    cases = _locked(session, [a.application_id for a in answers])
    years: dict[int, BudgetYear] = {}
    locked: set[int] = set()
    steps = [_plan(session, a, cases[a.application_id], edges[a.accepted], years, locked)
             for a in answers]
    now = clock.now()
    # Where nobody waits, a freed place promotes nobody: no need to stop for it.
    waiting = {s.year for s in steps if s.frees_place}
    waiting = {year for year in waiting if _has_reserves(session, year)}
    segment: list[_Step] = []
    for step in steps:
        segment.append(step)
        if step.frees_place and step.year in waiting:
            _write(session, segment, actor=actor, now=now)
            segment = []
            try:
                promote_into_place_of(session, step.year, step.answer.application_id)
            except WorkflowError as exc:
                raise CaseRefused(step.answer.application_id, exc.message) from exc
            if not _has_reserves(session, step.year):
                waiting.discard(step.year)
    _write(session, segment, actor=actor, now=now)
    record_many(session, actor, [s.membership for s in steps if s.membership])
    promote_after_enrolment(session, {s.year for s in steps if s.answer.accepted})
    session.expire_all()  # ORM copies of the answered cases are stale
