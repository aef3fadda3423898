"""What every report states about itself: who generated it, when, and where the
audit chain stood at that moment, so a printed copy can be checked against the log.

The chain head is read inside the same transaction as the report's data; the
``report.generate`` event recorded afterwards names this head and the file's
SHA-256, which ties the paper to the log.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditChainHead, clock
from models.audit import GENESIS_HASH

# Reports with personal data: a bulk list (purpose required) or one worker's record.
PERSONAL_DATA = {"decree": "bulk", "case": "record", "receipt": "record", "letter": "record",
                 "claim_letter": "record",
                 "city_participants": "bulk"}


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str


@dataclass(frozen=True)
class ReportMeta:
    kind: str                  # program, decree, budget, audit, case, receipt, letter
    title: str
    generated_by: str          # "Full Name (username)"
    chain_head: ChainHead
    generated_at: datetime = field(default_factory=lambda: clock.now())
    params: dict = field(default_factory=dict)


def read_chain_head(session: Session) -> ChainHead:
    head = session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                           .where(AuditChainHead.id == 1)).one_or_none()
    return ChainHead(0, GENESIS_HASH) if head is None else ChainHead(head.seq, head.hash)
