"""The possible-duplicate flags of an application: the case page lists them, and the
verification guard asks for the open ones."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, DuplicateFlag
from reports.remembered import remembered


def application_flags(session: Session, application: Application) -> list[DuplicateFlag]:
    """Every flag on the application, oldest first; read once while a page is drawn
    (reports/remembered.py)."""
    return remembered(session, ("duplicate_flags", application.id), lambda: list(
        session.execute(select(DuplicateFlag).where(
            DuplicateFlag.application_id == application.id)
            .order_by(DuplicateFlag.id)).scalars()))
