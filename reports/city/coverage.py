"""Coverage against the Permendagri 15/2024 target: the APBD 2025 guideline is cited as
requiring jamsostek coverage to grow by at least 20% over the previous year.

Source: Permendagri 15/2024 (Pedoman Penyusunan APBD 2025), as reported in
https://www.jatengnews.id/2025/11/19/wali-kota-semarang-agustina-kerahkan-asn-untuk-lindungi-pekerja-rentan
(domain.md §3). UNCERTAIN: the wording comes from a news report, not the regulation's
text; check it against JDIH before the figure is used as a compliance verdict. The
report therefore prints the rule as "cited" with its source.

Covered in a year = distinct workers whose membership covered at least one day of the
year (reports/city/membership.py). That count, not the 31 December one, is the basis:
the city reports the programme as "N workers protected" in a year (SIGAP 2025: 11,666),
and a year-end snapshot would drop everyone who died, moved or lapsed in the year
although the city paid for them. The year-end count is printed beside it.

Target for a year = ceil(previous year's basis x 1.2). The basis of a year is the
configured baseline where one is given (the years before this system holds the data:
a count from a partial system year would understate them), else the system's count.
The default baseline is SIGAP 2025: 11,666 workers (domain.md §0,
https://onlinebekasi.com/?p=10401). It lives in the application configuration
(``COVERAGE_BASELINE``, environment ``CASEAPP_COVERAGE_BASELINE`` as ``2025:11666``),
not in a policy version: it is a historical count, not an eligibility rule of the
Perwal, and it changes nothing a case is decided on. The per-kecamatan table uses
the system's counts only (no baseline is published per kecamatan).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Application, Kecamatan, Kelurahan, Worker
from reports.city.membership import covered_between, covered_on

GROWTH_PERCENT = 20
SIGAP_2025 = 11_666
DEFAULT_BASELINE = {2025: SIGAP_2025}
YEARS_SHOWN = 5


def parse_baseline(text: str | None) -> dict[int, int]:
    """``2025:11666,2024:9000`` as {year: count}; empty: the documented default."""
    if not str(text or "").strip():
        return dict(DEFAULT_BASELINE)
    baseline = {}
    for part in str(text).split(","):
        year, _sep, count = part.strip().partition(":")
        baseline[int(year)] = int(count)
    if any(n < 0 for n in baseline.values()):
        raise ValueError("a baseline count is negative")
    return baseline


def target_for(previous: int | None) -> int | None:
    """At least 20% more than the previous year, in whole workers (rounded up)."""
    # Integer ceiling: no float rounding can take a whole target one worker off.
    return None if previous is None else -(-previous * (100 + GROWTH_PERCENT) // 100)


@dataclass(frozen=True)
class CoverageRow:
    key: str                    # the year, or the kecamatan's name
    covered: int                # system: covered at any time in the year
    year_end: int               # system: covered on 31 December
    basis: int | None           # what the next year's target grows from
    baseline: bool              # ``basis`` is the configured baseline
    target: int | None          # from the previous year's basis
    previous: int | None

    @property
    def achieved(self) -> float | None:
        """Covered as a share of the target (1.0 = met), None without a target."""
        return None if not self.target else self.covered / self.target

    @property
    def growth(self) -> float | None:
        return None if not self.previous else (self.covered - self.previous) / self.previous

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.covered >= self.target


@dataclass(frozen=True)
class CoverageReport:
    year: int
    years: list[CoverageRow]
    by_kecamatan: list[CoverageRow]
    baseline: dict[int, int]


def _year_span(year: int):
    return covered_between(date(year, 1, 1), date(year + 1, 1, 1))


def _counts(session: Session, condition, by_kecamatan: bool) -> dict:
    workers = func.count(func.distinct(Application.worker_id))
    if not by_kecamatan:
        return {None: int(session.scalar(select(workers).where(condition)) or 0)}
    return dict(session.execute(
        select(Kelurahan.kecamatan_code, workers)
        .join(Worker, Worker.id == Application.worker_id)
        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
        .where(condition).group_by(Kelurahan.kecamatan_code)).all())


def coverage_report(session: Session, year: int, baseline: dict[int, int]) -> CoverageReport:
    first = max(year - YEARS_SHOWN + 1, min([year, *baseline]))
    basis_of: dict[int, int | None] = {}
    rows = []
    for y in range(first - 1, year + 1):     # one year before the first shown: its basis
        covered = _counts(session, _year_span(y), False)[None]
        year_end = _counts(session, covered_on(date(y, 12, 31)), False)[None]
        in_baseline = y in baseline
        basis_of[y] = baseline[y] if in_baseline else (covered or None)
        previous = basis_of.get(y - 1)
        if y >= first:
            rows.append(CoverageRow(str(y), covered, year_end, basis_of[y], in_baseline,
                                    target_for(previous), previous))
    this = _counts(session, _year_span(year), True)
    before = _counts(session, _year_span(year - 1), True)
    end = _counts(session, covered_on(date(year, 12, 31)), True)
    kecamatan = []
    for code, name in session.execute(select(Kecamatan.code, Kecamatan.name)
                                      .order_by(Kecamatan.name)):
        previous = int(before.get(code, 0)) or None
        kecamatan.append(CoverageRow(name, int(this.get(code, 0)), int(end.get(code, 0)),
                                     int(this.get(code, 0)) or None, False,
                                     target_for(previous), previous))
    return CoverageReport(year, rows, kecamatan, baseline)
