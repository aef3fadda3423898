"""The calendar pieces the city's reports are asked in: quarters (triwulan) of a fiscal
year and semesters (Inpres 2/2021 is reported every 6 months), as calendar days in
Kota Bekasi (WIB); ``reports.period.Period`` turns them into UTC bounds."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from reports.period import Period

_SEMESTER = re.compile(r"^(\d{4})-S([12])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int     # 1-4

    @property
    def period(self) -> Period:
        first = date(self.year, 3 * self.number - 2, 1)
        after = date(self.year + 1, 1, 1) if self.number == 4 else \
            date(self.year, 3 * self.number + 1, 1)
        return Period(first, after - timedelta(days=1))

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"


def quarters(year: int) -> list[Quarter]:
    return [Quarter(year, n) for n in (1, 2, 3, 4)]


@dataclass(frozen=True)
class Semester:
    year: int
    half: int       # 1: January-June, 2: July-December

    @classmethod
    def parse(cls, text: str) -> "Semester | None":
        """``YYYY-S1`` or ``YYYY-S2``; None for anything else."""
        found = _SEMESTER.match(str(text or "").strip().upper())
        return cls(int(found.group(1)), int(found.group(2))) if found else None

    @property
    def period(self) -> Period:
        if self.half == 1:
            return Period(date(self.year, 1, 1), date(self.year, 6, 30))
        return Period(date(self.year, 7, 1), date(self.year, 12, 31))

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter(self.year, n) for n in ((1, 2) if self.half == 1 else (3, 4))]

    def __str__(self) -> str:
        return f"{self.year}-S{self.half}"
