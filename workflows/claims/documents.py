"""The documents sent with a claim (akta kematian, surat keterangan ahli waris, KPJ card,
the accident report), stored and checked exactly as a case's documents are
(workflows.document_files): by content, not by name; only real PDFs, JPEGs and PNGs;
outside static/ under a random name with the SHA-256, read back only while the hash
still matches, every read an audit event.
"""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Claim, ClaimDocument, Role
from models.claim import CLAIM_DOCUMENT_KINDS
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.audit.access import record_read
from workflows.document_files import checked_content, read_file, write_file
from workflows.documents import MAX_BYTES
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l

DOCUMENT_LABELS = {"akta_kematian": _l("Death certificate (akta kematian)"),
                   "surat_ahli_waris": _l("Heir letter (surat keterangan ahli waris)"),
                   "kartu_kpj": _l("KPJ card"),
                   "laporan_kecelakaan": _l("Accident report (kronologi)"),
                   "lainnya": _l("Other document")}
# What BPJS asks for with each kind of claim (checked before it is sent).
REQUIRED = {"jkm": ("akta_kematian", "surat_ahli_waris", "kartu_kpj"),
            "jkk": ("laporan_kecelakaan", "kartu_kpj")}
# BPJS may ask for more while it decides; a decided claim's file is closed.
OPEN_STATES = ("dicatat", "diajukan")
READER_ROLES = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)


def missing_documents(session: Session, claim: Claim) -> list:
    present = set(session.execute(select(ClaimDocument.kind)
                                  .where(ClaimDocument.claim_id == claim.id)).scalars())
    return [DOCUMENT_LABELS[kind] for kind in REQUIRED[claim.kind] if kind not in present]


def store_claim_document(session: Session, claim: Claim, *, kind: str, original_name: str,
                         data: bytes, storage_dir: Path, actor: Actor,
                         max_bytes: int = MAX_BYTES) -> ClaimDocument:
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers add documents."))
    if claim.state not in OPEN_STATES:
        raise InvalidTransition(_l("Claim %(number)s is decided; its documents are closed.",
                                   number=claim.claim_number))
    if kind not in CLAIM_DOCUMENT_KINDS:
        raise InvalidInput(_l("Unknown document type."))
    content_type, extension = checked_content(data, max_bytes)
    document = ClaimDocument(claim_id=claim.id, kind=kind, uploaded_by_id=actor.user_id,
                             **write_file(storage_dir, original_name, data, content_type,
                                          extension))
    session.add(document)
    session.flush()
    record_change(session, actor, "claim.document_upload", document, created=True)
    return document


def read_claim_document(session: Session, document: ClaimDocument, *, storage_dir: Path,
                        actor: Actor) -> bytes:
    """The stored bytes, after checking the role and the hash; the read is audited."""
    if not actor.has_role(*READER_ROLES):
        raise NotAllowed(_l("Your role may not open documents."))
    data = read_file(storage_dir, document)
    claim = document.claim
    record_read(session, actor, "claim.document_read", entity=document,
                detail={"claim_id": claim.id, "application_id": claim.application_id})
    return data
