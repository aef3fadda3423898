"""Reading generated reports back: PDF text per page (pypdf), the audit events."""
import hashlib
import io
import json

from flask_babel import gettext
from pypdf import PdfReader
from sqlalchemy import select

from models import AuditEvent


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-"), content[:20]
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and repeated spaces folded."""
    return " ".join(text.split())


def page_label(app, page: int, pages: int) -> str:
    with app.app_context():
        return gettext("Page %(page)s of %(pages)s", page=page, pages=pages)


def translated(app, message: str, **values) -> str:
    with app.app_context():
        return gettext(message, **values)


def report_events(session, action: str) -> list[AuditEvent]:
    return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.seq)).scalars())


def diff_of(event: AuditEvent) -> dict:
    return {key: new for key, (_old, new) in json.loads(event.diff).items()}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def run_report(app, args: list[str], path) -> bytes:
    result = app.test_cli_runner().invoke(args=["report", *args, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()
