"""Registration batches to BPJS Ketenagakerjaan: create, cancel, mark sent, download.

A batch takes every approved application of a year in one go, freezes the CSV
and XLSX it hands to BPJS (bytes + SHA-256, built once) and moves the cases to
``submitted_to_bpjs`` with set-based statements, as ``approve_batch`` does: a
batch of thousands is a handful of statements and one audit append. Until it is
marked sent it can be cancelled (the cases return to ``approved``); after that
only BPJS's reply moves its cases on.

A case whose worker restricted processing (UU PDP) is left out and stays
approved; the batch's audit event counts them, and the next batch after the
restriction is lifted takes them.
"""
import hashlib
from datetime import date

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session

from models import (Application, ApplicationTransition, RegistrationBatch, RegistrationItem, Role,
                    Worker, clock)
from workflows.actor import Actor
from workflows.audit import record, record_many
from workflows.audit.access import checked_purpose, record_read
from workflows.bpjs.columns import (KODE_WADAH, Member, coverage_start, declared_income,
                                    export_row)
from workflows.bpjs.files import build_csv, build_xlsx
from workflows.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from workflows.guards import processing_not_restricted
from workflows.messages import lazy_gettext as _l
from workflows.restrictions import worker_restricted
from workflows.serial import one_at_a_time
from workflows.setwise import update_each
from workflows.states import set_edge

_APP = Application.__table__
FORMATS = ("csv", "xlsx")
READ_ROLES = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)
STATUS_LABELS = {"prepared": _l("prepared"), "sent": _l("sent to BPJS"),
                 "cancelled": _l("cancelled")}


def _edge(actor: Actor, name: str, *, applied=()) -> tuple[str, str]:
    """``(source, target)`` of a transition of the states table, which these set-based
    moves follow instead of calling ``apply_transition`` per case."""
    transition = set_edge(name, actor, applied=applied, refusal=_l(
        "Only caseworkers register applications with BPJS."))
    return transition.sources[0], transition.target


def _waiting_members(session: Session, fiscal_year: int) -> tuple[list[Member], int]:
    """Approved cases of the year that no prepared batch holds, oldest application first,
    and how many more are held back because their worker restricted processing."""
    in_live_batch = exists().where(
        RegistrationItem.application_id == Application.id,
        RegistrationItem.batch_id == RegistrationBatch.id,
        RegistrationBatch.status == "prepared")
    rows = session.execute(
        select(Application.id, Worker.nik, Worker.full_name, Worker.birth_place,
               Worker.birth_date, Worker.sex, Worker.address, Worker.rt, Worker.rw,
               Worker.kelurahan_code, Worker.phone, Worker.occupation,
               worker_restricted(Worker.id).label("restricted"))
        .join(Worker, Worker.id == Application.worker_id)
        .where(Application.program_year == fiscal_year, Application.state == "approved",
               ~in_live_batch)
        .order_by(Application.id)).all()
    members = [Member(*row[:-1]) for row in rows if not row.restricted]
    return members, len(rows) - len(members)


def waiting_counts(session: Session, fiscal_year: int) -> tuple[int, int]:
    """How many approved cases of the year a new batch would take, and how many it
    would hold back for a restriction (for the page)."""
    members, held_back = _waiting_members(session, fiscal_year)
    return len(members), held_back


def _next_number(session: Session, fiscal_year: int) -> str:
    # Cancelled batches keep their number: a number names one file, forever.
    used = session.scalar(select(func.count()).select_from(RegistrationBatch)
                          .where(RegistrationBatch.fiscal_year == fiscal_year))
    return f"{KODE_WADAH}-{fiscal_year}-{used + 1:04d}"


def _move(session: Session, ids: list[int], *, source: str, where_batch: int | None,
          values: dict) -> None:
    """Set-based state change; a row that moved meanwhile makes the whole thing refuse."""
    condition = [_APP.c.state == source]
    if where_batch is not None:
        condition.append(_APP.c.registration_batch_id == where_batch)
    if update_each(session, _APP, ids, values, *condition) != len(ids):
        raise Conflict(_l("Some applications changed in the meantime; nothing was done. "
                          "Reload the page and try again."))


def _transitions(session: Session, ids: list[int], source: str, target: str, *,
                 actor: Actor, at, reason: str | None) -> None:
    session.execute(insert(ApplicationTransition), [
        {"application_id": i, "from_state": source, "to_state": target,
         "actor_id": actor.user_id, "at": at, "reason": reason} for i in ids])


def create_registration_batch(session: Session, *, fiscal_year: int, actor: Actor,
                              today: date | None = None) -> RegistrationBatch:
    """Put every approved application of ``fiscal_year`` into a new batch for BPJS."""
    # Restricted cases are left out: the guard, applied to the set.
    source, target = _edge(actor, "submit_to_bpjs", applied=(processing_not_restricted,))
    today = today or clock.today()
    start = coverage_start(today, fiscal_year)
    if start is None:
        raise InvalidTransition(_l(
            "The programme year %(year)d is over for registration: a batch made on %(day)s "
            "could only start cover after January %(next)d. Carry its approved applications "
            "over to %(next)d instead.", year=fiscal_year, day=today.isoformat(),
            next=fiscal_year + 1))
    one_at_a_time(session, "bpjs-registration")  # batch numbers and members never collide
    members, held_back = _waiting_members(session, fiscal_year)
    if held_back and not members:
        raise InvalidTransition(_l("The %(n)d approved applications of %(year)d waiting to be "
                                   "registered are all held back: their workers restricted "
                                   "processing (UU PDP).", n=held_back, year=fiscal_year))
    if not members:
        raise InvalidInput(_l("There are no approved applications of %(year)d waiting to be "
                              "registered with BPJS.", year=fiscal_year))
    income = declared_income(session, start)
    number = _next_number(session, fiscal_year)
    rows = [export_row(n, m, income=income, start=start) for n, m in enumerate(members, 1)]
    csv_bytes, xlsx_bytes = build_csv(rows), build_xlsx(rows, title=number, day=today)
    batch = RegistrationBatch(
        batch_number=number, fiscal_year=fiscal_year, status="prepared", row_count=len(rows),
        coverage_from=start,
        csv_content=csv_bytes, csv_sha256=hashlib.sha256(csv_bytes).hexdigest(),
        xlsx_content=xlsx_bytes, xlsx_sha256=hashlib.sha256(xlsx_bytes).hexdigest(),
        created_by_id=actor.user_id)
    session.add(batch)
    session.flush()
    ids = [m.application_id for m in members]
    now = clock.now()
    _move(session, ids, source=source, where_batch=None, values={
        "state": target, "registration_batch_id": batch.id, "state_changed_at": now})
    session.execute(insert(RegistrationItem), [
        {"batch_id": batch.id, "application_id": m.application_id, "no_urut": n}
        for n, m in enumerate(members, 1)])
    _transitions(session, ids, source, target, actor=actor, at=now, reason=number)
    record_many(session, actor, [
        {"action": "bpjs.batch_create", "entity_type": "registration_batch",
         "entity_id": batch.id,
         "diff": {"batch_number": [None, number], "fiscal_year": [None, fiscal_year],
                  "rows": [None, len(rows)], "held_back_restricted": [None, held_back],
                  "tanggal_mulai": [None, start.isoformat()],
                  "csv_sha256": [None, batch.csv_sha256],
                  "xlsx_sha256": [None, batch.xlsx_sha256]}}] + [
        {"action": "application.submit_to_bpjs", "entity_type": "application",
         "entity_id": m.application_id, "reason": number,
         "diff": {"state": [source, target], "registration_batch": [None, batch.id],
                  "no_urut": [None, n]}}
        for n, m in enumerate(members, 1)])
    session.expire_all()  # ORM copies of the moved applications are stale
    return batch


def _locked(session: Session, batch: RegistrationBatch) -> RegistrationBatch:
    session.flush()
    session.refresh(batch, with_for_update=True)
    return batch


def cancel_registration_batch(session: Session, batch: RegistrationBatch, *, reason: str,
                              actor: Actor) -> None:
    """Withdraw a batch that has not gone to BPJS; its cases are approved again."""
    source, target = _edge(actor, "cancel_bpjs_submission")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("A reason is required."))
    _locked(session, batch)
    if batch.status != "prepared":
        raise InvalidTransition(
            _l("Batch %(number)s was already sent to BPJS; it can no longer be cancelled. "
               "BPJS's reply decides its applications.", number=batch.batch_number)
            if batch.status == "sent" else
            _l("Batch %(number)s is already cancelled.", number=batch.batch_number))
    ids = list(session.execute(select(RegistrationItem.application_id).where(
        RegistrationItem.batch_id == batch.id).order_by(RegistrationItem.no_urut)).scalars())
    now = clock.now()
    _move(session, ids, source=source, where_batch=batch.id, values={
        "state": target, "registration_batch_id": None, "state_changed_at": now})
    _transitions(session, ids, source, target, actor=actor, at=now, reason=reason)
    batch.status, batch.cancelled_at, batch.cancel_reason = "cancelled", now, reason
    record_many(session, actor, [
        {"action": "bpjs.batch_cancel", "entity_type": "registration_batch",
         "entity_id": batch.id, "reason": reason,
         "diff": {"status": ["prepared", "cancelled"], "rows": [None, len(ids)]}}] + [
        {"action": "application.cancel_bpjs_submission", "entity_type": "application",
         "entity_id": i, "reason": reason,
         "diff": {"state": [source, target], "registration_batch": [batch.id, None]}}
        for i in ids])
    session.expire_all()


def mark_batch_sent(session: Session, batch: RegistrationBatch, *, actor: Actor) -> None:
    """The files went to BPJS: from now on only BPJS's reply moves the batch's cases.

    Its cases were checked for restrictions when the batch took them. One asked for
    since does not stop this (the file may already be with BPJS); cancelling the batch
    instead and making a new one leaves that case out."""
    _edge(actor, "submit_to_bpjs", applied=(processing_not_restricted,))
    _locked(session, batch)
    if batch.status != "prepared":
        raise InvalidTransition(_l("Batch %(number)s is %(status)s; only a prepared batch can "
                                   "be marked as sent.", number=batch.batch_number,
                                   status=STATUS_LABELS[batch.status]))
    batch.status, batch.sent_at = "sent", clock.now()
    record(session, actor, "bpjs.batch_sent", entity=batch,
           diff={"status": ["prepared", "sent"]})



def batch_file(session: Session, batch: RegistrationBatch, file_format: str, *,
               actor: Actor, purpose: str | None) -> bytes:
    """The stored file, byte for byte. It lists every member's NIK, name and address, so
    reading it is a bulk read of personal data: refused without a stated purpose."""
    if not actor.has_role(*READ_ROLES):
        raise NotAllowed(_l("Your role may not download registration files."))
    if file_format not in FORMATS:
        raise InvalidInput(_l("Unknown file format %(value)s.", value=file_format))
    purpose = checked_purpose(purpose)
    data = batch.csv_content if file_format == "csv" else batch.xlsx_content
    expected = batch.csv_sha256 if file_format == "csv" else batch.xlsx_sha256
    if hashlib.sha256(data).hexdigest() != expected:
        raise Conflict(_l("The stored %(format)s file of batch %(number)s no longer matches "
                          "its SHA-256; do not send it and tell IT.",
                          format=file_format.upper(), number=batch.batch_number))
    record_read(session, actor, "bpjs.batch_download", entity=batch, purpose=purpose,
                bulk=True, detail={"format": file_format, "sha256": expected})
    return data


def find_batch(session: Session, batch_number: str) -> RegistrationBatch:
    batch = session.execute(select(RegistrationBatch).where(
        RegistrationBatch.batch_number == (batch_number or "").strip().upper())
    ).scalar_one_or_none()
    if batch is None:
        raise InvalidInput(_l("There is no registration batch %(number)s.",
                              number=batch_number))
    return batch
