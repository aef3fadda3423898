"""The append-only audit log and the one-row head of its hash chain.

Rows are never updated or deleted; each one carries the hash of the previous
row, so any edit, deletion or reordering breaks the chain where it happened.
"""
from datetime import datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Index, String, Text,
                        literal_column, type_coerce)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64
# Marks a read of personal data in an event's diff (UU PDP Pasal 31): "who accessed this
# worker" looks for it, and a case's own history leaves such events out.
READ_MARK = "personal_data_read"
# What the free-text filter searches on PostgreSQL: action, actor, entity ID, reason and
# diff joined by U+001F, which nobody types, so a term still matches within one column;
# a trigram index on this very expression serves ILIKE '%term%' (migration 0026). Written
# bracketed as PostgreSQL prints the index back, so the migrations' check
# (tests/test_schema_and_reference.py) finds model and index alike.
SEARCHED_TEXT = type_coerce(literal_column(
    "((((((((action || chr(31)) || actor_name) || chr(31)) || coalesce(entity_id, ''))"
    " || chr(31)) || coalesce(reason, '')) || chr(31)) || diff)"), Text)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __audited__ = False
    __table_args__ = (
        CheckConstraint("seq > 0", name="positive_seq"),
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        # An action's events newest first straight from the index (migration 0026).
        Index("ix_audit_event_action_seq", "action", "seq"),
        Index("ix_audit_event_text_trgm", SEARCHED_TEXT.label("searched_text"),
              postgresql_using="gin", postgresql_ops={"searched_text": "gin_trgm_ops"}),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_roles: Mapped[str] = mapped_column(String(100), default="")
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    # Canonical JSON text of {field: [old, new]}; kept as text so the hashed bytes survive.
    diff: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """Where the chain ends; locking this row serialises appends on PostgreSQL."""

    __tablename__ = "audit_chain_head"
    __audited__ = False
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditCheckpoint(Base):
    """A signed statement "the chain had this head at this time" (Ed25519, key kept
    outside the database), so a truncated tail or a recomputed chain is detectable."""

    __tablename__ = "audit_checkpoint"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519 key, hex
    signature: Mapped[str] = mapped_column(String(128))  # hex
