"""Claim numbers: KLAIM-<year>-<serial>, counted per year of recording, like the
registration batches' and proposals' numbers (a number names one claim, forever)."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Claim
from workflows.serial import one_at_a_time


def hold_claim_serial(session: Session) -> None:
    """Until the transaction ends, no other desk records a claim: two desks recording at
    once never get the same number, nor record the same death twice."""
    one_at_a_time(session, "claim-record")


def next_claim_number(session: Session, year: int) -> str:
    """The next number of ``year`` (call ``hold_claim_serial`` first)."""
    prefix = f"KLAIM-{year}-"
    used = session.scalar(select(func.count()).select_from(Claim)
                          .where(Claim.claim_number.like(prefix + "%")))
    return f"{prefix}{used + 1:04d}"
