"""Read-only rows of the claims desk: the payout register (claims BPJS paid, with
totals per year), the report of claims paid in a year, and what a claim's membership
letter states about the contributions (paid through which month).

Participants appear masked here (initials and the NIK's last four digits): the register
and the yearly report count what the city's money bought, not whom it concerned, and
are handed around as such. The claim page is where a name is read (and audited).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, Claim, ContributionMonth, Worker
from reports.formatting import masked_name, masked_nik


@dataclass(frozen=True)
class PaidClaim:
    claim_number: str
    participant: str       # masked name and NIK
    kind: str
    event_date: date
    amount: int
    paid_on: date
    bpjs_reference: str


@dataclass(frozen=True)
class YearTotal:
    year: int
    claims: int
    jkk: int               # rupiah paid for work accidents
    jkm: int               # rupiah paid for deaths
    total: int


def _paid(session: Session, year: int | None = None):
    query = (select(Claim.claim_number, Worker.full_name, Worker.nik, Claim.kind,
                    Claim.event_date, Claim.payout_amount, Claim.payout_date,
                    Claim.bpjs_reference)
             .join(Application, Application.id == Claim.application_id)
             .join(Worker, Worker.id == Application.worker_id)
             .where(Claim.state == "dibayar"))
    if year is not None:
        query = query.where(Claim.payout_date >= date(year, 1, 1),
                            Claim.payout_date <= date(year, 12, 31))
    return session.execute(query.order_by(Claim.payout_date.desc(), Claim.id.desc()))


def paid_claims(session: Session, year: int | None = None) -> list[PaidClaim]:
    """Claims paid (in ``year`` when given, by the day BPJS paid), latest first."""
    return [PaidClaim(row.claim_number, f"{masked_name(row.full_name)} "
                      f"({masked_nik(row.nik)})", row.kind, row.event_date,
                      row.payout_amount, row.payout_date, row.bpjs_reference)
            for row in _paid(session, year)]


def totals(rows: list[PaidClaim]) -> list[YearTotal]:
    """Per year of payment, latest first."""
    years: dict[int, dict] = {}
    for row in rows:
        entry = years.setdefault(row.paid_on.year, {"claims": 0, "jkk": 0, "jkm": 0})
        entry["claims"] += 1
        entry[row.kind] += row.amount
    return [YearTotal(year, e["claims"], e["jkk"], e["jkm"], e["jkk"] + e["jkm"])
            for year, e in sorted(years.items(), reverse=True)]


def paid_through(session: Session, application_id: int) -> date | None:
    """The last month whose contribution is paid, or None before any payment."""
    return session.scalar(select(func.max(ContributionMonth.month)).where(
        ContributionMonth.application_id == application_id,
        ContributionMonth.status == "paid"))
