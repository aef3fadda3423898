"""Correcting a registered worker's data: UU PDP gives the data subject the right to have
inaccurate data corrected (the request itself is recorded under /privacy/).

The rules, and why:

- Caseworkers and heads correct, the roles that handle data subject requests; auditors
  and admins change no case data.
- The NIK is not editable: DTSEN, BPJS and other payers know the person by it, so a wrong
  NIK is another person and a new registration. Category and declared income are not
  here either: they are the worker's signed declaration for the application.
- Values are checked as intake checks them (``check_person`` of workflows/intake.py, the
  intake file's birth date rule, the intake form's RT/RW and phone formats below).
- Eligibility evaluations are snapshots of what was seen and stay as they were; the result
  says when a field eligibility reads changed, so the page can suggest a new evaluation.
- While an application is approved, with BPJS or enrolled, the approval and its budget
  commitment rest on the eligibility fields and on the kelurahan (the place is taken from,
  and released to, its kecamatan's quota: workflows/budget.case_keys), so those are
  frozen. Name, birth place, address, RT/RW, phone and occupation stay correctable
  (people move and change numbers). Closed cases hold no commitment: all correctable.
"""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, Role, Worker
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports.values import CellError, parse_birth_date
from workflows.intake import check_person
from workflows.messages import lazy_gettext as _l
from workflows.states import STATE_LABELS

CORRECTOR_ROLES = (Role.CASEWORKER.value, Role.HEAD.value)
FIELD_LABELS = {
    "full_name": _l("Name as on the KTP"), "birth_place": _l("Birth place"),
    "birth_date": _l("Birth date"), "sex": _l("Sex"), "kk_number": _l("KK number"),
    "address": _l("Address"), "rt": "RT", "rw": "RW",
    "kelurahan_code": _l("Kelurahan (domicile)"), "phone": _l("Phone"),
    "occupation": _l("Occupation"),
}
EDITABLE_FIELDS = tuple(FIELD_LABELS)
# What the eligibility rules read besides the NIK: identity, age, one participant per KK.
ELIGIBILITY_FIELDS = frozenset({"birth_date", "sex", "kk_number"})
FROZEN_ONCE_APPROVED = ELIGIBILITY_FIELDS | {"kelurahan_code"}
APPROVED_STATES = ("approved", "submitted_to_bpjs", "enrolled")
# Formats of the intake form (caseapp/cases/forms.py uses these); the intake verb has none.
RT_RW = re.compile(r"^\d{1,3}$")
PHONE = re.compile(r"^\+?\d{8,15}$")
RT_RW_RULE = _l("RT and RW are 1 to 3 digits.")
PHONE_RULE = _l("A phone number is 8 to 15 digits, optionally after a +.")
_FORMATS = {"rt": (RT_RW, RT_RW_RULE), "rw": (RT_RW, RT_RW_RULE), "phone": (PHONE, PHONE_RULE)}
_PERSON = ("kk_number", "birth_date", "sex", "kelurahan_code")  # checked by check_person


@dataclass(frozen=True)
class WorkerCorrection:
    fields: tuple[str, ...]  # the fields that changed

    @property
    def affects_eligibility(self) -> bool:
        return not ELIGIBILITY_FIELDS.isdisjoint(self.fields)


def can_correct(actor: Actor) -> bool:
    return actor.has_role(*CORRECTOR_ROLES)


def require_corrector(actor: Actor) -> None:
    if not can_correct(actor):
        raise NotAllowed(_l("Only caseworkers and heads correct a worker's data."))


def _approved_application(session: Session, worker: Worker, *, lock: bool = False):
    """(id, state) of the worker's application holding an approval, if any. Locking every
    application row of the worker makes a concurrent approval wait for the correction."""
    query = select(Application.id, Application.state).where(
        Application.worker_id == worker.id).order_by(Application.id)
    rows = session.execute(query.with_for_update() if lock else query).all()
    return next((row for row in rows if row.state in APPROVED_STATES), None)


def correctable_fields(session: Session, worker: Worker) -> tuple[str, ...]:
    """The fields a correction may change now (the case page offers only these)."""
    if _approved_application(session, worker) is None:
        return EDITABLE_FIELDS
    return tuple(name for name in EDITABLE_FIELDS if name not in FROZEN_ONCE_APPROVED)


def _text(name: str, value) -> str | None:
    text = (value or "").strip()
    limit = Worker.__table__.c[name].type.length  # None for the address (Text)
    label = FIELD_LABELS[name]
    if not text:
        if name == "phone":
            return None
        raise InvalidInput(_l("%(field)s is required.", field=label))
    if limit and len(text) > limit:
        raise InvalidInput(_l("%(field)s has at most %(n)d characters.", field=label, n=limit))
    pattern, message = _FORMATS.get(name, (None, None))
    if pattern and not pattern.match(text):
        raise InvalidInput(message)
    return text


def _clean(name: str, value):
    if name == "birth_date":
        try:
            return parse_birth_date(value)
        except CellError as exc:
            raise InvalidInput(exc.message) from None
    if name in _PERSON:
        return (value or "").strip()  # check_person judges them once compared
    return _text(name, value)


def _require_not_frozen(session: Session, worker: Worker, fields) -> None:
    frozen = [name for name in EDITABLE_FIELDS if name in fields and name in FROZEN_ONCE_APPROVED]
    approved = _approved_application(session, worker, lock=True) if frozen else None
    if approved is not None:
        raise InvalidTransition(_l(
            "Application %(id)s is %(state)s: its approval and budget commitment rest on "
            "%(fields)s, which can therefore no longer be corrected. If they are wrong, the "
            "application is declined or the membership ended and the worker applies again.",
            id=approved.id, state=STATE_LABELS[approved.state],
            fields=", ".join(str(FIELD_LABELS[name]) for name in frozen)))


def correct_worker(session: Session, worker: Worker, *, changes: dict, reason: str,
                   actor: Actor) -> WorkerCorrection:
    """Set the values of ``changes`` that differ from the record and audit them as one
    ``worker.correct`` event with the reason; refused when nothing differs."""
    require_corrector(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("A reason is required."))
    if "nik" in changes:
        raise InvalidInput(_l("The NIK cannot be corrected: a wrong NIK is a new registration."))
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(_l("%(fields)s cannot be corrected here.", fields=", ".join(unknown)))
    session.flush()
    session.refresh(worker, with_for_update=True)  # compare with the latest values
    new = {}
    for name, value in changes.items():
        value = _clean(name, value)
        if value != getattr(worker, name):
            new[name] = value
    if not new:
        raise InvalidInput(_l("Nothing to correct: every value is as recorded."))
    _require_not_frozen(session, worker, new)
    if not new.keys().isdisjoint(_PERSON):
        check_person(session, nik=worker.nik,
                     **{name: new.get(name, getattr(worker, name)) for name in _PERSON})
    for name, value in new.items():
        setattr(worker, name, value)
    record_change(session, actor, "worker.correct", worker, reason=reason)
    return WorkerCorrection(fields=tuple(new))
