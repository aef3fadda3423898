"""City scale: every page a user opens, on a PostgreSQL database of a whole city.

Usage: python bench/scale.py [WORKERS] [postgres | DATABASE_SERVER_URL] [--keep | --reuse]
(`make bench-scale`: 1,000,000 workers). Builds a throwaway database (bench/throwaway.py)
through the migrations: reference data, the demo and the bench accounts (seeded through
the real verbs with the clock on 2 January), then WORKERS workers with a case each in
every state, evaluations, the budget ledger, contribution months and their payment
batches, DTSEN records (bench/scale_data.py, INSERT ... SELECT on the server) and a
correct audit chain of 20 events per worker (hashed by the app's own code, loaded by
COPY). Then, under gunicorn as in production (4 workers), one signed-in user per role
requests each page REQUESTS times in a row (after two unmeasured requests) and the
table gives p50 and p95 beside a reference measured in the same run:
- pages: the jobs page of the same user (the full layout and sign-in checks, no big
  table), so the ratio is what the page's own data costs;
- the worklist deep in the queue: Flask-Admin's stock list of applications at the same
  depth (OFFSET paging);
- the chain verify: a minimal verifier (stream rows, hash, compare) on the first
  million events.
Last, the page mix: 16 caseworkers at once on home, worklist, case and lookup pages.
``--keep`` leaves the database in place (its URL is printed) for further looks;
``--reuse`` measures such a kept database again (migrated first) without building it.
Before measuring, the home page's figures are counted once, as the job worker does.
"""
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402

import scale_data  # noqa: E402  (bench/ is on sys.path when run as a script)
import scale_measure  # noqa: E402
import throwaway  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from http_throughput import USERS, WEB_WORKERS, _set_up, server_environment  # noqa: E402
from models import Decree, ImportRun, PolicyVersion, User, clock  # noqa: E402
from workflows.home_figures import refresh_home_figures  # noqa: E402

BENCH_DB = "caseapp_bench_scale"
DEMO_WORKERS = 300


def _staff(session) -> dict:
    users = {u.username: u for u in session.scalars(select(User))}
    caseworkers = [users[f"bench_cw{n:02d}"] for n in range(1, USERS + 1)]
    return {"caseworkers": [(u.id, u.username, "caseworker") for u in caseworkers],
            "head": (users["kadis"].id, "kadis", "head")}


def build(url: str, workers: int, documents: Path) -> dict:
    """The city: demo and accounts through the verbs, then the bulk rows."""
    year = clock.today().year
    began = time.perf_counter()
    with clock.pinned(date(year, 1, 2)):
        _set_up(db.session, DEMO_WORKERS, documents)
        db.session.commit()
    session = db.session
    staff = _staff(session)
    ids = {"caseworkers": [c[0] for c in staff["caseworkers"]], "head": staff["head"][0],
           "decree": session.scalar(select(Decree.id).where(Decree.status == "signed",
                                                            Decree.fiscal_year == year)),
           "policy": session.scalar(select(PolicyVersion.id)),
           "dataset": session.scalar(select(ImportRun.id).where(ImportRun.kind == "dtsen")
                                     .order_by(ImportRun.id.desc()))}
    session.commit()
    print(f"demo and accounts through the verbs: {time.perf_counter() - began:.0f} s", flush=True)
    engine = create_engine(url)
    with engine.begin() as conn:
        first = scale_data.load_domain(conn, n=workers, year=year, **ids)
    with engine.begin() as conn:
        events = scale_data.load_audit(
            conn, n=workers, staff=staff, start=datetime(year, 1, 3, tzinfo=timezone.utc),
            end=clock.now() - timedelta(hours=1), **first)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        step = time.perf_counter()
        conn.execute(text("VACUUM (ANALYZE)"))
        print(f"  VACUUM ANALYZE {time.perf_counter() - step:.0f} s", flush=True)
    engine.dispose()
    print(f"built in {time.perf_counter() - began:.0f} s: {workers:,} bulk workers, "
          f"{events:,} bulk audit events", flush=True)
    return {"year": year, "workers": workers, **first}


def kept_facts() -> dict:
    """What ``build`` returned, read back from a kept database (bulk NIKs start 327500)."""
    first_worker, workers = db.session.execute(text(
        "SELECT min(id), count(*) FROM worker WHERE nik LIKE '327500%'")).one()
    first_application = db.session.scalar(text(
        "SELECT min(id) FROM application WHERE worker_id >= :w"), {"w": first_worker})
    db.session.rollback()
    return {"year": clock.today().year, "workers": workers, "first_worker": first_worker,
            "first_application": first_application}


def count_home_figures() -> None:
    """What the job worker does as it starts and every 5 minutes (the pages read it)."""
    began = time.perf_counter()
    refresh_home_figures(db.session, clock.today())
    db.session.commit()
    print(f"home figures counted in {time.perf_counter() - began:.1f} s (the job worker's "
          f"count every 5 minutes)", flush=True)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    workers = int(args[0]) if args else 1_000_000
    server = args[1] if len(args) > 1 else "postgres"
    scratch = Path(tempfile.mkdtemp(prefix="caseapp-bench-scale-"))
    environment = server_environment(scratch)
    keep, reuse = "--keep" in sys.argv, "--reuse" in sys.argv
    database = (throwaway.kept_app(server, BENCH_DB) if reuse
                else throwaway.migrated_app(server, BENCH_DB, keep=keep))
    with database as url:
        facts = kept_facts() if reuse else build(url, workers, scratch / "documents")
        count_home_figures()
        rows = scale_measure.measure(url, environment, scratch, facts)
        if keep or reuse:
            print(f"kept: {url}")
    print(f"\n{workers:,} bulk workers + {DEMO_WORKERS} demo; PostgreSQL, gunicorn "
          f"{WEB_WORKERS} workers, {os.cpu_count()} CPUs; ms")
    print(f"{'what':<44}{'p50':>8}{'p95':>8}  {'reference':<34}{'p50':>8}{'p95':>8}{'x p50':>7}")
    for what, mine, reference_name, reference in rows:
        if mine is None:
            print(f"{what:<44}{'failed':>16}")
            continue
        ratio = mine[0] / reference[0] if reference and reference[0] else None
        print(f"{what:<44}{mine[0]:>8.0f}{mine[1]:>8.0f}  {reference_name:<34}"
              + (f"{reference[0]:>8.0f}{reference[1]:>8.0f}{ratio:>7.1f}" if ratio else ""))
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
