"""The whole city's figures of the home page, as last computed (issue 16).

Counting every application, joining workers to kecamatan and summing the budget ledger
took 1.5 s per home page at a million applications; the job queue's schedule computes
them every few minutes instead (workflows/home_figures.py) and the page reads one row.
"""
from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class HomeFigures(Base):
    """One programme year's city-wide figures as JSON text, with when they were counted
    and how far the audit chain reached then."""

    __tablename__ = "home_figures"
    # Derived from audited rows and recomputable at any time: no business data, no
    # personal data, so its writes need no audit event of their own.
    __audited__ = False

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    figures: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    chain_seq: Mapped[int] = mapped_column(BigInteger)
