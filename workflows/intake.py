"""Taking a worker and their application in (the draft stage)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (Application, ApplicationPartner, ApplicationTransition, Kelurahan, Role,
                    Worker)
from models.application import INTAKE_CHANNELS
from models.partner import PARTNER_OFFICES
from models.worker import CATEGORIES
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import Conflict, InvalidInput, NotAllowed
from workflows.identity import blocking_failures, check_identity
from workflows import partners
from workflows.messages import lazy_gettext as _l


class AlreadyRegistered(Conflict):
    """The NIK is a registered worker's: the refusal names their newest application
    (``application_id``, None if they have none), so the page can open it."""

    def __init__(self, message, application_id: int | None):
        super().__init__(message)
        self.application_id = application_id


def _already_registered(session: Session, worker: Worker) -> AlreadyRegistered:
    newest = session.execute(select(Application.id, Application.program_year)
                             .where(Application.worker_id == worker.id)
                             .order_by(Application.program_year.desc()).limit(1)).first()
    if newest is None:
        return AlreadyRegistered(_l(
            "NIK %(nik)s is already registered for %(name)s (worker %(id)s), who has no "
            "application yet; do not register them again.",
            nik=worker.nik, name=worker.full_name, id=worker.id), None)
    return AlreadyRegistered(_l(
        "NIK %(nik)s is already registered for %(name)s, with application %(application)s "
        "(%(year)d); open that application instead of registering again.",
        nik=worker.nik, name=worker.full_name, application=newest.id,
        year=newest.program_year), newest.id)


def _require_caseworker(actor: Actor) -> None:
    """Caseworkers, and partners inside their scope (workflows/partners.py)."""
    if not actor.has_role(Role.CASEWORKER, Role.PARTNER):
        raise NotAllowed(_l("Only caseworkers and partners take applications in."))


def _digits(value: str, length: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) != length or not value.isdigit():
        raise InvalidInput(_l("%(label)s must be exactly %(n)d digits.", label=label, n=length))
    return value


def check_person(session: Session, *, nik: str, kk_number: str, birth_date: date, sex: str,
                 kelurahan_code: str) -> tuple[str, str]:
    """Identity and domicile as intake checks them, also for corrections
    (workflows/worker_corrections.py); returns the NIK and KK number stripped."""
    nik = _digits(nik, 16, "NIK")
    kk_number = _digits(kk_number, 16, _l("KK number"))
    failures = blocking_failures(check_identity(nik, kk_number, birth_date, sex))
    if failures:
        raise InvalidInput(" ".join(str(f.message) for f in failures))
    if session.get(Kelurahan, kelurahan_code) is None:
        raise InvalidInput(_l("Unknown kelurahan code %(code)s.", code=kelurahan_code))
    if sex not in ("L", "P"):
        raise InvalidInput(_l("Sex must be L or P."))
    return nik, kk_number


def register_worker(session: Session, *, actor: Actor, nik: str, kk_number: str,
                    full_name: str, birth_place: str, birth_date: date, sex: str,
                    address: str, rt: str, rw: str, kelurahan_code: str, phone: str | None,
                    category: str, occupation: str, monthly_income: int) -> Worker:
    _require_caseworker(actor)
    nik, kk_number = check_person(session, nik=nik, kk_number=kk_number, birth_date=birth_date,
                                  sex=sex, kelurahan_code=kelurahan_code)
    partners.check_kelurahan(session, actor, kelurahan_code)
    if category not in CATEGORIES:
        raise InvalidInput(_l("Unknown category %(value)s.", value=category))
    if monthly_income < 0:
        raise InvalidInput(_l("Income cannot be negative."))
    existing = session.execute(select(Worker).where(Worker.nik == nik)).scalar_one_or_none()
    if existing is not None:
        if not partners.in_scope(session, actor, existing):
            # Not a NIK-to-name lookup for a partner: outside its scope only the fact.
            raise AlreadyRegistered(_l(
                "NIK %(nik)s is already registered outside your area; it cannot be taken in "
                "here. Contact Disnaker.", nik=nik), None)
        raise _already_registered(session, existing)
    worker = Worker(nik=nik, kk_number=kk_number, full_name=full_name.strip(),
                    birth_place=birth_place.strip(), birth_date=birth_date, sex=sex,
                    address=address.strip(), rt=rt, rw=rw, kelurahan_code=kelurahan_code,
                    phone=phone, category=category, occupation=occupation.strip(),
                    monthly_income=monthly_income)
    session.add(worker)
    record_change(session, actor, "worker.register", worker, created=True)
    return worker


def open_application(session: Session, worker: Worker, *, program_year: int,
                     intake_channel: str, actor: Actor,
                     partner_office: str | None = None) -> Application:
    """Start a draft application; one per worker per programme year. A case that came
    through a partner office keeps which one (``partner_office``, channel 'partner'); a
    partner account's own intake takes its scope's channel and office whatever was asked."""
    _require_caseworker(actor)
    scope = partners.check_kelurahan(session, actor, worker.kelurahan_code)
    if scope is not None:
        intake_channel = scope.channel
        partner_office = scope.key if scope.kind == "office" else None
    if intake_channel not in INTAKE_CHANNELS:
        raise InvalidInput(_l("Unknown intake channel %(value)s.", value=intake_channel))
    partner_office = (partner_office or "").strip() or None
    if partner_office is not None and (intake_channel != "partner"
                                       or partner_office not in PARTNER_OFFICES):
        raise InvalidInput(_l("A partner office is named only for the partner channel, and "
                              "must be one of the known offices."))
    existing = session.scalar(select(Application.id).where(
        Application.worker_id == worker.id, Application.program_year == program_year))
    if existing is not None:
        raise Conflict(_l("This worker already has application %(id)s for %(year)d.",
                          id=existing, year=program_year))
    application = Application(worker=worker, program_year=program_year, state="draft",
                              intake_channel=intake_channel, taken_in_by_id=actor.user_id)
    session.add(application)
    session.add(ApplicationTransition(application=application, from_state=None,
                                      to_state="draft", actor_id=actor.user_id))
    if partner_office is not None:
        session.flush()
        session.add(ApplicationPartner(application_id=application.id, office=partner_office))
    record_change(session, actor, "application.open", application, created=True,
                  extra={"partner_office": [None, partner_office]} if partner_office else None)
    return application
