"""The measurements of bench/scale.py: each page in a row per role under gunicorn, the
chain verify beside a minimal verifier, and the page mix of 16 caseworkers."""
import hashlib
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from caseapp.extensions import db
from http_throughput import USERS, WARM_UP_SECONDS, User, _load, gunicorn
from workflows.audit.chain import HASHED_FIELDS, row_hash
from workflows.audit.segments import cores
from workflows.audit.verify import verify_chain

REQUESTS, SLOW = 20, 2.0
LAYOUT = ("the same user's sessions page", "/auth/sessions/")
REFERENCE_EVENTS = 1_000_000


def quantiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in ms of samples in seconds."""
    if len(samples) < 2:
        return samples[0] * 1000, samples[0] * 1000
    return statistics.median(samples) * 1000, statistics.quantiles(samples, n=20)[18] * 1000


def _timed_requests(user: User, path: str) -> tuple[float, float] | None:
    """p50/p95 of REQUESTS requests in a row after two unmeasured ones (3 when the first
    took over SLOW seconds: its p95 is then the slowest); an answer other than 200 or a
    redirect is no measurement: None."""
    samples, requests, number = [], REQUESTS, 0
    while number < requests + 2:
        began = time.perf_counter()
        status, _headers, _content = user.send(path)
        took = time.perf_counter() - began
        if status not in (200, 302):
            print(f"  {path}: HTTP {status}", flush=True)
            return None
        if number == 0 and took > SLOW:
            requests = 3
        if number >= 2:
            samples.append(took)
        number += 1
    return quantiles(samples)


def _facts(url: str, facts: dict) -> dict:
    """The values the pages are asked about: a worker and case deep in the bulk, a day,
    the middle of the verification queue."""
    engine = create_engine(url)
    with engine.connect() as conn:
        middle = conn.execute(text("""
            SELECT w.id, w.nik, w.kk_number, a.id, a.kpj FROM worker w
            JOIN application a ON a.worker_id = w.id
            WHERE a.state = 'enrolled' AND w.id >= :middle ORDER BY w.id LIMIT 1"""),
            {"middle": facts["first_worker"] + facts["workers"] // 2}).one()
        queue = conn.scalar(text("SELECT count(*) FROM application WHERE state = 'submitted'"))
        since, ident = conn.execute(text("""
            SELECT submitted_at, id FROM application WHERE state = 'submitted'
            ORDER BY submitted_at, id OFFSET :half LIMIT 1"""), {"half": queue // 2}).one()
        cases = [row[0] for row in conn.execute(text(
            "SELECT id FROM application WHERE state = 'submitted' ORDER BY random() LIMIT 500"))]
    engine.dispose()
    return {"worker_id": middle[0], "nik": middle[1], "kk": middle[2], "case": middle[3],
            "kpj": middle[4], "cursor": f"{since.isoformat()}|{ident}", "queue": queue,
            "cases": cases, "day": f"{facts['year']}-06-15", "workers": facts["workers"]}


def _pages(f: dict) -> list[tuple]:
    """(what, role, path, reference name, reference role, reference path)."""
    deep_stock = ("stock Flask-Admin list, same depth", "caseworker",
                  f"/applications/?page={f['workers'] // 2 // 20}")
    layout = (LAYOUT[0],)
    return [
        ("home, caseworker", "caseworker", "/", *layout, "caseworker", LAYOUT[1]),
        ("home, head", "head", "/", *layout, "head", LAYOUT[1]),
        ("home, auditor", "auditor", "/", *layout, "auditor", LAYOUT[1]),
        ("home, admin", "admin", "/", *layout, "admin", LAYOUT[1]),
        ("verification worklist, first page", "caseworker", "/cases/", *layout, "caseworker",
         LAYOUT[1]),
        ("verification worklist, middle", "caseworker", f"/cases/?after={f['cursor']}",
         *deep_stock),
        ("case page", "caseworker", f"/cases/{f['case']}", *layout, "caseworker", LAYOUT[1]),
        ("workers list: NIK", "caseworker", f"/workers/?search={f['nik']}", *layout,
         "caseworker", LAYOUT[1]),
        ("workers list: KK", "caseworker", f"/workers/?search={f['kk']}", *layout,
         "caseworker", LAYOUT[1]),
        ("applications list: KPJ", "caseworker", f"/applications/?search={f['kpj']}",
         *layout, "caseworker", LAYOUT[1]),
        ("top bar: application number", "caseworker", f"/search/?q={f['case']}", *layout,
         "caseworker", LAYOUT[1]),
        ("top bar: NIK", "caseworker", f"/search/?q={f['nik']}", *layout, "caseworker",
         LAYOUT[1]),
        ("workers list: name", "caseworker", "/workers/?search=wulandari", *layout,
         "caseworker", LAYOUT[1]),
        ("top bar: name", "caseworker", "/search/?q=Siti+Wulandari", *layout, "caseworker",
         LAYOUT[1]),
        ("ranking", "head", "/approval/", *layout, "head", LAYOUT[1]),
        ("budget realisation", "head", "/budget/", *layout, "head", LAYOUT[1]),
        ("audit: events, newest", "auditor", "/audit/", *layout, "auditor", LAYOUT[1]),
        ("audit: one day", "auditor", f"/audit/?date_from={f['day']}&date_to={f['day']}",
         *layout, "auditor", LAYOUT[1]),
        ("audit: action prefix", "auditor",
         "/audit/?action=application.enrol&action_match=prefix", *layout, "auditor",
         LAYOUT[1]),
        ("audit: exact action", "auditor",
         "/audit/?action=application.decline&action_match=exact", *layout, "auditor",
         LAYOUT[1]),
        ("audit: actor", "auditor", "/audit/?actor=bench_cw05", *layout, "auditor", LAYOUT[1]),
        ("audit: entity", "auditor",
         f"/audit/?entity_type=application&entity_id={f['case']}", *layout, "auditor",
         LAYOUT[1]),
        ("audit: free text, no hit", "auditor", "/audit/?text=zzqxv", *layout, "auditor",
         LAYOUT[1]),
        ("audit: who accessed a worker", "auditor", f"/audit/worker/{f['worker_id']}",
         *layout, "auditor", LAYOUT[1]),
    ]


def _minimal_verifier(url: str, limit: int) -> tuple[int, float]:
    """Events checked and seconds: stream, hash, compare with the stored hash and link."""
    engine = create_engine(url)
    began, count, prev = time.perf_counter(), 0, None
    with engine.connect() as conn:
        for row in conn.execution_options(stream_results=True).execute(text(
                f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM audit_event "
                f"ORDER BY seq LIMIT :n"), {"n": limit}):
            values = tuple(row)
            if row_hash(values[:-1]) != values[-1] or (prev and values[-2] != prev):
                raise SystemExit(f"the chain is broken at {values[0]}")
            prev, count = values[-1], count + 1
    engine.dispose()
    return count, time.perf_counter() - began


def _verify(url: str) -> list[tuple]:
    """`flask audit verify`'s walk over the whole chain, beside the minimal verifier."""
    began = time.perf_counter()
    verdict = verify_chain(db.session)
    took = time.perf_counter() - began
    db.session.rollback()
    if not verdict.ok:
        raise SystemExit(f"the bench's chain does not verify: {verdict}")
    count, reference = _minimal_verifier(url, REFERENCE_EVENTS)
    print(f"audit verify: {verdict.events:,} events in {took:.0f} s = "
          f"{verdict.events / took:,.0f}/s ({cores()} processes); minimal verifier "
          f"{count / reference:,.0f}/s; SHA-256 alone "
          f"{_sha_rate():,.0f}/s", flush=True)
    per_million = 1000 / (verdict.events / took) * 1_000_000
    return [("audit verify, ms per million events", (per_million, per_million),
             "minimal verifier", (1000 * reference / count * 1_000_000,) * 2)]


def _sha_rate() -> float:
    payload = b"x" * 400
    began = time.perf_counter()
    for _ in range(200_000):
        hashlib.sha256(payload).hexdigest()
    return 200_000 / (time.perf_counter() - began)


def _mix(port: int, f: dict, seconds: float = 20) -> dict:
    """16 caseworkers at once, each request a page drawn from the mix."""
    users = [User(port, 10 + n) for n in range(USERS)]
    for number, user in enumerate(users, 1):
        user.sign_in(f"bench_cw{number:02d}", second_factor=False)
    paths = ("/", "/cases/", "case", "case", f"/workers/?search={f['nik']}")

    def pick(rng: random.Random) -> str:
        path = rng.choice(paths)
        return f"/cases/{rng.choice(f['cases'])}" if path == "case" else path

    _load(users, pick, WARM_UP_SECONDS)
    return _load(users, pick, seconds)


def measure(url: str, environment: dict, scratch: Path, facts: dict) -> list[tuple]:
    """The table's rows: (what, (p50, p95), reference name, (p50, p95))."""
    f = _facts(url, facts)
    log = scratch / "gunicorn.log"
    rows = []
    with gunicorn({**environment, "CASEAPP_DATABASE_URL": url}, log) as port:
        people = {"caseworker": User(port, 0), "head": User(port, 1),
                  "auditor": User(port, 2), "admin": User(port, 3)}
        people["caseworker"].sign_in("bench_cw01", second_factor=False)
        people["head"].sign_in("bench_head01", second_factor=True)
        people["auditor"].sign_in("auditor", second_factor=True)
        people["admin"].sign_in("admin", second_factor=True)
        references = {}
        for what, role, path, reference, reference_role, reference_path in _pages(f):
            key = (reference_role, reference_path)
            if key not in references:
                references[key] = _timed_requests(people[reference_role], reference_path)
            rows.append((what, _timed_requests(people[role], path), reference,
                         references[key]))
            if rows[-1][1]:
                print(f"  {what:<40}{rows[-1][1][0]:>8.0f}{rows[-1][1][1]:>8.0f} ms", flush=True)
        mix = _mix(port, f)
    print(f"page mix, 16 caseworkers: {mix['per_second']:.1f} requests/s, p50 "
          f"{mix['p50']:.0f} ms, p95 {mix['p95']:.0f} ms, {mix['errors']} errors of "
          f"{mix['requests']:,}; server log {log}", flush=True)
    rows.append(("page mix, 16 caseworkers (ms per request)", (mix["p50"], mix["p95"]),
                 "", None))
    return rows + _verify(url)
