"""Recording a claim at the desk: a JKK work accident or a JKM death of a participant.

Deliberately not guarded by ``processing_not_restricted`` (workflows.restrictions): a
worker who restricted the processing of their data and then died while covered still
leaves a family owed the JKM benefit, and recording the claim is what the membership
was paid for: a legal obligation of the wadah towards BPJS and the heirs, a ground of
processing of its own (UU PDP Pasal 20 ayat 2 huruf c), which a restriction asked for
to stop the case moving forward (workflows.restrictions) does not take away.
"""
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, Claim, Role, clock
from models.claim import CLAIM_KINDS, HEIR_RELATIONS
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.claims.numbers import hold_claim_serial, next_claim_number
from workflows.claims.rules import (accident_moment, check_covered, date_of_death,
                                    death_recorded, reported_late)
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed, Repeated
from workflows.messages import lazy_gettext as _l

TEXT_MAX, NAME_MAX = 2000, 200
DEATH_NOT_RECORDED = _l("The death is not recorded on this case. Record it first on the "
                        "case page with \"end membership: death\" (reason: deceased, with "
                        "the date of death), then record the JKM claim.")


def may_record(actor: Actor) -> bool:
    return actor.has_role(Role.CASEWORKER)


def require_caseworker(actor: Actor) -> None:
    if not may_record(actor):
        raise NotAllowed(_l("Only caseworkers record and follow up claims."))


def _text(value: str | None, limit: int = TEXT_MAX) -> str | None:
    text = " ".join((value or "").split()) if limit == NAME_MAX else (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(_l("A text is longer than %(max)d characters.", max=limit))
    return text or None


def _check_kind_fields(kind: str, event_time: time | None, heir_name: str | None,
                       heir_relation: str | None) -> None:
    if kind not in CLAIM_KINDS:
        raise InvalidInput(_l("Choose whether the claim is a work accident (JKK) or a death "
                              "(JKM)."))
    if kind == "jkk" and event_time is None:
        raise InvalidInput(_l("Give the time of the accident: the 2 x 24 hours to report it "
                              "run from then."))
    if kind == "jkm" and (not heir_name or heir_relation not in HEIR_RELATIONS):
        raise InvalidInput(_l("Name the heir (ahli waris) and their relation to the "
                              "deceased."))


def _check_not_twice(session: Session, application: Application, kind: str,
                     event_date: date) -> None:
    """One JKM claim per death (a refused one may be recorded again); one JKK claim per
    accident day."""
    query = select(Claim.claim_number).where(Claim.application_id == application.id,
                                             Claim.kind == kind, Claim.state != "ditolak")
    if kind == "jkk":
        query = query.where(Claim.event_date == event_date)
    existing = session.scalar(query.limit(1))
    if existing:
        raise Repeated(_l("This event is already recorded as claim %(number)s.",
                          number=existing))


def record_claim(session: Session, application: Application, *, kind: str, event_date: date,
                 event_time: time | None = None, reported_at: datetime | None = None,
                 description: str | None = None, late_reason: str | None = None,
                 heir_name: str | None = None, heir_relation: str | None = None,
                 actor: Actor) -> Claim:
    """Record the claim (state ``dicatat``). ``reported_at``, when the desk learnt of the
    event, is now unless given (a report by phone typed in later)."""
    require_caseworker(actor)
    heir_name = _text(heir_name, NAME_MAX) if kind == "jkm" else None
    heir_relation = heir_relation if kind == "jkm" else None
    event_time = event_time if kind == "jkk" else None
    _check_kind_fields(kind, event_time, heir_name, heir_relation)
    if kind == "jkm" and not death_recorded(application):
        raise InvalidTransition(DEATH_NOT_RECORDED)
    died = date_of_death(session, application) if kind == "jkm" else None
    if died is not None and event_date != died:
        raise InvalidInput(_l("The date of death recorded on the case is %(day)s; the JKM "
                              "claim is for that day.", day=died.isoformat()))
    check_covered(session, application, event_date)
    now = clock.now()
    reported_at = reported_at or now
    if reported_at > now:
        raise InvalidInput(_l("The time of the report cannot be in the future."))
    event_start = accident_moment(event_date, event_time or time(0, 0))
    if reported_at < event_start:
        raise InvalidInput(_l("The report cannot come before the event."))
    late = kind == "jkk" and reported_late(event_date, event_time, reported_at)
    late_reason = _text(late_reason) if late else None
    if late and not late_reason:
        raise InvalidInput(_l("The accident was reported more than 2 x 24 hours after it "
                              "happened. BPJS still processes it: state why the report came "
                              "late."))
    hold_claim_serial(session)
    _check_not_twice(session, application, kind, event_date)
    claim = Claim(claim_number=next_claim_number(session, clock.today().year),
                  application_id=application.id, kind=kind, state="dicatat",
                  event_date=event_date, event_time=event_time,
                  description=_text(description), reported_at=reported_at,
                  reported_late=late, late_reason=late_reason, heir_name=heir_name,
                  heir_relation=heir_relation, recorded_by_id=actor.user_id, recorded_at=now)
    session.add(claim)
    session.flush()
    # The late reason itself may tell of injuries: masked in the diff, not in the reason.
    record_change(session, actor, "claim.record", claim, created=True,
                  reason="Dilaporkan lewat 2x24 jam" if late else None)
    return claim
