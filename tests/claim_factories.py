"""Participants to claim for, made through the verbs: an enrolled one, one whose death
is recorded (the exit verb for a death), and claims with their documents."""
from datetime import date, datetime, time, timedelta

from models import Application
from models.clock import JAKARTA
from tests.factories import DOCUMENT_DIR, enrol, make_budget, png_bytes
from workflows.claims import record_claim, store_claim_document
from workflows.claims.documents import REQUIRED
from workflows.exits import record_death

COVER_FROM = date(2026, 2, 1)


def member(session, staff, *, places: int | None = 3, coverage_start: date = COVER_FROM,
           **fields) -> Application:
    """An enrolled participant; ``places`` opens the 2026 budget (None: it is open already)."""
    if places is not None:
        make_budget(session, staff["admin1"], places=places)
    (application,) = enrol(session, staff, coverage_start=coverage_start,
                           sk_date=date(2026, 1, 10), **fields)
    return application


def died(session, staff, application: Application, died_on: date) -> Application:
    """The death recorded as the case page records it (workflows.exits.record_death)."""
    record_death(session, application, date_of_death=died_on, note="Meninggal dunia",
                 actor=staff["cw1"])
    return session.get(Application, application.id)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), JAKARTA)


def jkm_claim(session, staff, application, died_on: date, **overrides):
    values = dict(kind="jkm", event_date=died_on, heir_name="Siti Aminah",
                  heir_relation="suami_istri", actor=staff["cw1"])
    values.update(overrides)
    return record_claim(session, application, **values)


def jkk_claim(session, staff, application, day: date, at: time = time(10, 0), **overrides):
    values = dict(kind="jkk", event_date=day, event_time=at,
                  reported_at=datetime.combine(day, at, JAKARTA) + timedelta(hours=2),
                  description="Terjatuh dari motor", actor=staff["cw1"])
    values.update(overrides)
    return record_claim(session, application, **values)


def attach_required(session, staff, claim) -> None:
    for kind in REQUIRED[claim.kind]:
        store_claim_document(session, claim, kind=kind, original_name=f"{kind}.png",
                             data=png_bytes(), storage_dir=DOCUMENT_DIR, actor=staff["cw1"])
