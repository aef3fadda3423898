"""How long BPJS's reply to a large registration batch takes to import.

Usage: python bench/bpjs_reply.py [ROWS] [--sqlite] [--reserves N] [--server URL]
Sets up ROWS (default 10,000) verified applications in a throwaway database (PostgreSQL on
127.0.0.1:5432 by default, a temp SQLite file with --sqlite), approves them under one SK,
puts them in a registration batch and marks it sent, all through the verbs (not
measured). With --reserves N, N more cases land on the decree's waiting list, so every
rejection promotes one. Then times import_bpjs_response() of a reply with a row for each
case (one in twenty DITOLAK, the rest DITERIMA with a KPJ, a tenth of those starting a
month later than asked), commit included, and verifies the audit chain afterwards.
"""
import argparse
import csv
import io
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp.extensions import db  # noqa: E402
from models import (Application, ApplicationTransition, AuditEvent,  # noqa: E402
                    EligibilityEvaluation, PolicyVersion, Worker, clock)
from workflows.actor import Actor  # noqa: E402
from workflows.approval import approve_batch  # noqa: E402
from workflows.audit import verify_chain  # noqa: E402
from workflows.bpjs.registration import (create_registration_batch,  # noqa: E402
                                         mark_batch_sent)
from workflows.bpjs.responses import import_bpjs_response  # noqa: E402
from workflows.budget import open_budget_year  # noqa: E402

BENCH_DB = "caseapp_bench_bpjs_reply"
TODAY = date(2026, 3, 10)  # SK and batch in March: cover asked from 1 April
START = date(2026, 4, 1)
REFUSED_EVERY = 20


def _set_up(session, cases: int, reserves: int) -> tuple[Actor, list[tuple[int, str]]]:
    """Staff, budget for ``cases`` people, ``cases + reserves`` decided under one SK and the
    approved ones in a sent batch; returns the caseworker and (application id, NIK) sent."""
    staff = throwaway.bench_staff(session)
    open_budget_year(session, fiscal_year=2026, dpa_reference="DPA bench",
                     appropriation=16_800 * 12 * cases, quota=cases, actor=staff["it"])
    policy = session.scalar(select(PolicyVersion.id))
    now, ids = clock.now(), range(1, cases + reserves + 1)
    session.execute(insert(Worker), [{
        "id": i, "nik": f"32750199{i:08d}", "kk_number": f"32750101{i:08d}",
        "full_name": f"Pekerja {i}", "birth_place": "Bekasi", "birth_date": date(1990, 8, 1),
        "sex": "L", "address": "Jl. Bench", "rt": "001", "rw": "001",
        "kelurahan_code": "3275011001", "category": "pedagang", "occupation": "PKL",
        "monthly_income": 2_000_000, "created_at": now} for i in ids])
    session.execute(insert(Application), [{
        "id": i, "worker_id": i, "program_year": 2026, "state": "verified",
        "intake_channel": "walk_in", "taken_in_by_id": staff["cw"].user_id, "created_at": now,
        "submitted_at": now, "state_changed_at": now} for i in ids])
    session.execute(insert(EligibilityEvaluation), [{
        "application_id": i, "policy_version_id": policy, "eligible": True, "desil": 1 + i % 5,
        "results": "{}", "evaluated_at": now} for i in ids])
    session.execute(insert(ApplicationTransition), [{
        "application_id": i, "from_state": "submitted", "to_state": "verified",
        "actor_id": staff["cw"].user_id, "at": now} for i in ids])
    if session.get_bind().dialect.name == "postgresql":  # rows were given their ids
        for table in ("worker", "application"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    approve_batch(session, fiscal_year=2026, application_ids=list(ids), sk_number="SK-BENCH",
                  sk_date=TODAY, actor=staff["kadis"])
    batch = create_registration_batch(session, fiscal_year=2026, actor=staff["cw"], today=TODAY)
    mark_batch_sent(session, batch, actor=staff["cw"])
    sent = session.execute(select(Application.id, Worker.nik).join(Worker).where(
        Application.registration_batch_id == batch.id).order_by(Application.id)).all()
    return staff["cw"], [tuple(row) for row in sent]


def reply_csv(sent: list[tuple[int, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["nik", "kpj", "status", "alasan", "tanggal_mulai"])
    for n, (application_id, nik) in enumerate(sent, 1):
        if n % REFUSED_EVERY == 0:
            writer.writerow([nik, "", "DITOLAK", "Terdaftar sebagai peserta PU", ""])
        else:
            start = date(2026, 5, 1) if n % 10 == 0 else START
            writer.writerow([nik, f"{26_000_000_000 + application_id}", "DITERIMA", "",
                             start.isoformat()])
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--sqlite", action="store_true", help="a temp SQLite file")
    parser.add_argument("--reserves", type=int, default=0, help="cases on the waiting list")
    parser.add_argument("--server", default="postgres", help="PostgreSQL server URL")
    args = parser.parse_args()
    with throwaway.migrated_app(None if args.sqlite else args.server, BENCH_DB) as url, \
            clock.pinned(TODAY):
        started = time.perf_counter()
        caseworker, sent = _set_up(db.session, args.rows, args.reserves)
        db.session.commit()
        setup = time.perf_counter() - started
        data = reply_csv(sent)
        events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        db.session.close()  # the verb starts with no transaction open, as in a request
        started = time.perf_counter()
        result = import_bpjs_response(db.session, io.BytesIO(data), file_name="balasan.csv",
                                      actor=caseworker)
        db.session.commit()
        took = time.perf_counter() - started
        if not result.applied:
            sys.exit(f"the reply was not applied:\n{result.run.error_report[:2000]}")
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)) - events_before
        promoted = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "application.approve", AuditEvent.actor_name == "system:waitlist"))
        verdict = verify_chain(db.session)
    rows = len(sent)
    print(f"database: {url.split(':')[0]}; {rows:,} cases in one sent batch, "
          f"{args.reserves:,} reserves (set-up {setup:.1f} s, not measured)")
    print(f"import_bpjs_response: {rows:,} rows ({result.enrolled:,} enrolled, "
          f"{result.refused_by_bpjs:,} refused, {promoted:,} reserves promoted) in {took:.2f} s "
          f"= {rows / took:,.0f} rows/s; {events:,} audit events "
          f"(chain {'ok' if verdict.ok else 'BROKEN'})")


if __name__ == "__main__":
    main()
