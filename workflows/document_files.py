"""The file behind a stored document, a case's or a claim's: checked by what it is
(workflows.document_content) and by size, written whole under a random name outside
static/ with its SHA-256, and read back only while that hash still matches."""
import hashlib
import os
import secrets
from pathlib import Path

from workflows.document_content import sniff
from workflows.errors import InvalidInput
from workflows.messages import lazy_gettext as _l


def checked_content(data: bytes, max_bytes: int) -> tuple[str, str]:
    """``(content type, extension)`` of an acceptable file; refused before anything is
    written, so a caller can check several files first."""
    if not data:
        raise InvalidInput(_l("The file is empty."))
    if len(data) > max_bytes:
        raise InvalidInput(_l("The file is larger than %(mb)d MB.", mb=max_bytes // 1_048_576))
    return sniff(data)


def write_file(storage_dir: Path, original_name: str, data: bytes, content_type: str,
               extension: str) -> dict:
    """Write ``data`` and return the document's file columns; the file appears complete
    or not at all, and its random name says nothing about whose it is."""
    stored_name = secrets.token_hex(16) + extension
    storage_dir.mkdir(parents=True, exist_ok=True)
    temporary = storage_dir / (stored_name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, storage_dir / stored_name)
    return {"original_name": (original_name or "berkas")[:255], "stored_name": stored_name,
            "content_type": content_type, "size_bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def read_file(storage_dir: Path, document) -> bytes:
    """The stored bytes; a missing or altered file is refused, never served."""
    path = storage_dir / document.stored_name
    data = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise InvalidInput(_l("The stored file no longer matches its recorded hash; "
                              "report this to the administrator."))
    return data
