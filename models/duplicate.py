"""Possible duplicates found when an application is submitted; an open one blocks
verification. (The same NIK twice is not a flag: intake refuses it outright.)"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime

DUPLICATE_REASONS = ("same_kk", "similar_name")


class DuplicateFlag(Base):
    __tablename__ = "duplicate_flag"
    # The detail quotes the other person (KK number, name): masked in audit diffs.
    __personal_fields__ = frozenset({"detail"})
    __table_args__ = (
        CheckConstraint("reason IN ('same_kk', 'similar_name')", name="known_reason"),
        CheckConstraint("resolution IS NULL OR resolution IN ('not_duplicate', 'duplicate')",
                        name="known_resolution"),
        CheckConstraint("(resolution IS NULL) = (resolved_at IS NULL)", name="resolved_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    other_worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    other_application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        return self.resolution is None
