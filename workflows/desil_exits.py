"""Participants whose desil rose above the policy's cut-off after a DTSEN update.

DTSEN is updated four times a year and an update can move a family to another desil
(domain.md §7); Bekasi SIGAP covers desil 1-5 (onlinebekasi.com/?p=10401), the cut-off
being the policy version's ``max_desil``. This lists the enrolled participants whose
desil in the data aktual now in use (workflows.imports.datasets.current_dataset) is
above the cut-off of the policy in force today, read by NIK as the eligibility check
reads it (workflows.eligibility), and ends the memberships a caseworker ticks, all in
one transaction, each as ``desil_naik`` with the desil and dataset seen.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (Application, DtsenRecord, ImportRun, Kelurahan, PolicyVersion, Role,
                    Worker)
from reports.configuration import policy_on
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.exits import terminate_membership
from workflows.imports.datasets import current_dataset
from workflows.messages import lazy_gettext as _l


@dataclass(frozen=True)
class DesilRow:
    application_id: int
    program_year: int
    full_name: str
    kelurahan: str
    coverage_start: date | None
    desil: int


@dataclass(frozen=True)
class DesilCheck:
    """What the list was read against; ``rows`` empty when either is missing."""

    policy: PolicyVersion | None
    dataset: ImportRun | None
    rows: list[DesilRow]


def desil_above_cutoff(session: Session, on: date) -> DesilCheck:
    """Enrolled participants whose current desil is above the cut-off in force ``on``."""
    policy, dataset = policy_on(session, on), current_dataset(session, "dtsen")
    if policy is None or dataset is None:
        return DesilCheck(policy, dataset, [])
    found = session.execute(
        select(Application.id, Application.program_year, Worker.full_name,
               Kelurahan.name, Application.coverage_start, DtsenRecord.desil)
        .join(Worker, Worker.id == Application.worker_id)
        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
        .join(DtsenRecord, (DtsenRecord.nik == Worker.nik)
              & (DtsenRecord.dataset_id == dataset.id))
        .where(Application.state == "enrolled", DtsenRecord.desil > policy.max_desil)
        .order_by(Application.program_year, Kelurahan.name, Worker.full_name,
                  Application.id)).all()
    return DesilCheck(policy, dataset, [DesilRow(*row) for row in found])


def end_for_desil(session: Session, application_ids: list[int], *, effective_month: date,
                  note: str, actor: Actor, on: date) -> int:
    """End the ticked memberships from ``effective_month`` as ``desil_naik``; all or
    none: a case no longer on the list (ended meanwhile, or a newer DTSEN update) is
    refused by number and nothing is ended. Returns how many ended."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers end memberships."))
    ids = sorted(set(application_ids))
    if not ids:
        raise InvalidInput(_l("Tick at least one participant."))
    if not isinstance(effective_month, date):
        raise InvalidInput(_l("Choose the month from which the membership ends."))
    check = desil_above_cutoff(session, on)
    listed = {row.application_id: row for row in check.rows}
    missing = [i for i in ids if i not in listed]
    if missing:
        raise InvalidTransition(_l(
            "Not (any more) an enrolled participant above the desil cut-off: %(ids)s. "
            "Nothing was ended; reload the list.", ids=", ".join(f"#{i}" for i in missing)))
    for application_id in ids:
        terminate_membership(session, session.get(Application, application_id),
                             reason_code="desil_naik", effective_month=effective_month,
                             note=note, actor=actor, desil=listed[application_id].desil,
                             dtsen_dataset_id=check.dataset.id)
    record(session, actor, "membership.end_desil_naik", entity_type="import_run",
           entity_id=check.dataset.id, reason=note or None,
           diff={"ended": [None, len(ids)], "applications": [None, ids],
                 "max_desil": [None, check.policy.max_desil],
                 "exit_month": [None, f"{effective_month:%Y-%m}"]})
    return len(ids)
