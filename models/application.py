"""An application for city-paid membership, one per worker per programme year (a
continuing participant's next year is a renewal application linked to the last),
and the history of its state changes (so time in each state can be derived)."""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text,
                        UniqueConstraint, false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.base import Base, UTCDateTime
from models.user import User
from models.worker import Worker

if TYPE_CHECKING:  # for the annotation only: models/__init__ imports budget after us
    from models.budget import Decree

# The closed set of states of design.md; the transitions between them live in workflows.
STATES = (
    "draft", "submitted", "returned", "rejected", "verified", "waitlisted", "approved",
    "declined", "submitted_to_bpjs", "bpjs_rejected", "enrolled", "terminated",
)
INTAKE_CHANNELS = ("walk_in", "kelurahan", "partner")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Application(Base):
    __tablename__ = "application"
    __derived__ = frozenset({"desil", "female_head_of_household", "disability"})
    __personal_fields__ = frozenset({"kpj"})  # the BPJS membership number
    __table_args__ = (
        UniqueConstraint("worker_id", "program_year"),
        CheckConstraint(f"state IN {_in(STATES)}", name="known_state"),
        CheckConstraint(f"intake_channel IN {_in(INTAKE_CHANNELS)}", name="known_channel"),
        CheckConstraint(
            "state = 'draft' OR submitted_at IS NOT NULL", name="submitted_has_time"
        ),
        # An approved case has an approver, a decree and a commitment; a waitlisted
        # one sits on a decree's reserve list.
        CheckConstraint("state NOT IN ('approved', 'submitted_to_bpjs', 'enrolled') OR "
                        "(decree_id IS NOT NULL AND approved_by_id IS NOT NULL "
                        "AND commitment IS NOT NULL)", name="approved_has_decree"),
        CheckConstraint("state <> 'waitlisted' OR decree_id IS NOT NULL",
                        name="waitlisted_has_decree"),
        CheckConstraint("state <> 'enrolled' OR (kpj IS NOT NULL AND coverage_start IS NOT NULL)",
                        name="enrolled_has_kpj"),
        CheckConstraint("state <> 'terminated' OR (exit_reason IS NOT NULL "
                        "AND exit_month IS NOT NULL)", name="terminated_has_exit"),
        # The home page, from the index alone: a caseworker's own intake per state and
        # how long its submitted ones wait (migration 0029); what waits (for
        # verification) since when, whose intake and whose worker, so the ageing and a
        # partner's share of it read no table rows (migration 0027).
        Index("ix_application_taken_in_by_state_submitted", "taken_in_by_id", "state",
              "submitted_at"),
        Index("ix_application_state_submitted", "state", "submitted_at",
              postgresql_include=["taken_in_by_id", "worker_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    program_year: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    intake_channel: Mapped[str] = mapped_column(String(20))
    taken_in_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decree_id: Mapped[int | None] = mapped_column(ForeignKey("decree.id"), index=True)
    # The open proposal (usulan) listing the case, until it is signed or withdrawn.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("decree.id"), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rupiah still committed for this case in its year (premium x months left).
    commitment: Mapped[int | None] = mapped_column(BigInteger)
    # BPJS Ketenagakerjaan: the batch it was sent in, the KPJ and coverage once enrolled.
    registration_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_batch.id"), index=True)
    kpj: Mapped[str | None] = mapped_column(String(20), index=True)
    coverage_start: Mapped[date | None]
    # A renewal (lanjutan): the previous year's application whose membership this one
    # continues, with the same KPJ and no new registration at BPJS.
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), unique=True)
    # The ranking's facts copied onto the case by database triggers (migration 0028):
    # the desil of its latest eligibility evaluation and its worker's priority factors.
    # Never written by the application; they let the ranking sort on one index. Copies,
    # not facts of the case, so no audit diff lists them (workflows/audit/recorder.py).
    desil: Mapped[int | None]
    female_head_of_household: Mapped[bool] = mapped_column(Boolean, server_default=false())
    disability: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Exit: why and from which month (first day) the membership ends.
    exit_reason: Mapped[str | None] = mapped_column(String(30))
    exit_month: Mapped[date | None]

    worker: Mapped[Worker] = relationship()
    taken_in_by: Mapped[User] = relationship(foreign_keys=[taken_in_by_id])
    decree: Mapped["Decree | None"] = relationship(foreign_keys=[decree_id])
    transitions: Mapped[list["ApplicationTransition"]] = relationship(
        back_populates="application", order_by="ApplicationTransition.id"
    )

    def __str__(self) -> str:
        return f"#{self.id}"


# The ranking's order (workflows/ranking.rank_order) over the cases awaiting a decision,
# so a page of it is read off the index (migration 0028).
_AWAITING_DECISION = text("state IN ('verified', 'waitlisted')")
Index("ix_application_ranking", Application.program_year, Application.desil,
      Application.female_head_of_household.desc(), Application.disability.desc(),
      Application.submitted_at, Application.id,
      postgresql_include=["worker_id", "state", "proposal_id"],
      postgresql_where=_AWAITING_DECISION, sqlite_where=_AWAITING_DECISION)


class ApplicationTransition(Base):
    __tablename__ = "application_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="transitions")
