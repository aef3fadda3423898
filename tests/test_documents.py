"""Documents are accepted by content, stored under random names outside static/,
served only to allowed roles and only while their hash still matches."""
import hashlib

import pytest
from sqlalchemy import select

from models import AuditEvent, Document
from tests.factories import DOCUMENT_DIR, make_application, png_bytes
from tests.test_upload_content import pdf_bytes
from workflows.document_content import sniff
from workflows.documents import read_document, store_document
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed


def _store(session, application, actor, data, name="ktp.png", **kwargs):
    return store_document(session, application, document_type="ktp", original_name=name,
                          data=data, storage_dir=DOCUMENT_DIR, actor=actor, **kwargs)


def test_png_is_stored_under_a_random_name_with_its_hash(session, staff):
    application = make_application(session, staff["cw1"])
    data = png_bytes()
    document = _store(session, application, staff["cw1"], data, name="KTP Siti.png")
    stored = DOCUMENT_DIR / document.stored_name
    assert stored.read_bytes() == data and "Siti" not in document.stored_name
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.content_type == "image/png"
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "document.upload")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert "Siti" not in event.diff


def test_a_pdf_named_jpg_is_taken_for_what_it_is(session, staff):
    application = make_application(session, staff["cw1"])
    assert _store(session, application, staff["cw1"], pdf_bytes(),
                  name="foto.jpg").content_type == (
        "application/pdf")


@pytest.mark.parametrize("data,name", [
    (b"MZ\x90\x00 executable", "ktp.pdf"),
    (b"<html><script>alert(1)</script></html>", "ktp.png"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "ktp.png"),
    (b"%PDF-1.4 truncated", "ktp.pdf"),
    (b"", "ktp.png"),
])
def test_disguised_damaged_or_empty_files_are_refused_and_nothing_is_stored(session, staff,
                                                                            data, name):
    application = make_application(session, staff["cw1"])
    before = set(DOCUMENT_DIR.iterdir()) if DOCUMENT_DIR.exists() else set()
    with pytest.raises(InvalidInput):
        _store(session, application, staff["cw1"], data, name=name)
    assert session.execute(select(Document).where(
        Document.application_id == application.id)).first() is None
    assert (set(DOCUMENT_DIR.iterdir()) if DOCUMENT_DIR.exists() else set()) == before


def test_oversized_file_is_refused(session, staff):
    application = make_application(session, staff["cw1"])
    with pytest.raises(InvalidInput) as refused:
        _store(session, application, staff["cw1"], png_bytes((900, 900)), max_bytes=1024)
    assert "MB" in str(refused.value.message)


def test_no_uploads_once_submitted_and_only_by_caseworkers(session, staff):
    application = make_application(session, staff["cw1"])
    with pytest.raises(NotAllowed):
        _store(session, application, staff["audit1"], png_bytes())
    application.state = "verified"
    with pytest.raises(InvalidTransition):
        _store(session, application, staff["cw1"], png_bytes())


def test_reading_checks_role_and_hash_and_is_audited(session, staff):
    application = make_application(session, staff["cw1"])
    document = _store(session, application, staff["cw1"], png_bytes())
    assert read_document(session, document, storage_dir=DOCUMENT_DIR,
                         actor=staff["audit1"]) == png_bytes()
    read = session.execute(select(AuditEvent).where(AuditEvent.action == "document.read")
                           .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert read.actor_name == "audit1" and read.entity_id == str(document.id)
    with pytest.raises(NotAllowed):
        read_document(session, document, storage_dir=DOCUMENT_DIR, actor=staff["admin1"])
    (DOCUMENT_DIR / document.stored_name).write_bytes(png_bytes((30, 30)))
    with pytest.raises(InvalidInput):
        read_document(session, document, storage_dir=DOCUMENT_DIR, actor=staff["cw1"])


def test_sniff_knows_jpeg():
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    assert sniff(buffer.getvalue()) == ("image/jpeg", ".jpg")
