"""How long generating one month of contributions takes for a large city.

Usage: python bench/contributions_generate.py [PARTICIPANTS] [DATABASE_URL | postgres]
Sets up PARTICIPANTS (default 200,000) enrolled applications in a throwaway
database with set-based inserts (the set-up is not what is measured), then times
one generate_contributions() for one month, commit included; then the same month
again (nothing new: every row is skipped), the payment of the batch, and the
lapse-warning list over everyone.
"""
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp.extensions import db  # noqa: E402
from models import Application, ContributionMonth, Worker, clock  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.budget import open_budget_year  # noqa: E402
from workflows.contributions.generation import generate_contributions  # noqa: E402
from workflows.contributions.payment import record_payment  # noqa: E402
from workflows.contributions.status import lapse_warnings  # noqa: E402
from workflows.errors import Conflict  # noqa: E402
from workflows.reference import load_reference_data  # noqa: E402
from workflows.users import create_user  # noqa: E402

BENCH_DB = "caseapp_bench_contributions"
CHUNK = 20_000
MONTH = date(2026, 3, 1)


def _chunks(count: int, row):
    for start in range(1, count + 1, CHUNK):
        yield [row(i) for i in range(start, min(start + CHUNK, count + 1))]


def _set_up(session, count: int) -> Actor:
    system = Actor.system("bench")
    load_reference_data(session, actor=system)
    staff = {name: create_user(session, username=name, full_name=name, password="Bench-Pass-2026",
                               roles=[role], actor=system, must_change_password=False)
             for name, role in (("cw", "caseworker"), ("kadis", "head"), ("it", "admin"))}
    year = open_budget_year(session, fiscal_year=2026, dpa_reference="DPA bench",
                            appropriation=16_800 * 12 * count, quota=count,
                            actor=Actor.for_user(staff["it"]))
    commitment = year.premium_per_month * 12
    decree = throwaway.signed_decree(session, sk_number="SK-BENCH", sk_date=date(2026, 1, 2),
                                     head_id=staff["kadis"].id, approved=count,
                                     total=commitment * count)
    now = clock.now()
    for rows in _chunks(count, lambda i: {
            "id": i, "nik": f"32750199{i:08d}", "kk_number": f"32750101{i:08d}",
            "full_name": f"Pekerja {i}", "birth_place": "Bekasi", "birth_date": date(1990, 8, 1),
            "sex": "L", "address": "Jl. Bench", "rt": "001", "rw": "001",
            "kelurahan_code": "3275011001", "category": "pedagang", "occupation": "PKL",
            "monthly_income": 2_000_000, "created_at": now}):
        session.execute(insert(Worker), rows)
    for rows in _chunks(count, lambda i: {
            "id": i, "worker_id": i, "program_year": 2026, "state": "enrolled",
            "intake_channel": "walk_in", "taken_in_by_id": staff["cw"].id, "created_at": now,
            "submitted_at": now, "state_changed_at": now, "decree_id": decree.id,
            "approved_by_id": staff["kadis"].id, "approved_at": now, "commitment": commitment,
            "kpj": f"{26_000_000_000 + i}",
            # a few join later and are not covered yet in the measured month
            "coverage_start": date(2026, 4, 1) if i % 50 == 0 else date(2026, 1, 1)}):
        session.execute(insert(Application), rows)
    return Actor.for_user(staff["cw"])


def _timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with throwaway.migrated_app(sys.argv[2] if len(sys.argv) > 2 else None, BENCH_DB) as url:
        caseworker, setup = _timed(lambda: _set_up(db.session, count))
        db.session.commit()
        if url.startswith("postgresql"):
            # Statistics as autovacuum would leave them: they once made the planner
            # rescan contribution_month per row (see generation.py).
            db.session.execute(text("ANALYZE"))
            db.session.commit()

        def generate():
            batch = generate_contributions(db.session, first_month=MONTH, months=1,
                                           actor=caseworker)
            db.session.commit()
            return batch

        batch, took = _timed(generate)
        rows = db.session.scalar(select(func.count()).select_from(ContributionMonth))
        start = time.perf_counter()
        try:
            generate()
            repeat = "CREATED ROWS (a bug)"
        except Conflict:
            db.session.rollback()
            repeat = "refused, nothing new"
        again = time.perf_counter() - start
        _, paying = _timed(lambda: (record_payment(
            db.session, batch, sp2d_number="SP2D-BENCH", sp2d_date=date(2026, 3, 10),
            invoice_number="INV-BENCH", actor=caseworker), db.session.commit()))
        warnings, listing = _timed(lambda: lapse_warnings(db.session, date(2026, 5, 20)))
        total = batch.total
    print(f"database: {url.split(':')[0]}; {count:,} enrolled participants "
          f"(set-up {setup:.1f} s, not measured)")
    rupiah = f"Rp{total:,}".replace(",", ".")
    print(f"generate_contributions, one month: {rows:,} rows, {rupiah} in {took:.2f} s "
          f"= {rows / took:,.0f} rows/s")
    print(f"same month again: {repeat} in {again:.2f} s")
    print(f"record_payment of the batch: {paying:.2f} s; lapse_warnings over everyone: "
          f"{len(warnings):,} listed in {listing:.2f} s")


if __name__ == "__main__":
    main()
