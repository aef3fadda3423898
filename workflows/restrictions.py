"""Whether a data subject's restriction of processing (UU PDP) stands, as one SQL
condition shared by the per-case guard, the ranking and the BPJS batch, so they
never disagree about who is held back.

A restriction stops what moves a case forward (submit, verify, approve, submit to
BPJS); returning, rejecting, declining, cancelling, terminating and BPJS's own reply
stay possible. Contributions are not stopped: paying an enrolled worker's
membership protects the worker, and stopping it would let the membership lapse.

It lives apart from ``workflows.subject_requests`` because the guards import it,
and that module pulls in the export machinery.
"""
from sqlalchemy import ColumnElement, Exists, exists, or_, select, union
from sqlalchemy.orm import Session

from models import DataSubjectRequest, Worker
from reports.remembered import remembered


_STANDING = (DataSubjectRequest.kind == "restriction",
             DataSubjectRequest.state.in_(("open", "fulfilled")),
             DataSubjectRequest.lifted_at.is_(None))


def _stands(*about: ColumnElement[bool]) -> Exists:
    """A restriction about any of ``about`` is open or granted and not lifted."""
    return exists().where(or_(*about), *_STANDING)


def worker_restricted(worker_id) -> ColumnElement[bool]:
    """For a worker's id, a column of an enclosing query: a request is linked to the
    worker, or names their NIK (perhaps from before they registered). The few restricted
    workers are one set the database computes once (hashed on PostgreSQL), not a probe
    per row: the ranking asks it of every case down to the budget's cut-off."""
    named = select(Worker.id).where(Worker.nik.in_(select(DataSubjectRequest.nik)
                                                   .where(*_STANDING)))
    linked = select(DataSubjectRequest.worker_id).where(
        DataSubjectRequest.worker_id.is_not(None), *_STANDING)
    return worker_id.in_(union(linked, named))


def processing_restricted(session: Session, worker: Worker | None, *,
                          nik: str | None = None) -> bool:
    """Whether a restriction asked for the worker or for ``nik`` still stands."""
    about = [] if nik is None else [DataSubjectRequest.nik == nik]
    if worker is not None:
        about += [DataSubjectRequest.worker_id == worker.id, DataSubjectRequest.nik == worker.nik]
    key = ("processing_restricted", worker.id if worker is not None else None, nik)
    return bool(about) and remembered(session, key,
                                      lambda: bool(session.scalar(select(_stands(*about)))))
