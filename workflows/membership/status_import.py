"""Importing a BPJS membership status file (``nik, kpj, status, dibayar_sampai``).

All or nothing (``run_import``): a bad cell, a NIK twice, a NIK and KPJ that are not
one of our participants' pair, or a NIK that is not an enrolled or ended participant
rejects the whole file with its per-row report. The same file twice is the same run.

An applied file writes, per participant, the status BPJS reports as of the day the
file speaks for (``as_of``); a row older than the status already held is skipped, so
an old file uploaded late cannot undo a newer one. NONAKTIF flags an enrolled
participant lapsed, AKTIF reactivates a lapsed one (workflows/membership/lapse.py):
BPJS is the one that knows whether the worker is protected (domain.md §1.7).
The status values themselves are covered by the run's ``import.applied`` event (with
counts); each lapse and reactivation is an event of its own.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Application, ImportRun, MembershipStatus, Role, Worker, clock
from workflows.actor import Actor
from workflows.bpjs.columns import ACTIVE, INACTIVE, STATUS_COLUMNS
from workflows.errors import InvalidInput, NotAllowed
from workflows.imports.runs import run_import
from workflows.membership.lapse import (BPJS_NONAKTIF, BY_BPJS, ensure_records,
                                        lapse_records, reactivate_records)
from workflows.membership.status_file import StatusRow, check_status_file, read_status_file
from workflows.messages import lazy_gettext as _l
from workflows.setwise import chunks, update_rows
from workflows.states import STATE_LABELS

KIND = "bpjs_status"
PARTICIPANT_STATES = ("enrolled", "terminated")
_MS = MembershipStatus.__table__


@dataclass(frozen=True)
class StatusImport:
    run: ImportRun
    applied: bool
    duplicate_file: bool
    updated: int = 0
    older: int = 0  # rows of a day before the status already held: skipped
    lapsed: int = 0
    reactivated: int = 0


@dataclass(frozen=True, slots=True)
class _Match:
    row: StatusRow
    worker_id: int
    application_id: int
    state: str


def _lookup(session: Session, niks: list[str]) -> dict[str, tuple[int, list]]:
    """Per NIK: the worker and their applications (id, state, kpj), latest year first."""
    found: dict[str, tuple[int, list]] = {}
    for chunk in chunks(niks):
        for nik, worker_id, app_id, state, kpj in session.execute(
                select(Worker.nik, Worker.id, Application.id, Application.state,
                       Application.kpj)
                .outerjoin(Application, Application.worker_id == Worker.id)
                .where(Worker.nik.in_(chunk))
                .order_by(Application.program_year.desc(), Application.id.desc())):
            apps = found.setdefault(nik, (worker_id, []))[1]
            if app_id is not None:
                apps.append((app_id, state, kpj))
    return found


def _kpj_holders(session: Session, kpjs: list[str]) -> dict[str, set[str]]:
    holders: dict[str, set[str]] = {}
    for chunk in chunks(kpjs):
        for kpj, nik in session.execute(
                select(Application.kpj, Worker.nik)
                .join(Worker, Worker.id == Application.worker_id)
                .where(Application.kpj.in_(chunk))):
            holders.setdefault(kpj, set()).add(nik)
    return holders


def _why_not(row: StatusRow, person, holders) -> tuple[str, object] | None:
    """``(column, message)`` when the row is not one of our participants' NIK and KPJ."""
    if person is None:
        return "nik", _l("No worker with this NIK is known here; BPJS reported someone who "
                         "is not our participant.")
    if holders.get(row.kpj, set()) - {row.nik}:
        return "kpj", _l("KPJ %(kpj)s belongs to another participant, not to this NIK.",
                         kpj=row.kpj)
    apps = person[1]
    with_kpj = [a for a in apps if a[2] == row.kpj]
    if with_kpj and not any(a[1] in PARTICIPANT_STATES for a in with_kpj):
        app_id, state, _kpj = with_kpj[0]
        return "nik", _l("Application %(id)s is %(state)s; only enrolled or ended "
                         "participants have a status at BPJS.", id=app_id,
                         state=STATE_LABELS[state])
    if not with_kpj and any(a[1] in PARTICIPANT_STATES for a in apps):
        return "kpj", _l("This NIK and KPJ %(kpj)s are not a pair we know: the participant "
                         "was enrolled under another KPJ.", kpj=row.kpj)
    if not with_kpj:
        return "nik", _l("This NIK is not an enrolled or ended participant.")
    return None


def _match(session: Session, rows: list[StatusRow], problems) -> list[_Match]:
    people = _lookup(session, [r.nik for r in rows])
    holders = _kpj_holders(session, sorted({r.kpj for r in rows}))
    matched = []
    for row in rows:
        person = people.get(row.nik)
        why = _why_not(row, person, holders)
        if why is not None:
            column, message = why
            problems.add(row.row, column, row.kpj if column == "kpj" else row.nik, message)
            continue
        app_id, state, _kpj = next(a for a in person[1]
                                   if a[2] == row.kpj and a[1] in PARTICIPANT_STATES)
        matched.append(_Match(row, person[0], app_id, state))
    return matched


def _held(session: Session, worker_ids: list[int]) -> dict[int, tuple]:
    held = {}
    for chunk in chunks(worker_ids):
        for worker_id, *fields in session.execute(
                select(_MS.c.worker_id, _MS.c.id, _MS.c.bpjs_as_of, _MS.c.lapsed,
                       _MS.c.lapse_reason).where(_MS.c.worker_id.in_(chunk))):
            held[worker_id] = tuple(fields)
    return held


def _write(session: Session, matched: list[_Match], run_id: int, as_of: date, actor: Actor,
           outcome: dict) -> None:
    held = _held(session, [m.worker_id for m in matched])
    now = clock.now()
    fresh, changed, older = [], [], 0
    for m in matched:
        values = {"application_id": m.application_id, "bpjs_status": m.row.status,
                  "bpjs_paid_through": m.row.paid_through, "bpjs_as_of": as_of,
                  "import_run_id": run_id, "updated_at": now}
        mine = held.get(m.worker_id)
        if mine is None:
            fresh.append({"worker_id": m.worker_id, "lapsed": False, **values})
        elif mine[1] is not None and mine[1] > as_of:
            older += 1
        else:
            changed.append((m, mine, {"id": mine[0], **values}))
    if fresh:
        session.execute(insert(_MS), fresh)
    update_rows(session, _MS, [values for _m, _mine, values in changed])
    lapse = [{"record_id": mine[0], "application_id": m.application_id,
              "detail": {"import_run": [None, run_id]}}
             for m, mine, _v in changed
             if m.row.status == INACTIVE and not mine[2] and m.state == "enrolled"]
    lapse += _new_lapses(session, [m for m in matched if m.worker_id not in held], run_id)
    wake = [{"record_id": mine[0], "application_id": m.application_id,
             "lapse_reason": mine[3], "detail": {"import_run": [None, run_id]}}
            for m, mine, _v in changed if m.row.status == ACTIVE and mine[2]]
    lapsed = lapse_records(session, lapse, reason=BPJS_NONAKTIF, on=as_of,
                           actor=actor) if lapse else 0
    woken = reactivate_records(session, wake, by=BY_BPJS, on=as_of,
                               actor=actor) if wake else 0
    outcome.update(updated=len(fresh) + len(changed), older=older, lapsed=lapsed,
                   reactivated=woken)


def _new_lapses(session: Session, new: list[_Match], run_id: int) -> list[dict]:
    inactive = [m for m in new if m.row.status == INACTIVE and m.state == "enrolled"]
    ids = ensure_records(session, [(m.worker_id, m.application_id) for m in inactive])
    return [{"record_id": ids[m.worker_id], "application_id": m.application_id,
             "detail": {"import_run": [None, run_id]}} for m in inactive]


def import_bpjs_status(session: Session, stream, *, file_name: str, as_of: date,
                       actor: Actor, progress=None) -> StatusImport:
    """Apply a BPJS status file as of ``as_of`` (the day BPJS produced it)."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers import BPJS status files."))
    if not isinstance(as_of, date) or as_of > clock.today():
        raise InvalidInput(_l("The day the status file speaks for cannot lie in the future."))
    outcome: dict = {}

    def apply(file, run_id, problems) -> int:
        rows, count = read_status_file(file, file_name, problems, progress)
        if problems.count or not count:
            return count
        matched = _match(session, rows, problems)
        if not problems.count:
            _write(session, matched, run_id, as_of, actor, outcome)
        return count

    result = run_import(session, kind=KIND, stream=stream, file_name=file_name, actor=actor,
                        apply=apply, columns=STATUS_COLUMNS, as_of=as_of, details=outcome,
                        check=lambda file, problems: check_status_file(file, file_name,
                                                                       problems))
    if not result.applied:
        return StatusImport(result.run, False, result.duplicate_file)
    return StatusImport(result.run, True, False, **outcome)
