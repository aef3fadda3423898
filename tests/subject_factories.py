"""Data subject requests for tests: a request about anyone, and a person held only in
the DTSEN extract (who never applied)."""
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, or_, select

from models import AuditEvent, DataSubjectRequest
from tests.factories import load_dtsen
from workflows.actor import Actor
from workflows.subject_requests import record_request

UNKNOWN_NIK = "3275014101900001"
RESIDENT = SimpleNamespace(nik="3275016203850007", kk_number="3275010101990001",
                           full_name="Warga Dtsen", birth_date=date(1985, 3, 22), sex="P",
                           kelurahan_code="3275011001")


def dtsen_only(session, actor: Actor) -> SimpleNamespace:
    load_dtsen(session, actor, [(RESIDENT, 2)])
    return RESIDENT


def make_request(session, actor: Actor, subject, *, kind: str = "access",
                 **fields) -> DataSubjectRequest:
    """A request about ``subject`` (a worker, or anyone with a ``nik``); correction and
    restriction get a description."""
    values = {"nik": subject.nik, "kind": kind, "requester_name": "Pemohon Uji",
              "channel": "counter",
              "description": None if kind == "access" else "Alamat salah ketik", **fields}
    return record_request(session, actor=actor, **values)


def events_named(session, action: str) -> list[AuditEvent]:
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)).scalars().all()


def events_mentioning(session, text: str) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(or_(
        AuditEvent.diff.contains(text), AuditEvent.reason.contains(text))))


def request_count(session) -> int:
    return session.scalar(select(func.count()).select_from(DataSubjectRequest))
