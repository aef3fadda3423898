"""Loading the shipped reference data into the database, audited and idempotent."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (ContributionComponent, DocumentType, Kecamatan, Kelurahan, PolicyVersion,
                    UmkRate)
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.reference_data import (CONTRIBUTIONS, DOCUMENT_TYPES, INITIAL_POLICY, KOTA_BEKASI,
                                      UMK)


def _upsert(session: Session, actor: Actor, model, key: dict, values: dict, *,
            update: bool = True) -> bool:
    """Create the row, or (unless the admin owns it after creation) update it."""
    obj = session.execute(select(model).filter_by(**key)).scalar_one_or_none()
    if obj is None:
        obj = model(**key, **values)
        session.add(obj)
        record_change(session, actor, "reference.create", obj, created=True)
        return True
    if not update:
        return False
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    for k, v in changed.items():
        setattr(obj, k, v)
    if changed:
        record_change(session, actor, "reference.update", obj)
    return bool(changed)


def load_reference_data(session: Session, *, actor: Actor) -> int:
    """Bring kecamatan, kelurahan, UMK, contribution and document-type rows up to the
    shipped lists, and create the first policy version when there is none.

    Returns how many rows were created or changed; a second run returns 0.
    """
    changes = 0
    for kec_code, (kec_name, kelurahan) in KOTA_BEKASI.items():
        changes += _upsert(session, actor, Kecamatan, {"code": kec_code}, {"name": kec_name})
        for suffix, name in kelurahan.items():
            changes += _upsert(session, actor, Kelurahan, {"code": kec_code + suffix},
                               {"name": name, "kecamatan_code": kec_code})
    for year, (amount, basis) in UMK.items():
        changes += _upsert(session, actor, UmkRate, {"year": year},
                           {"amount": amount, "legal_basis": basis})
    for program, start, amount, basis_income, basis in CONTRIBUTIONS:
        changes += _upsert(session, actor, ContributionComponent,
                           {"program": program, "effective_from": start},
                           {"amount": amount, "income_basis": basis_income, "legal_basis": basis})
    for code, name, required in DOCUMENT_TYPES:
        changes += _upsert(session, actor, DocumentType, {"code": code},
                           {"name": name, "required": required}, update=False)
    if session.scalar(select(PolicyVersion.id).limit(1)) is None:
        policy = PolicyVersion(**INITIAL_POLICY)
        session.add(policy)
        record_change(session, actor, "policy.create", policy, created=True)
        changes += 1
    return changes
