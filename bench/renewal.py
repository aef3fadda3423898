"""How long the renewal of a whole programme year into the next takes.

Usage: python bench/renewal.py [PARTICIPANTS] [DATABASE_URL | postgres]
Sets up PARTICIPANTS (default 200,000) members enrolled for 2026 and a DTSEN update
holding them, with set-based inserts (not measured). Then, with the clock at
15 October 2026, times the re-check that opens a renewal application for each one
(eligibility snapshot, transitions, one audit event each), and at 10 December 2026
the ranking, proposal and signed decree of 2027 for all of them, in which each
continues with its KPJ and no registration batch is made. Commits are included;
the audit chain is verified afterwards.
"""
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp.extensions import db  # noqa: E402
from models import (Application, DtsenRecord, ImportRun, RegistrationBatch,  # noqa: E402
                    Worker, clock)
from workflows.approval import approve_batch  # noqa: E402
from workflows.audit import verify_chain  # noqa: E402
from workflows.budget import open_budget_year  # noqa: E402
from workflows.imports import partitions  # noqa: E402
from workflows.renewal import recheck_renewals  # noqa: E402

BENCH_DB = "caseapp_bench_renewal"
SERIALS = 9_999  # NIK serials per birth date and kecamatan


def _born(i: int) -> date:
    return date(1970 + (i // SERIALS) % 30, 1 + (i // SERIALS // 30) % 12, 1)


def _nik(i: int) -> str:
    born = _born(i)
    return f"327501{born.day:02d}{born.month:02d}{born.year % 100:02d}{i % SERIALS + 1:04d}"


def _set_up(session, participants: int) -> dict:
    staff = throwaway.bench_staff(session)
    for year in (2026, 2027):
        open_budget_year(session, fiscal_year=year, dpa_reference=f"DPA bench {year}",
                         appropriation=16_800 * 12 * participants, quota=participants,
                         actor=staff["it"])
    now = clock.now()
    decree = throwaway.signed_decree(session, sk_number="SK-BENCH-2026", sk_date=date(2026, 1, 2),
                                     head_id=staff["kadis"].user_id, approved=participants,
                                     total=16_800 * 12 * participants)
    ids = range(1, participants + 1)
    session.execute(insert(Worker), [{
        "id": i, "nik": _nik(i), "kk_number": f"3275010101{i:06d}", "full_name": f"Pekerja {i}",
        "birth_place": "Bekasi", "birth_date": _born(i), "sex": "L", "address": "Jl. Bench",
        "rt": "001", "rw": "001", "kelurahan_code": "3275011001", "category": "pedagang",
        "occupation": "PKL", "monthly_income": 2_000_000, "created_at": now} for i in ids])
    session.execute(insert(Application), [{
        "id": i, "worker_id": i, "program_year": 2026, "state": "enrolled",
        "intake_channel": "walk_in", "taken_in_by_id": staff["cw"].user_id, "created_at": now,
        "submitted_at": now, "state_changed_at": now, "decree_id": decree.id,
        "approved_by_id": staff["kadis"].user_id, "approved_at": now,
        "commitment": 16_800 * 12, "kpj": f"{26_000_000_000 + i}",
        "coverage_start": date(2026, 1, 1)} for i in ids])
    dataset = ImportRun(kind="dtsen", file_name="dtsen-bench.csv", sha256="1" * 64,
                        as_of=date(2026, 10, 1), row_count=participants, status="applied",
                        imported_by_id=staff["cw"].user_id)
    session.add(dataset)
    session.flush()
    connection = session.connection()
    partitions.new_table(connection, dataset.id)
    partitions.attach(connection, dataset.id)
    session.execute(insert(DtsenRecord), [{
        "dataset_id": dataset.id, "nik": _nik(i), "no_kk": f"3275010101{i:06d}",
        "nama": f"PEKERJA {i}", "tanggal_lahir": _born(i), "jenis_kelamin": "L",
        "kode_kelurahan": "3275011001", "desil": 1 + i % 5} for i in ids])
    if session.get_bind().dialect.name == "postgresql":  # rows were given their ids
        for table in ("worker", "application"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    return staff


def _timed(work):
    start = time.perf_counter()
    result = work()
    db.session.commit()
    return result, time.perf_counter() - start


def main() -> None:
    participants = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with throwaway.migrated_app(sys.argv[2] if len(sys.argv) > 2 else None, BENCH_DB) as url:
        staff = _set_up(db.session, participants)
        db.session.commit()
        with clock.pinned(date(2026, 10, 15)):
            checked, recheck_s = _timed(lambda: recheck_renewals(
                db.session, year=2027, actor=staff["cw"]))
        ready = db.session.execute(select(Application.id).where(
            Application.program_year == 2027, Application.state == "verified")
        ).scalars().all()
        with clock.pinned(date(2026, 12, 10)):
            decree, decree_s = _timed(lambda: approve_batch(
                db.session, fiscal_year=2027, application_ids=ready,
                sk_number="SK-BENCH-2027", sk_date=date(2026, 12, 10),
                actor=staff["kadis"]))
        previous = aliased(Application)
        same_kpj = db.session.scalar(select(func.count()).select_from(Application).join(
            previous, previous.id == Application.renews_id).where(
            Application.state == "enrolled", Application.kpj == previous.kpj,
            Application.coverage_start == date(2027, 1, 1)))
        batches = db.session.scalar(select(func.count()).select_from(RegistrationBatch))
        approved = decree.approved_count
        verdict = verify_chain(db.session)
    print(f"database: {url.split(':')[0]}, participants of 2026: {participants:,}")
    print(f"re-check (renewal applications, evaluations, audit events): {recheck_s:.1f} s, "
          f"{checked.eligible:,} ready = {participants / recheck_s:,.0f} participants/s")
    print(f"ranking, proposal and signed decree of 2027: {decree_s:.1f} s, {approved:,} "
          f"approved; continuing with the same KPJ from 1 January: {same_kpj:,}; "
          f"registration batches: {batches}")
    print(f"audit chain {'ok' if verdict.ok else 'BROKEN'}, {verdict.events:,} events")


if __name__ == "__main__":
    main()
