"""What BPJS's answer does to one case: enrolment under its KPJ, or rejection, which
gives the case's money and place back so the waiting list moves up (Pasal 90
ayat 3: the budget serves the next person in rank instead of lying idle)."""
from datetime import date

from sqlalchemy.orm import Session

from models import Application
from workflows.actor import Actor
from workflows.audit import record_many
from workflows.approval import WAITLIST_ACTOR, promote_waitlist
from workflows.audit.masking import mask
from workflows.budget import release_uncovered
from workflows.errors import Conflict
from workflows.exits import release_and_promote
from workflows.messages import lazy_gettext as _l
from workflows.states import apply_transition, check_transition


def enrol(session: Session, application: Application, *, kpj: str, coverage_start: date,
          actor: Actor) -> dict:
    """Record the KPJ and coverage start and enrol the case, giving back the committed
    months before the cover starts; returns the membership audit event for the caller
    to append (a reply of thousands appends them in one go), and the caller moves the
    waiting list up once for all the money released."""
    check_transition(application, "enrol", actor, None)  # refuse before changing anything
    if application.kpj is not None and application.kpj != kpj:
        raise Conflict(_l("Application %(id)s already has another KPJ.", id=application.id))
    application.kpj, application.coverage_start = kpj, coverage_start
    apply_transition(session, application, "enrol", actor=actor)
    before = application.commitment
    released = release_uncovered(session, application, actor=actor)
    # The KPJ identifies a person: the log keeps a keyed hash, the row keeps the number.
    diff = {"kpj": [None, mask(kpj)], "coverage_start": [None, coverage_start.isoformat()]}
    if released:
        diff["commitment"] = [before, application.commitment]
    return {"action": "bpjs.membership", "entity_type": "application",
            "entity_id": application.id, "diff": diff}


def promote_after_enrolment(session: Session, fiscal_years: set[int]) -> int:
    """Money released at enrolment serves the next reserves in rank."""
    return sum(promote_waitlist(session, year, actor=WAITLIST_ACTOR,
                                trigger="Bulan tanpa cakupan BPJS dilepas")
               for year in sorted(fiscal_years))


def enrol_application(session: Session, application: Application, *, kpj: str,
                      coverage_start: date, actor: Actor) -> None:
    """BPJS accepted the case: record its KPJ and coverage start, then enrol it."""
    record_many(session, actor, [enrol(session, application, kpj=kpj,
                                       coverage_start=coverage_start, actor=actor)])
    promote_after_enrolment(session, {application.program_year})


def reject_by_bpjs(session: Session, application: Application, *, reason: str,
                   actor: Actor) -> int:
    """BPJS refused the case: mark it, release its commitment and place, promote
    reserves. Returns the rupiah released."""
    apply_transition(session, application, "bpjs_reject", actor=actor, reason=reason)
    return release_and_promote(session, application, from_month=None,
                               reason=f"Ditolak BPJS: {reason}", actor=actor)
