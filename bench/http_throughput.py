"""Requests per second and latency of the busiest pages, served as in production:
gunicorn with the repository's gunicorn.conf.py and 4 worker processes, on PostgreSQL.

Usage: python bench/http_throughput.py [DEMO_WORKERS] [SECONDS] [postgres | DATABASE_SERVER_URL]
Sets up a throwaway PostgreSQL database (bench/throwaway.py): migrated, reference data,
the demo data of `flask demo seed` with DEMO_WORKERS workers (default 3,000; walked
through the real verbs, so the audit log and documents are genuine), and 16
caseworker and 16 head accounts. Then 16 users sign in, each from its own loopback
address (as 16 office PCs: the sign-in rate limit is per address), heads with their
authenticator code, and for SECONDS (default 20) per page each keeps requesting that
page over its own keep-alive connection, the next request as soon as the last answer
is read: the verification worklist, case pages (a random case each time; each view is
an audited read), and the home page of a caseworker and of a head. Any answer other
than 200 counts as an error. Before each measurement the page is requested for a few
seconds unmeasured, so every process has loaded its templates.
The load generator runs on the same machine (its CPU share is printed); gunicorn's
own output, including the app's request log, goes to a file named at the end.
"""
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from sqlalchemy import select  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp.demo import (DEMO_PASSWORD, DEMO_TOTP_SECRET, enrol_known_secret,  # noqa: E402
                          seed_demo)
from caseapp.extensions import db  # noqa: E402
from models import Application  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.reference import load_reference_data  # noqa: E402
from workflows.users import create_user  # noqa: E402

BENCH_DB = "caseapp_bench_http"
USERS, WEB_WORKERS, WARM_UP_SECONDS = 16, 4, 3
_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")


class User:
    """One person at one PC: a source address, a keep-alive connection and cookies."""

    def __init__(self, port: int, number: int):
        self.port, self.address = port, f"127.0.0.{10 + number}"
        self.cookies: dict[str, str] = {}
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120,
                                          source_address=(self.address, 0))

    def send(self, path: str, fields: dict | None = None) -> tuple[int, dict, bytes]:
        """One request; a connection the server closed while idle (keep-alive timeout,
        a process replaced after max_requests) is opened again once, as browsers do."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request("POST" if body else "GET", path, body, headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = self._connect()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def sign_in(self, username: str, second_factor: bool) -> None:
        token = _TOKEN.search(self.send("/auth/login")[2].decode()).group(1)
        fields = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
        if second_factor:  # the optional code field of the sign-in form
            fields["code"] = pyotp.TOTP(DEMO_TOTP_SECRET).now()
        status, headers, _ = self.send("/auth/login", fields)
        assert status == 302 and headers["Location"] == "/", (username, status, headers)


def _set_up(session, demo_workers: int, documents: Path) -> list[int]:
    """Reference and demo data, the bench's accounts; returns the application ids."""
    system = Actor.system("bench")
    load_reference_data(session, actor=system)
    seed_demo(session, storage_dir=documents, workers=demo_workers)
    for number in range(1, USERS + 1):
        create_user(session, username=f"bench_cw{number:02d}", full_name=f"Petugas {number}",
                    password=DEMO_PASSWORD, roles=["caseworker"], actor=system,
                    must_change_password=False)
        head = create_user(session, username=f"bench_head{number:02d}",
                           full_name=f"Kepala {number}", password=DEMO_PASSWORD,
                           roles=["head"], actor=system, must_change_password=False)
        enrol_known_secret(session, head, DEMO_TOTP_SECRET, actor=system)
    return list(session.scalars(select(Application.id)))


def server_environment(scratch: Path) -> dict:
    """The settings of the bench's server, also set in this process's environment: the
    seeding (here) and the server read the same ones."""
    environment = {"CASEAPP_SECRET_KEY": "bench", "CASEAPP_AUDIT_MASK_KEY": "bench",
                   "CASEAPP_DOCUMENT_DIR": str(scratch / "documents"),
                   "CASEAPP_AUDIT_SIGNING_KEY": str(scratch / "no-key-here.pem"),
                   "CASEAPP_AUDIT_CHECKPOINT_FILE": str(scratch / "checkpoints.jsonl"),
                   "CASEAPP_PROXY_HOPS": "0", "CASEAPP_BIND": "127.0.0.1:0",
                   "CASEAPP_WEB_WORKERS": str(WEB_WORKERS)}
    os.environ.update(environment)
    return environment


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/auth/login")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def gunicorn(environment: dict, log: Path):
    """`gunicorn -c gunicorn.conf.py` from the repository root; yields its port."""
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                                  cwd=ROOT, env={**os.environ, **environment},
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        while not (found := _LISTENING.search(log.read_bytes())):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.1)
        port = int(found.group(1))
        while not _answers(port):  # the workers have imported the app
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped; see {log}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=120)


def _load(users: list[User], pick_path, seconds: float) -> dict:
    """Every user requests pick_path(rng)'s page back to back for ``seconds``."""
    results = [[] for _ in users]  # per user: (seconds, status, bytes)
    start = threading.Barrier(len(users) + 1)
    deadline = [0.0]

    def run(user: User, out: list) -> None:
        rng = random.Random(user.address)
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            status, _, content = user.send(pick_path(rng))
            out.append((time.perf_counter() - began, status, len(content)))

    threads = [threading.Thread(target=run, args=(u, r)) for u, r in zip(users, results)]
    for thread in threads:
        thread.start()
    cpu = sum(os.times()[:2])
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    samples = [s for per_user in results for s in per_user]
    latencies = statistics.quantiles([s[0] for s in samples], n=100)
    return {"requests": len(samples), "per_second": len(samples) / wall,
            "p50": latencies[49] * 1000, "p95": latencies[94] * 1000,
            "max": max(s[0] for s in samples) * 1000,
            "errors": sum(1 for s in samples if s[1] != 200),
            "kb": statistics.fmean(s[2] for s in samples) / 1024,
            "client_cpu": (sum(os.times()[:2]) - cpu) / wall}


def main() -> None:
    demo_workers = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    server = sys.argv[3] if len(sys.argv) > 3 else "postgres"
    scratch = Path(tempfile.mkdtemp(prefix="caseapp-bench-http-"))
    environment = server_environment(scratch)
    with throwaway.migrated_app(server, BENCH_DB) as url:
        began = time.perf_counter()
        case_ids = _set_up(db.session, demo_workers, scratch / "documents")
        db.session.commit()
        db.session.remove()
        print(f"set-up: {demo_workers:,} demo workers, {len(case_ids):,} cases, "
              f"{2 * USERS} bench accounts in {time.perf_counter() - began:.0f} s")
        log = scratch / "gunicorn.log"
        with gunicorn({**environment, "CASEAPP_DATABASE_URL": url}, log) as port:
            caseworkers = [User(port, n) for n in range(USERS)]
            heads = [User(port, USERS + n) for n in range(USERS)]
            for number, (caseworker, head) in enumerate(zip(caseworkers, heads), 1):
                caseworker.sign_in(f"bench_cw{number:02d}", second_factor=False)
                head.sign_in(f"bench_head{number:02d}", second_factor=True)
            pages = (("verification worklist  /cases/", caseworkers, lambda rng: "/cases/"),
                     ("case page  /cases/<id>", caseworkers,
                      lambda rng: f"/cases/{rng.choice(case_ids)}"),
                     ("home, caseworker  /", caseworkers, lambda rng: "/"),
                     ("home, head  /", heads, lambda rng: "/"))
            rows = []
            for name, users, pick_path in pages:
                _load(users, pick_path, WARM_UP_SECONDS)
                rows.append((name, _load(users, pick_path, seconds)))
    print(f"gunicorn, {WEB_WORKERS} workers (gthread, gunicorn.conf.py), PostgreSQL; "
          f"{USERS} concurrent users, {seconds:.0f} s per page, keep-alive")
    print(f"{'page':<32}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
          f"{'errors':>7}{'KB':>6}{'client CPU':>11}")
    for name, r in rows:
        print(f"{name:<32}{r['requests']:>9,}{r['per_second']:>8.1f}{r['p50']:>8.0f}"
              f"{r['p95']:>8.0f}{r['max']:>8.0f}{r['errors']:>7}{r['kb']:>6.0f}"
              f"{r['client_cpu']:>10.0%}")
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs; server output in {log}")


if __name__ == "__main__":
    main()
