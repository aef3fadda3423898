"""Storing and serving an application's documents.

Files are accepted by what they are, not by what they are called
(workflows.document_content checks PDFs, JPEGs and PNGs for real). They are
stored outside static/ under a random name, with their SHA-256 recorded, and
read back only after the hash still matches.
"""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, Document, DocumentType, Role
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.audit.access import record_read
from workflows.document_files import checked_content, read_file, write_file
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.messages import lazy_gettext as _l
from workflows.partners import check_in_scope

MAX_BYTES = 5 * 1024 * 1024
EDITABLE_STATES = ("draft", "returned")
READER_ROLES = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value,
                Role.PARTNER.value)  # a partner: its own scope's cases only


def store_document(session: Session, application: Application, *, document_type: str,
                   original_name: str, data: bytes, storage_dir: Path, actor: Actor,
                   max_bytes: int = MAX_BYTES) -> Document:
    return store_documents(session, application, [(document_type, original_name, data)],
                           storage_dir=storage_dir, actor=actor, max_bytes=max_bytes)[0]


def store_documents(session: Session, application: Application,
                    files: list[tuple[str, str, bytes]], *, storage_dir: Path, actor: Actor,
                    max_bytes: int = MAX_BYTES) -> list[Document]:
    """Store ``files`` as (document type, original name, bytes): the intake desk sends
    the KTP, the KK and the statement in one go. Every file is checked before any is
    written, so one bad file stores none of them."""
    if not actor.has_role(Role.CASEWORKER, Role.PARTNER):
        raise NotAllowed(_l("Only caseworkers and partners add documents."))
    check_in_scope(session, actor, application)
    if application.state not in EDITABLE_STATES:
        raise InvalidTransition(_l("Documents can be added only while the application is a "
                                   "draft or returned for correction."))
    if not files:
        raise InvalidInput(_l("Choose a file to upload."))
    checked = [(_document_type(session, code), name, data, *checked_content(data, max_bytes))
               for code, name, data in files]
    return [_write(session, application, kind, name, data, content_type, extension,
                   storage_dir, actor)
            for kind, name, data, content_type, extension in checked]


def _document_type(session: Session, code: str) -> DocumentType:
    kind = session.get(DocumentType, code)
    if kind is None or not kind.active:
        raise InvalidInput(_l("Unknown document type."))
    return kind


def _write(session, application, kind, original_name, data, content_type, extension,
           storage_dir, actor) -> Document:
    document = Document(application_id=application.id, document_type_code=kind.code,
                        uploaded_by_id=actor.user_id,
                        **write_file(storage_dir, original_name, data, content_type,
                                     extension))
    session.add(document)
    record_change(session, actor, "document.upload", document, created=True)
    return document


def read_document(session: Session, document: Document, *, storage_dir: Path,
                  actor: Actor) -> bytes:
    """The stored bytes, after checking the role and the hash; the read is audited."""
    if not actor.has_role(*READER_ROLES):
        raise NotAllowed(_l("Your role may not open documents."))
    data = read_file(storage_dir, document)
    application = session.get(Application, document.application_id)
    check_in_scope(session, actor, application)
    record_read(session, actor, "document.read", entity=document,
                detail={"application_id": application.id, "worker_id": application.worker_id})
    return data


def current_documents(session: Session, application: Application) -> dict[str, Document]:
    """The latest upload per document type (older uploads stay as history)."""
    rows = session.execute(select(Document).where(Document.application_id == application.id)
                           .order_by(Document.id)).scalars()
    return {doc.document_type_code: doc for doc in rows}


def required_checklist(session: Session, application: Application
                       ) -> list[tuple[DocumentType, bool]]:
    """Each document type submission needs, and whether the application has it: the list
    the submit guard goes by, for the case page to tick off."""
    present = current_documents(session, application)
    required = session.execute(select(DocumentType).where(
        DocumentType.required.is_(True), DocumentType.active.is_(True))
        .order_by(DocumentType.code)).scalars()
    return [(kind, kind.code in present) for kind in required]


def missing_required(session: Session, application: Application) -> list[DocumentType]:
    return [kind for kind, present in required_checklist(session, application) if not present]
