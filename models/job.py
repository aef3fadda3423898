"""Long work run by the job queue (imports, BPJS replies, reports, evidence packs, chain
walks).

The queue (Huey) only carries a job's id; what the job is, who started it, how it
ended and where its result is are kept here, in the database every app server
reads, so a page behind any server shows the same outcome. How far a running job
has got lives in the queue's own store (caseapp/jobs/progress.py): it changes many
times a second and is not worth a write transaction.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import clock
from models.base import Base, UTCDateTime


class Job(Base):
    __tablename__ = "background_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                        name="known_status"),
        CheckConstraint("(status IN ('done', 'failed')) = (finished_at IS NOT NULL)",
                        name="finished_when_ended"),
        # A made file belongs to a job that ended well, and is handed out once.
        CheckConstraint("output_name IS NULL OR status = 'done'", name="output_when_done"),
        CheckConstraint("output_file IS NULL OR output_taken_at IS NULL",
                        name="output_taken_once"),
        Index("ix_background_job_started_by", "started_by_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # The job's arguments as JSON (ids, years, dates, a stated purpose: never personal
    # values).
    params: Mapped[str] = mapped_column(Text, default="{}")
    # An uploaded file waiting in the job file store (caseapp/jobs/files.py), and the
    # name the user gave it.
    input_file: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    # Who started it (none for the scheduler) and from which request, so the job's
    # events carry the same person, address and request id as a page would.
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # host:pid of the worker process running it, so a restarted worker can end the jobs
    # its dead predecessor left running (caseapp/jobs/recovery.py).
    worker: Mapped[str | None] = mapped_column(String(100))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it ended, as JSON {message, args, category, location}: the message is an
    # English msgid translated when shown, so each reader sees their language.
    outcome: Mapped[str | None] = mapped_column(Text)
    # A file the job made (a report, an evidence pack) for the person who started it:
    # its name in the job file store until they take it (single use), the name and
    # type it is downloaded as, its SHA-256, and what its kind records when it is
    # taken (JSON, e.g. a report's entity and purpose for ``report.download``).
    output_file: Mapped[str | None] = mapped_column(String(64))
    output_name: Mapped[str | None] = mapped_column(String(255))
    output_mimetype: Mapped[str | None] = mapped_column(String(100))
    output_sha256: Mapped[str | None] = mapped_column(String(64))
    output_detail: Mapped[str | None] = mapped_column(Text)
    output_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
