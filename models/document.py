"""Supporting documents of an application (KTP, KK, income self-declaration, ...).

The file itself lives outside static/ under a random name; the row keeps its
SHA-256 so a stored file can always be checked against what was uploaded.
"""
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.base import Base, UTCDateTime

CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class DocumentType(Base):
    """What can be uploaded, and whether submission needs it (configurable by admin)."""

    __tablename__ = "document_type"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class Document(Base):
    __tablename__ = "document"
    __personal_fields__ = frozenset({"original_name"})  # file names often carry the name
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
                        name="allowed_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    document_type_code: Mapped[str] = mapped_column(ForeignKey("document_type.code"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    document_type: Mapped[DocumentType] = relationship()
