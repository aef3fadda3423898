"""Money and places of the year's appropriation: commitments and releases.

Counters on ``budget_year`` (and on a quota split) change only here, always with
a conditional UPDATE (``... WHERE committed + :x <= appropriation``) whose row
count is checked, a ledger row per case, and an audit event; CHECK constraints
are the second line. The row is locked first (PostgreSQL ``FOR UPDATE``; SQLite
write transactions are ``BEGIN IMMEDIATE``), so two heads approving at once queue.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, object_session

from models import (Application, BudgetLedger, BudgetQuota, BudgetYear, Kecamatan, Kelurahan,
                    Role, Worker)
from models.worker import CATEGORIES
from reports.configuration import premium_on
from reports.formatting import thousands
from workflows.actor import Actor
from workflows.audit import record_change
from workflows.errors import (Conflict, InvalidInput, InvalidTransition, MissingReference,
                              NotAllowed)
from workflows.messages import lazy_gettext as _l

_YEAR = BudgetYear.__table__
_SPLIT = BudgetQuota.__table__


def premium_per_month(session: Session, on: date) -> int:
    """JKK + JKM (and any other programme) in force on ``on``: Rp16.800 at the lowest tier."""
    total = premium_on(session, on)
    if not total:
        raise MissingReference(_l("No contribution rate (JKK, JKM) is in force on %(day)s; the "
                                  "admin enters it under Reference data → Contributions.",
                                  day=on.isoformat()))
    return total


def last_decision_day(fiscal_year: int) -> date:
    """The last day a decision can still give cover in ``fiscal_year``.

    BPJS cover starts the month after registration, and registration follows the
    decision: a case approved in December can be covered from January at the
    earliest, which is the next year's budget."""
    return date(fiscal_year, 11, 30)


def decision_year(day: date) -> int:
    """The programme year a decision taken on ``day`` is for by default: from
    1 December on, the next one."""
    return day.year if day <= last_decision_day(day.year) else day.year + 1


def months_from(day: date, fiscal_year: int) -> int:
    """Months of ``fiscal_year`` from ``day``'s month to December (all 12 before it)."""
    if day.year != fiscal_year:
        return 12 if day.year < fiscal_year else 0
    return 12 - day.month + 1


def months_left(year: BudgetYear, from_day: date) -> int:
    """Months from ``from_day``'s month to December, at most the year's coverage."""
    return min(year.coverage_months, months_from(from_day, year.fiscal_year))


def uncovered(year: BudgetYear, commitment: int | None,
              coverage_start: date) -> tuple[int, int, str]:
    """Budget truth: a commitment is premium x months actually covered. When BPJS's
    cover starts after the month the decree committed from, the months in between are
    given back (all of them when cover starts in the next year): ``(rupiah, months,
    ledger reason)``, rupiah 0 when nothing is."""
    covered = min(year.coverage_months, months_from(coverage_start, year.fiscal_year))
    amount = (commitment or 0) - year.premium_per_month * covered
    if amount <= 0:
        return 0, 0, ""
    months = amount // year.premium_per_month
    return amount, months, (f"Cakupan BPJS mulai {coverage_start:%Y-%m}: {months} bulan "
                            f"{year.fiscal_year} tidak terpakai")


def check_budget_year(session: Session, year: BudgetYear) -> None:
    """The admin's edits may not undercut what is already committed."""
    if year.appropriation is None or year.appropriation < 0 or year.quota is None \
            or year.quota < 0:
        raise InvalidInput(_l("Appropriation and quota must be whole numbers, zero or more."))
    if year.appropriation < (year.committed or 0) or year.quota < (year.places_used or 0):
        raise Conflict(_l("The appropriation or quota cannot go below what is already committed "
                          "(Rp%(committed)s, %(places)d places).",
                          committed=thousands(year.committed),
                          places=year.places_used))
    if not year.premium_per_month:  # not flushed before it has one (the column is NOT NULL)
        with session.no_autoflush:
            year.premium_per_month = premium_per_month(session, date(year.fiscal_year, 1, 1))


def check_quota_split(split: BudgetQuota) -> None:
    """The split's key names a real kecamatan, kelurahan or category: a mistyped code
    would limit nobody."""
    session = object_session(split)
    new = split.used is None  # read before a query autoflushes the default of 0
    known = {"kecamatan": lambda: session.get(Kecamatan, split.key) is not None,
             "kelurahan": lambda: session.get(Kelurahan, split.key) is not None,
             "category": lambda: split.key in CATEGORIES}.get(split.dimension)
    if known is None or session is None or not known():
        raise InvalidInput(_l("Unknown %(dimension)s: %(key)s.", dimension=split.dimension,
                              key=split.key or "-"))
    if new:  # a new split counts the places its area already holds
        year = split.fiscal_year or split.budget_year.fiscal_year
        split.used = places_held(session, year, split.dimension, split.key)
    if split.quota is None or split.quota < split.used:
        raise Conflict(_l("The quota cannot be below the places already used (%(used)d).",
                          used=split.used))


def places_held(session: Session, fiscal_year: int, dimension: str, key: str) -> int:
    """Places of ``fiscal_year`` held now (ledger places summed per case) by cases of one
    kecamatan, kelurahan or category: what a split added mid-year starts from, so the
    releases of cases approved before it find their place in it."""
    column = {"kecamatan": Kelurahan.kecamatan_code, "kelurahan": Worker.kelurahan_code,
              "category": Worker.category}[dimension]
    holders = (select(BudgetLedger.application_id)
               .where(BudgetLedger.fiscal_year == fiscal_year)
               .group_by(BudgetLedger.application_id)
               .having(func.sum(BudgetLedger.places) > 0).subquery())
    return session.scalar(
        select(func.count()).select_from(holders)
        .join(Application, Application.id == holders.c.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)
        .where(column == key)) or 0


def open_budget_year(session: Session, *, fiscal_year: int, dpa_reference: str,
                     appropriation: int, quota: int, actor: Actor,
                     coverage_months: int = 12) -> BudgetYear:
    """Enter the year's DPA: appropriation, quota, and the premium in force on 1 January."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed(_l("Only the admin enters budget years."))
    if session.get(BudgetYear, fiscal_year) is not None:
        raise Conflict(_l("The budget year %(year)d already exists.", year=fiscal_year))
    year = BudgetYear(fiscal_year=fiscal_year, dpa_reference=dpa_reference.strip(),
                      appropriation=appropriation, quota=quota, coverage_months=coverage_months,
                      committed=0, places_used=0, realised=0, status="open")
    check_budget_year(session, year)
    session.add(year)
    record_change(session, actor, "budget.open", year, created=True)
    return year


def revise_budget_year(session: Session, fiscal_year: int, *, appropriation: int, quota: int,
                       reason: str, actor: Actor) -> BudgetYear:
    """A budget change (e.g. APBD-Perubahan); never below what is already committed."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed(_l("Only the admin changes budget years."))
    if not (reason or "").strip():
        raise InvalidInput(_l("A reason is required."))
    year = lock_year(session, fiscal_year)
    year.appropriation, year.quota = appropriation, quota
    check_budget_year(session, year)
    record_change(session, actor, "budget.revise", year, reason=reason.strip())
    return year


def lock_year(session: Session, fiscal_year: int) -> BudgetYear:
    year = session.execute(select(BudgetYear).where(BudgetYear.fiscal_year == fiscal_year)
                           .with_for_update().execution_options(populate_existing=True)
                           ).scalar_one_or_none()
    if year is None:
        raise MissingReference(_l("There is no budget for %(year)d; the admin must enter the "
                                  "DPA first (Budget → Budget years).", year=fiscal_year))
    if year.status != "open":
        raise InvalidTransition(_l("The budget year %(year)d is closed.", year=fiscal_year))
    return year


@dataclass
class Capacity:
    """What is still free, tracked while a batch is decided."""

    money: int
    places: int
    splits: dict[tuple[str, str], int]

    @classmethod
    def of(cls, session: Session, year: BudgetYear) -> "Capacity":
        splits = {(q.dimension, q.key): q.quota - q.used for q in session.execute(
            select(BudgetQuota).where(BudgetQuota.fiscal_year == year.fiscal_year)
            .with_for_update()).scalars()}
        return cls(year.appropriation - year.committed, year.quota - year.places_used, splits)

    def take(self, amount: int, keys: list[tuple[str, str]]) -> bool:
        if amount > self.money or self.places < 1 or any(
                self.splits.get(k, 1) < 1 for k in keys):
            return False
        self.money -= amount
        self.places -= 1
        for key in keys:
            if key in self.splits:
                self.splits[key] -= 1
        return True


def split_keys(kecamatan: str, category: str, kelurahan: str) -> list[tuple[str, str]]:
    """The quota splits a case takes a place from: its kecamatan, its category and its
    kelurahan (a split that is not entered for the year does not limit)."""
    return [("kecamatan", kecamatan), ("category", category), ("kelurahan", kelurahan)]


def _move(session: Session, fiscal_year: int, amount: int, places: int,
          splits: dict[tuple[str, str], int]) -> None:
    """Apply a change to the counters; a guard that fails means a concurrent change."""
    done = session.execute(
        update(_YEAR).where(_YEAR.c.fiscal_year == fiscal_year,
                            _YEAR.c.committed + amount <= _YEAR.c.appropriation,
                            _YEAR.c.committed + amount >= 0,
                            _YEAR.c.places_used + places <= _YEAR.c.quota,
                            _YEAR.c.places_used + places >= 0)
        .values(committed=_YEAR.c.committed + amount, places_used=_YEAR.c.places_used + places))
    if done.rowcount != 1:
        raise Conflict(_l("The budget changed in the meantime; nothing was approved. Try again."))
    for (dimension, key), count in splits.items():
        if not count:
            continue
        done = session.execute(
            update(_SPLIT).where(_SPLIT.c.fiscal_year == fiscal_year,
                                 _SPLIT.c.dimension == dimension, _SPLIT.c.key == key,
                                 _SPLIT.c.used + count <= _SPLIT.c.quota,
                                 _SPLIT.c.used + count >= 0)
            .values(used=_SPLIT.c.used + count))
        if done.rowcount == 0 and session.scalar(select(BudgetQuota.id).where(
                BudgetQuota.fiscal_year == fiscal_year, BudgetQuota.dimension == dimension,
                BudgetQuota.key == key)) is not None:
            raise Conflict(_l("The budget changed in the meantime; nothing was approved. "
                              "Try again."))
    session.expire_all()  # ORM copies of the counters are stale now


def commit_many(session: Session, fiscal_year: int, items: list[dict], *, actor: Actor,
                decree_id: int | None, places: bool = True) -> int:
    """Commit ``items`` ({application_id, amount, months, keys}) in one counter move; each
    takes a place unless ``places`` is False (a liability carried from the year before)."""
    if not items:
        return 0
    splits: dict[tuple[str, str], int] = {}
    for item in items if places else ():
        for key in item["keys"]:
            splits[key] = splits.get(key, 0) + 1
    _move(session, fiscal_year, sum(i["amount"] for i in items), len(items) if places else 0,
          splits)
    session.execute(insert(BudgetLedger), [
        {"fiscal_year": fiscal_year, "application_id": i["application_id"], "decree_id": decree_id,
         "kind": "commit", "amount": i["amount"], "places": 1 if places else 0,
         "months": i["months"], "reason": i.get("reason"), "actor_id": actor.user_id}
        for i in items])
    return len(items)


def release_many(session: Session, fiscal_year: int, items: list[dict], *, actor: Actor) -> int:
    """Give back ``items`` ({application_id, amount, months, reason}) of their commitments
    in one counter move, keeping the places, except that an item with the ``keys`` of its
    case (``split_keys``) frees its place too; like ``release``, never in a closed year."""
    if not items:
        return 0
    lock_year(session, fiscal_year)
    splits: dict[tuple[str, str], int] = {}
    for item in items:
        for key in item.get("keys") or ():
            splits[key] = splits.get(key, 0) - 1
    freed = sum(1 for i in items if i.get("keys"))
    _move(session, fiscal_year, -sum(i["amount"] for i in items), -freed, splits)
    session.execute(insert(BudgetLedger), [
        {"fiscal_year": fiscal_year, "application_id": i["application_id"],
         "decree_id": i.get("decree_id"), "kind": "release", "amount": -i["amount"],
         "places": -1 if i.get("keys") else 0, "months": i["months"], "reason": i["reason"],
         "actor_id": actor.user_id}
        for i in items])
    return len(items)


def release(session: Session, application: Application, *, amount: int, months: int,
            free_place: bool, reason: str, actor: Actor) -> None:
    """Give back ``amount`` (and the place) of a case's commitment; never in a closed year
    (the year row is locked, as every counter move locks it)."""
    lock_year(session, application.program_year)
    amount = min(amount, application.commitment or 0)
    keys = split_keys(*case_keys(session, application))
    _move(session, application.program_year, -amount, -1 if free_place else 0,
          {k: -1 for k in keys} if free_place else {})
    session.execute(insert(BudgetLedger), [{
        "fiscal_year": application.program_year, "application_id": application.id,
        "decree_id": application.decree_id, "kind": "release", "amount": -amount,
        "places": -1 if free_place else 0, "months": months, "reason": reason,
        "actor_id": actor.user_id}])
    session.refresh(application)
    application.commitment = (application.commitment or 0) - amount


def case_keys(session: Session, application: Application) -> tuple[str, str, str]:
    """(kecamatan, category, kelurahan) of the case: the arguments of ``split_keys``."""
    return session.execute(
        select(Kelurahan.kecamatan_code, Worker.category, Worker.kelurahan_code).join(
            Worker, Worker.kelurahan_code == Kelurahan.code)
        .where(Worker.id == application.worker_id)).one()
