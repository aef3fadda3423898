"""How long the head's approval of one large decree takes, audit events included.

Usage: python bench/approve_batch.py [CASES] [DATABASE_URL | postgres]
Sets up CASES (default 10,000) verified applications in a throwaway database with
set-based inserts (the set-up is not what is measured), then times one
approve_batch() for all of them under one SK, commit included, and checks the
audit chain afterwards.
"""
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp.extensions import db  # noqa: E402
from models import (Application, ApplicationTransition, EligibilityEvaluation,  # noqa: E402
                    PolicyVersion, User, Worker, clock)
from workflows.actor import Actor  # noqa: E402
from workflows.approval import approve_batch  # noqa: E402
from workflows.audit import verify_chain  # noqa: E402
from workflows.budget import open_budget_year  # noqa: E402
from workflows.reference import load_reference_data  # noqa: E402
from workflows.users import create_user  # noqa: E402

BENCH_DB = "caseapp_bench_approve"


def _set_up(session, cases: int) -> Actor:
    system = Actor.system("bench")
    load_reference_data(session, actor=system)
    staff = {name: create_user(session, username=name, full_name=name, password="Bench-Pass-2026",
                               roles=[role], actor=system, must_change_password=False)
             for name, role in (("cw", "caseworker"), ("kadis", "head"), ("it", "admin"))}
    open_budget_year(session, fiscal_year=2026, dpa_reference="DPA bench",
                     appropriation=16_800 * 12 * cases, quota=cases,
                     actor=Actor.for_user(staff["it"]))
    policy = session.scalar(select(PolicyVersion.id))
    now = clock.now()
    session.execute(insert(Worker), [{
        "id": i, "nik": f"32750199{i:08d}",
        "kk_number": f"32750101{i:08d}", "full_name": f"Pekerja {i}", "birth_place": "Bekasi",
        "birth_date": date(1990, 8, 1), "sex": "L", "address": "Jl. Bench", "rt": "001",
        "rw": "001", "kelurahan_code": "3275011001", "category": "pedagang", "occupation": "PKL",
        "monthly_income": 2_000_000, "created_at": now} for i in range(1, cases + 1)])
    session.execute(insert(Application), [{
        "id": i, "worker_id": i, "program_year": 2026, "state": "verified",
        "intake_channel": "walk_in", "taken_in_by_id": staff["cw"].id, "created_at": now,
        "submitted_at": now, "state_changed_at": now} for i in range(1, cases + 1)])
    session.execute(insert(EligibilityEvaluation), [{
        "application_id": i, "policy_version_id": policy, "eligible": True, "desil": 1 + i % 5,
        "results": "{}", "evaluated_at": now} for i in range(1, cases + 1)])
    session.execute(insert(ApplicationTransition), [{
        "application_id": i, "from_state": "submitted", "to_state": "verified",
        "actor_id": staff["cw"].id, "at": now} for i in range(1, cases + 1)])
    return Actor.for_user(session.execute(select(User).where(User.username == "kadis")).scalar_one())


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with throwaway.migrated_app(sys.argv[2] if len(sys.argv) > 2 else None, BENCH_DB) as url:
        head = _set_up(db.session, cases)
        db.session.commit()
        ids = db.session.execute(select(Application.id)).scalars().all()
        start = time.perf_counter()
        decree = approve_batch(db.session, fiscal_year=2026, application_ids=ids,
                               sk_number="SK-BENCH", sk_date=date(2026, 1, 2), actor=head)
        db.session.commit()
        took = time.perf_counter() - start
        approved, waitlisted = decree.approved_count, decree.waitlisted_count
        verdict = verify_chain(db.session)
    print(f"database: {url.split(':')[0]}")
    print(f"approve_batch: {approved} approved, {waitlisted} "
          f"waitlisted under one SK in {took:.2f} s = {cases / took:,.0f} cases/s "
          f"(audit chain {'ok' if verdict.ok else 'BROKEN'}, {verdict.events} events)")


if __name__ == "__main__":
    main()
