"""Data subject requests under UU PDP: recording them with their 3x24-hour deadline,
answering them, and the access export (Pasal 32) that goes with an open access request.

A request is about a NIK: a registered worker's, or one held only in imported data
(DTSEN, participant lists, import problem reports) about someone who never applied.

Corrections are made on the case page (workflows/worker_corrections.py, audited there);
the request only records the outcome. A restriction stands while its request is open or
fulfilled and until it is lifted (workflows/restrictions.py).
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import DataSubjectRequest, Role, Worker, clock
from models.subject_request import REQUEST_CHANNELS, REQUEST_KINDS, RESPONSE_TIME
from reports.subject_export import build_zip, collect_subject_data, holds_data_on
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.audit.access import record_read
from workflows.documents import read_document
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l

HANDLER_ROLES = (Role.CASEWORKER.value, Role.HEAD.value)
# Without parameters: refusal messages can end up in the permanent audit log.
NOTHING_HELD = _l("This system holds no data about that NIK (no worker, no DTSEN or participant "
                  "record, no import problem report), so the request was not recorded.")
# Outcome -> the verb recorded ("*.refused" is kept for actions the system refused).
OUTCOMES = {"fulfilled": "fulfil", "refused": "decline"}


def can_handle(actor: Actor) -> bool:
    """Caseworkers and heads record and answer requests; auditors and admins only look."""
    return actor.has_role(*HANDLER_ROLES)


def _require_handler(actor: Actor) -> None:
    if not can_handle(actor):
        raise NotAllowed(_l("Only caseworkers and heads handle data subject requests."))


def record_request(session: Session, *, nik: str, kind: str, requester_name: str,
                   channel: str, description: str | None, actor: Actor,
                   received_at: datetime | None = None) -> DataSubjectRequest:
    """A request as received; the deadline runs from ``received_at`` (default now), so a
    letter opened a day late still has to be answered 72 hours after it arrived."""
    _require_handler(actor)
    if kind not in REQUEST_KINDS:
        raise InvalidInput(_l("Choose what the request asks for."))
    if channel not in REQUEST_CHANNELS:
        raise InvalidInput(_l("Choose how the request was received."))
    requester_name = " ".join((requester_name or "").split())
    if not requester_name or len(requester_name) > 200:
        raise InvalidInput(_l("The requester's name is required (at most 200 characters)."))
    description = (description or "").strip() or None
    if kind != "access" and description is None:
        raise InvalidInput(_l("Describe which data is to be corrected or restricted."))
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise InvalidInput(_l("The time of receipt cannot be in the future."))
    nik = (nik or "").strip()
    if len(nik) != 16 or not nik.isdigit():
        raise InvalidInput(_l("The NIK has exactly 16 digits."))
    worker = _worker_with(session, nik)
    if worker is None and not holds_data_on(session, nik):
        raise InvalidInput(NOTHING_HELD)
    request = DataSubjectRequest(nik=nik, worker_id=None if worker is None else worker.id,
                                 kind=kind, state="open",
                                 requester_name=requester_name, channel=channel,
                                 description=description, received_at=received_at,
                                 due_at=received_at + RESPONSE_TIME,
                                 recorded_by_id=actor.user_id)
    session.add(request)
    record_change(session, actor, "subject_request.record", request, created=True)
    return request


def _worker_with(session: Session, nik: str) -> Worker | None:
    return session.execute(select(Worker).where(Worker.nik == nik)).scalar_one_or_none()


def subject_worker(session: Session, request: DataSubjectRequest) -> Worker | None:
    """The worker a request is about: the one linked when it was recorded, or one who
    has registered with the NIK since; None for someone held only in imported data."""
    return request.worker or _worker_with(session, request.nik)


def _lock(session: Session, request: DataSubjectRequest) -> None:
    """Re-read under a lock, so a second click finds the request already answered."""
    session.flush()
    session.refresh(request, with_for_update=True)


def _lock_open(session: Session, request: DataSubjectRequest) -> None:
    _lock(session, request)
    if request.state != "open":
        raise InvalidTransition(_l("Request %(id)s was already answered.", id=request.id))


def resolve_request(session: Session, request: DataSubjectRequest, *, outcome: str, note: str,
                    actor: Actor) -> None:
    """Close an open request as fulfilled or refused; a refusal names its grounds."""
    _require_handler(actor)
    _lock_open(session, request)
    if outcome not in OUTCOMES:
        raise InvalidInput(_l("Choose whether the request was fulfilled or refused."))
    note = (note or "").strip()
    if outcome == "refused" and not note:
        raise InvalidInput(_l("State the grounds for refusing (UU PDP Pasal 33)."))
    request.state, request.resolution_note = outcome, note or None
    request.resolved_at, request.resolved_by_id = clock.now(), actor.user_id
    record_change(session, actor, f"subject_request.{OUTCOMES[outcome]}", request,
                  reason=note or None)


def lift_restriction(session: Session, request: DataSubjectRequest, *, note: str,
                     actor: Actor) -> None:
    """End a granted restriction (the data proved accurate, the subject withdrew, the
    legal ground ended); the reason is kept, so processing resumes on the record."""
    _require_handler(actor)
    _lock(session, request)
    if request.kind != "restriction" or request.state != "fulfilled" or request.lifted_at:
        raise InvalidTransition(_l("Only a granted restriction that still stands can be "
                                   "lifted."))
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_l("State why processing may resume."))
    request.lifted_at, request.lifted_by_id, request.lift_note = clock.now(), actor.user_id, note
    record_change(session, actor, "subject_request.lift", request, reason=note)


@dataclass(frozen=True)
class SubjectExport:
    file_name: str
    content: bytes


def export_subject_data(session: Session, request: DataSubjectRequest, *, storage_dir: Path,
                        actor: Actor) -> SubjectExport:
    """The ZIP answering an open access request. Every document is read through
    ``read_document`` (role, hash check, one audit event each) and the export itself is a
    bulk read whose purpose names the request."""
    _require_handler(actor)
    if request.kind != "access" or request.state != "open":
        raise InvalidTransition(_l("Only an open access request allows exporting the data "
                                   "held about a worker."))
    worker = subject_worker(session, request)
    subject = collect_subject_data(session, worker, request=request)
    files = {document.id: read_document(session, document, storage_dir=storage_dir,
                                        actor=actor)
             for document in subject.documents}
    content = build_zip(subject, files)
    # Without a worker the event is on the request, whose history the subject's trail is.
    record_read(session, actor, "subject.export", entity=worker or request, bulk=True,
                purpose=f"Permintaan akses subjek data no. {request.id}",
                detail={"request": request.id, "documents": len(files), "bytes": len(content),
                        "sha256": hashlib.sha256(content).hexdigest()})
    return SubjectExport(f"akses-data-subjek-{request.id}.zip", content)
