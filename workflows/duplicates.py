"""Possible duplicates: the same KK under the one-per-KK rule, or a similar name
with the same birth date (a mistyped NIK). Each flag says why it was raised and
blocks verification until a caseworker resolves it with a recorded reason."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, DuplicateFlag, Role, Worker, clock
from reports.duplicate_flags import application_flags
from workflows.actor import Actor
from workflows.audit import record, record_change
from workflows.eligibility import ACTIVE_STATES
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.names import similarity, SIMILAR

RESOLUTIONS = ("not_duplicate", "duplicate")


def _candidates(session: Session, application: Application):
    worker = application.worker
    same_kk = session.execute(
        select(Worker, Application).join(Application, Application.worker_id == Worker.id)
        .where(Worker.kk_number == worker.kk_number, Worker.id != worker.id,
               Application.program_year == application.program_year,
               Application.state.in_(ACTIVE_STATES))).all()
    for other, other_app in same_kk:
        yield ("same_kk", other, other_app,
               f"KK {worker.kk_number} juga dipakai oleh {other.full_name} "
               f"(permohonan #{other_app.id}, {other_app.state})")
    same_birth = session.execute(select(Worker).where(
        Worker.birth_date == worker.birth_date, Worker.id != worker.id)).scalars()
    for other in same_birth:
        score = similarity(worker.full_name, other.full_name)
        if score >= SIMILAR:
            other_app = session.scalar(select(Application).where(
                Application.worker_id == other.id,
                Application.program_year == application.program_year))
            yield ("similar_name", other, other_app,
                   f"Nama mirip ({score:.0%}) dan tanggal lahir sama dengan {other.full_name}, "
                   f"NIK lain")


def detect_duplicates(session: Session, application: Application, *,
                      actor: Actor) -> list[DuplicateFlag]:
    """Raise a flag for each new hit; a pair already flagged (open or resolved) is not
    raised again, so a resubmission does not undo a caseworker's resolution."""
    known = {(f.reason, f.other_worker_id) for f in session.execute(
        select(DuplicateFlag).where(DuplicateFlag.application_id == application.id)).scalars()}
    flags = []
    for reason, other, other_app, detail in _candidates(session, application):
        if (reason, other.id) in known:
            continue
        known.add((reason, other.id))
        flag = DuplicateFlag(application_id=application.id, other_worker_id=other.id,
                             other_application_id=getattr(other_app, "id", None),
                             reason=reason, detail=detail)
        session.add(flag)
        record_change(session, actor, "duplicate.flag", flag, created=True)
        flags.append(flag)
    return flags


def open_flags(session: Session, application: Application) -> list[DuplicateFlag]:
    """The flags still to resolve (the verify step's guard)."""
    return [flag for flag in application_flags(session, application) if flag.is_open]


def resolve_duplicate(session: Session, flag: DuplicateFlag, *, resolution: str, note: str,
                      actor: Actor) -> None:
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers resolve possible duplicates."))
    session.refresh(flag, with_for_update=True)
    if not flag.is_open:
        raise InvalidTransition(_l("This possible duplicate was already resolved."))
    if resolution not in RESOLUTIONS:
        raise InvalidInput(_l("Choose whether it is a duplicate or not."))
    if not (note or "").strip():
        raise InvalidInput(_l("A reason is required."))
    flag.resolution, flag.resolution_note = resolution, note.strip()
    flag.resolved_by_id, flag.resolved_at = actor.user_id, clock.now()
    record(session, actor, "duplicate.resolve", entity=flag,
           diff={"resolution": [None, resolution]}, reason=note.strip())
