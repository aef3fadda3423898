"""Complaints and objections (pengaduan / sanggahan) from people left out of the
programme: filed at Disnaker or by a partner in its area, answered by a caseworker
within 14 days (models/complaint.py gives the source of the deadline), then closed.

Who: a caseworker files and answers; a partner (kelurahan operator, partner office)
files for people of its scope and reads the answers there, but never answers: the
answer is Disnaker's decision (separation of duties, as for verification). Heads and
auditors read. Each step writes an audit event; the NIK, name, contact and text are
masked in its diff (``Complaint.__personal_fields__``).
"""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, Complaint, Kelurahan, Role, clock
from models.complaint import ANSWER_TIME, COMPLAINT_KINDS
from workflows import partners
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import InvalidInput, NotAllowed, Repeated
from workflows.identity import blocking_failures, check_identity
from workflows.messages import lazy_gettext as _l
from workflows.serial import one_at_a_time

FILER_ROLES = (Role.CASEWORKER.value, Role.PARTNER.value)
ANSWER_ROLES = (Role.CASEWORKER.value,)
PREFIXES = {"pengaduan": "PGD", "sanggahan": "SGH"}
TEXT_MAX = 4000
# Without parameters: a refusal message can end up in the permanent audit log.
BAD_NIK = _l("The NIK is not valid: 16 digits with a known province code, a real birth "
             "date (DDMMYY, women +40) and a serial other than 0000. Leave it empty if the "
             "complainant has none at hand.")


def can_file(actor: Actor) -> bool:
    return actor.has_role(*FILER_ROLES)


def can_answer(actor: Actor) -> bool:
    return actor.has_role(*ANSWER_ROLES)


def due_day(received_on: date) -> date:
    """Received + 14 calendar days: plain date arithmetic, right across months, 31 Dec
    and 29 Feb."""
    return received_on + ANSWER_TIME


def _nik(value: str | None) -> str | None:
    nik = (value or "").replace(" ", "")
    if not nik:
        return None
    failures = [c for c in blocking_failures(check_identity(nik, nik, None, None))
                if c.rule.startswith("nik.")]
    if failures:
        raise InvalidInput(BAD_NIK)
    return nik


def _text(value: str | None, label, limit: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise InvalidInput(_l("%(label)s is required (at most %(n)d characters).",
                              label=label, n=limit))
    return text


def _number(session: Session, kind: str, year: int) -> str:
    """PGD-2026-00001: per kind and year of receipt, gap-free while numbers are taken
    one at a time."""
    one_at_a_time(session, "complaint-number")
    prefix = f"{PREFIXES[kind]}-{year}-"
    taken = session.scalar(select(func.count()).select_from(Complaint)
                           .where(Complaint.number.startswith(prefix)))
    return f"{prefix}{taken + 1:05d}"


def file_complaint(session: Session, *, kind: str, complainant_name: str, contact: str,
                   kelurahan_code: str, text: str, actor: Actor, nik: str | None = None,
                   application_id: int | None = None,
                   received_on: date | None = None) -> Complaint:
    """Record a complaint as received (``received_on``, default today, never later);
    the due day is 14 days after it."""
    if not can_file(actor):
        raise NotAllowed(_l("Only caseworkers and partners record complaints."))
    if kind not in COMPLAINT_KINDS:
        raise InvalidInput(_l("Choose whether it is a complaint or an objection."))
    complainant_name = " ".join((complainant_name or "").split())
    if not complainant_name or len(complainant_name) > 200:
        raise InvalidInput(_l("The complainant's name is required (at most 200 characters)."))
    contact = _text(contact, _l("A contact (phone or address)"), 100)
    text = _text(text, _l("The complaint"), TEXT_MAX)
    if session.get(Kelurahan, kelurahan_code or "") is None:
        raise InvalidInput(_l("Choose the complainant's kelurahan."))
    today = clock.today()
    received_on = received_on or today
    if received_on > today:
        raise InvalidInput(_l("The day of receipt cannot be in the future."))
    application = None
    if application_id is not None:
        application = session.get(Application, application_id)
        if application is None or not partners.in_scope(session, actor, application):
            raise InvalidInput(_l("There is no application %(id)s you can link.",
                                  id=application_id))
    partners.check_kelurahan(session, actor, kelurahan_code)  # a partner's area only
    complaint = Complaint(number=_number(session, kind, received_on.year), kind=kind,
                          status="open", complainant_name=complainant_name, contact=contact,
                          nik=_nik(nik), kelurahan_code=kelurahan_code,
                          application_id=None if application is None else application.id,
                          text=text, received_on=received_on, due_on=due_day(received_on),
                          filed_by_id=actor.user_id)
    session.add(complaint)
    record_change(session, actor, "complaint.file", complaint, created=True)
    return complaint


def answer_complaint(session: Session, complaint: Complaint, *, answer: str,
                     actor: Actor) -> Complaint:
    """Record Disnaker's answer; the day of it (WIB) decides whether it came in time."""
    if not can_answer(actor):
        raise NotAllowed(_l("Only caseworkers answer complaints."))
    session.refresh(complaint, with_for_update=True)  # a second click sees the first
    if complaint.status != "open":
        raise Repeated(_l("Complaint %(number)s was already answered; nothing was changed.",
                          number=complaint.number))
    answer = _text(answer, _l("The answer"), TEXT_MAX)
    now = clock.now()
    complaint.status, complaint.answer = "answered", answer
    complaint.answered_by_id, complaint.answered_at = actor.user_id, now
    complaint.answered_on = clock.today()
    record_change(session, actor, "complaint.answer", complaint)
    return complaint


def close_complaint(session: Session, complaint: Complaint, *, actor: Actor) -> Complaint:
    """The complainant received the answer and nothing is left to do."""
    if not can_answer(actor):
        raise NotAllowed(_l("Only caseworkers close complaints."))
    session.refresh(complaint, with_for_update=True)
    if complaint.status == "closed":
        raise Repeated(_l("Complaint %(number)s is already closed; nothing was changed.",
                          number=complaint.number))
    if complaint.status != "answered":
        raise InvalidInput(_l("Answer the complaint before closing it."))
    complaint.status, complaint.closed_at = "closed", clock.now()
    record_change(session, actor, "complaint.close", complaint)
    return complaint
