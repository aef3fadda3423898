"""Reading BPJS's reply to a registration batch (``nik, kpj, status, alasan, tanggal_mulai``).

The reply is an import run (all or nothing, idempotent, audited, per-row report):
every row is checked first, against the file and against the batch the cases went
in, and only a file without a single problem is applied, set-based
(workflows.bpjs.enrolment: enrol; or reject, release and promote the waiting list).
A reply answers one batch that was marked as sent; a row that points anywhere else
is reported.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, RegistrationBatch, Role, Worker
from workflows.actor import Actor
from workflows.bpjs.columns import (ACCEPTED, KPJ_MAX_DIGITS, KPJ_MIN_DIGITS,
                                    KPJ_USUAL_DIGITS, REJECTED, RESPONSE_COLUMNS, start_window)
from workflows.bpjs.enrolment import Answer, CaseRefused, answer_cases
from workflows.errors import NotAllowed, WorkflowError
from workflows.imports import values
from workflows.imports.runs import ImportResult, ProblemReport, run_import
from workflows.imports.rows import RowsByNik, read_rows
from workflows.messages import lazy_gettext as _l
from workflows.states import STATE_LABELS

KIND = "bpjs_response"
MAX_REASON = 500
LOOKUP_CHUNK = 1_000
PROGRESS_EVERY = 100
_KPJ = "kpj"


@dataclass(frozen=True)
class ResponseImport(ImportResult):
    # Counts; not "accepted"/"rejected": ``rejected`` already says the run was refused.
    enrolled: int = 0
    refused_by_bpjs: int = 0
    unchanged: int = 0  # rows already recorded by an earlier reply
    batch_number: str | None = None


@dataclass
class _Reply:
    row: int
    nik: str
    kpj: str | None
    status: str
    reason: str | None
    start: date | None


@dataclass(frozen=True)
class _Case:
    application_id: int
    state: str
    kpj: str | None
    coverage_start: date | None
    program_year: int
    batch_number: str
    batch_status: str
    batch_coverage_from: date


def parse_kpj(value) -> str:
    """Digits only, 8 to 13 of them; the message says what is wrong."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise values.CellError(_l("The KPJ is stored as a number, which drops leading zeros. "
                                  "Format the column as Text."))
    text = "" if value is None else str(value).strip()
    if not text:
        raise values.CellError(_l("The KPJ is empty; an accepted row needs one."))
    if not (text.isascii() and text.isdigit()):
        raise values.CellError(_l("A KPJ has only digits; this one has other characters."))
    if not KPJ_MIN_DIGITS <= len(text) <= KPJ_MAX_DIGITS:
        raise values.CellError(_l("A KPJ has %(min)d to %(max)d digits (usually %(usual)d); "
                                  "this one has %(n)d.", min=KPJ_MIN_DIGITS, max=KPJ_MAX_DIGITS,
                                  usual=KPJ_USUAL_DIGITS, n=len(text)))
    return text


def _parse(number: int, cells: dict, problems: ProblemReport) -> tuple[str | None,
                                                                        _Reply | None]:
    """``(nik, reply)``: the NIK when it is well formed, the reply when the whole row is."""
    bad = False

    def take(column, parse):
        nonlocal bad
        try:
            return parse(cells.get(column))
        except values.CellError as exc:
            problems.add(number, column, cells.get(column), exc.message)
            bad = True
            return None

    nik = take("nik", values.parse_nik)
    status = str(cells.get("status") or "").strip().upper()
    if status not in (ACCEPTED, REJECTED):
        problems.add(number, "status", cells.get("status"),
                     _l("status must be DITERIMA or DITOLAK."))
        bad = True
    reason = " ".join(str(cells.get("alasan") or "").split()) or None
    kpj = start = None
    if status == ACCEPTED:
        kpj = take("kpj", parse_kpj)
        start = take("tanggal_mulai", values.parse_date)
    elif status == REJECTED:
        if cells.get("kpj") not in (None, ""):
            kpj = take("kpj", parse_kpj)  # not needed, but a malformed one is still wrong
        if not reason:
            problems.add(number, "alasan", None, _l("A rejected row needs the reason (alasan)."))
            bad = True
    if reason and len(reason) > MAX_REASON:
        problems.add(number, "alasan", reason, _l("The reason is longer than %(n)d characters.",
                                                  n=MAX_REASON))
        bad = True
    if None in cells:
        problems.add(number, None, cells[None][0], _l(
            "This row has more values than the header has columns (a comma inside a text "
            "must be in quotes)."))
        bad = True
    return nik, None if bad else _Reply(number, nik, kpj, status, reason, start)


def _read(file, file_name: str, problems: ProblemReport, progress
          ) -> tuple[list[_Reply], int]:
    replies = RowsByNik(problems)
    rows = read_rows(file, file_name, RESPONSE_COLUMNS, problems,
                     lambda number, cells: replies.add(number, *_parse(number, cells, problems)),
                     progress, every=PROGRESS_EVERY)
    return replies.rows, rows


def _cases(session: Session, niks: list[str]) -> dict[str, _Case]:
    """Per NIK the application it was registered with (the one awaiting a reply first)."""
    found: dict[str, _Case] = {}
    for start in range(0, len(niks), LOOKUP_CHUNK):
        rows = session.execute(
            select(Worker.nik, Application.id, Application.state, Application.kpj,
                   Application.coverage_start, Application.program_year,
                   RegistrationBatch.batch_number, RegistrationBatch.status,
                   RegistrationBatch.coverage_from)
            .join(Application, Application.worker_id == Worker.id)
            .join(RegistrationBatch, RegistrationBatch.id == Application.registration_batch_id)
            .where(Worker.nik.in_(niks[start:start + LOOKUP_CHUNK]))
            .order_by(Application.id)).all()
        for nik, *fields in rows:
            case = _Case(*fields)
            waiting = case.batch_status == "sent" and case.state == "submitted_to_bpjs"
            held = found.get(nik)
            if held is None or waiting or not (held.batch_status == "sent"
                                               and held.state == "submitted_to_bpjs"):
                found[nik] = case
    return found


def _kpj_holders(session: Session, kpjs: list[str]) -> dict[str, set[str]]:
    holders: dict[str, set[str]] = {}
    for start in range(0, len(kpjs), LOOKUP_CHUNK):
        for kpj, nik in session.execute(
                select(Application.kpj, Worker.nik).join(Worker, Worker.id == Application.worker_id)
                .where(Application.kpj.in_(kpjs[start:start + LOOKUP_CHUNK]))):
            holders.setdefault(kpj, set()).add(nik)
    return holders


def _check_case(reply: _Reply, case: _Case | None, batch: str | None,
                first_row: int) -> str | None:
    """Why the reply cannot apply to the case (a message, or ``(column, message)``),
    None when it applies, "skip" when an earlier reply already recorded it."""
    if case is None or case.batch_status == "cancelled":
        return _l("No batch sent to BPJS holds this NIK; BPJS answered about someone who was "
                  "not sent.")
    if case.batch_status == "prepared":
        return _l("This NIK is in batch %(batch)s, which has not been marked as sent to BPJS.",
                  batch=case.batch_number)
    if case.batch_number != batch:
        return _l("This NIK was sent in batch %(other)s, but this reply answers batch "
                  "%(batch)s (row %(row)d). Import one reply per batch.",
                  other=case.batch_number, batch=batch, row=first_row)
    first, last = start_window(case.batch_coverage_from, case.program_year)
    if reply.status == ACCEPTED and not first <= reply.start <= last:
        return _l("tanggal_mulai %(day)s lies outside the batch's window, %(first)s to "
                  "%(last)s: cover cannot start before the month the city asked for, nor after "
                  "the next budget year.", day=reply.start.isoformat(),
                  first=first.isoformat(), last=last.isoformat())
    if case.state == "submitted_to_bpjs":
        return None
    if case.state == "enrolled":
        if reply.status == REJECTED:
            return _l("Already enrolled with KPJ %(kpj)s; this reply says DITOLAK.",
                      kpj=case.kpj)
        if reply.kpj != case.kpj:
            return _KPJ, _l("KPJ mismatch: already enrolled with KPJ %(kpj)s, this reply gives "
                      "%(value)s.", kpj=case.kpj, value=reply.kpj)
        if reply.start != case.coverage_start:
            return _l("Already enrolled from %(day)s; this reply says %(value)s.",
                      day=case.coverage_start.isoformat(), value=reply.start.isoformat())
        return "skip"
    if case.state == "bpjs_rejected":
        return "skip" if reply.status == REJECTED else _l(
            "BPJS rejected this application earlier; this reply says DITERIMA. Ask BPJS which "
            "answer holds.")
    return _l("Application %(id)s is %(state)s; it is not waiting for BPJS's reply.",
              id=case.application_id, state=STATE_LABELS[case.state])


def _problem(why) -> tuple[str, object]:
    """``(column, message)``: most problems concern the row's NIK, some its KPJ."""
    return why if isinstance(why, tuple) else ("nik", why)


def _match(session, replies, problems, outcome) -> list[tuple[_Reply, _Case]]:
    cases = _cases(session, [r.nik for r in replies])
    first = next(((r, cases[r.nik]) for r in replies if r.nik in cases
                  and cases[r.nik].batch_status == "sent"), None)
    batch, batch_row = (first[1].batch_number, first[0].row) if first else (None, 0)
    outcome["batch"] = batch
    holders = _kpj_holders(session, sorted({r.kpj for r in replies if r.kpj}))
    kpj_row: dict[str, _Reply] = {}
    todo = []
    for reply in replies:
        case = cases.get(reply.nik)
        why = _check_case(reply, case, batch, batch_row)
        if reply.kpj and why != "skip":
            other = kpj_row.setdefault(reply.kpj, reply)
            if other is not reply:
                why = why or (_KPJ, _l("KPJ %(kpj)s is also given to row %(row)d.",
                                       kpj=reply.kpj, row=other.row))
            elif holders.get(reply.kpj, set()) - {reply.nik}:
                why = why or (_KPJ, _l("KPJ mismatch: KPJ %(kpj)s already belongs to another "
                                       "participant.", kpj=reply.kpj))
        if why == "skip":
            continue
        if why is not None:
            column, message = _problem(why)
            problems.add(reply.row, column, reply.kpj if column == _KPJ else reply.nik,
                         message)
        else:
            todo.append((reply, case))
    return todo


def _apply(session, todo, unchanged, actor, problems, outcome) -> None:
    """Every row was checked, so a refusal here means a concurrent change: report it
    (at its row when it concerns one case); the run's savepoint undoes what was written."""
    rows = {case.application_id: reply for reply, case in todo}
    try:
        answer_cases(session, [
            Answer(case.application_id, reply.status == ACCEPTED, reply.kpj, reply.start,
                   reply.reason if reply.status == REJECTED else None)
            for reply, case in todo], actor=actor)
    except CaseRefused as exc:
        reply = rows[exc.application_id]
        problems.add(reply.row, "nik", reply.nik, exc.message)
        return
    except WorkflowError as exc:
        problems.add(None, None, None, exc.message)
        return
    enrolled = sum(1 for reply, _ in todo if reply.status == ACCEPTED)
    outcome.update(enrolled=enrolled, refused_by_bpjs=len(todo) - enrolled,
                   unchanged=unchanged)


def _apply_file(session, file, file_name, actor, problems, progress, outcome) -> int:
    replies, rows = _read(file, file_name, problems, progress)
    if problems.count:
        return rows
    todo = _match(session, replies, problems, outcome)
    if not problems.count:
        _apply(session, todo, len(replies) - len(todo), actor, problems, outcome)
    return rows


def import_bpjs_response(session: Session, stream, *, file_name: str, actor: Actor,
                         progress=None) -> ResponseImport:
    """Apply BPJS's reply to a sent batch: enrol the accepted, release the rejected."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers import BPJS's replies."))
    outcome: dict = {}  # filled while applying; also the audit event's details
    result = run_import(session, kind=KIND, stream=stream, file_name=file_name, actor=actor,
                        details=outcome, columns=RESPONSE_COLUMNS,
                        apply=lambda file, _run_id, problems: _apply_file(
                            session, file, file_name, actor, problems, progress, outcome))
    if not result.applied:
        return ResponseImport(result.run, result.applied, result.duplicate_file)
    return ResponseImport(result.run, True, False, enrolled=outcome["enrolled"],
                          refused_by_bpjs=outcome["refused_by_bpjs"],
                          unchanged=outcome["unchanged"], batch_number=outcome.get("batch"))
