"""What the load balancer's probes cost: /healthz and /readyz, answered in-process.

Usage: python bench/health.py [REQUESTS] [DATABASE_URL | postgres]
On a fresh, migrated throwaway database (a temp SQLite file by default), sends
REQUESTS (default 2,000) GETs to each probe through the whole WSGI app (Flask's test
client: every hook, no network) and prints requests/s, median and p95 in ms.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import current_app  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)


def _timings(client, path: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.get_json())
    return timings


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    argument = sys.argv[2] if len(sys.argv) > 2 else None
    with throwaway.migrated_app(argument, "caseapp_bench_health") as url:
        client = current_app.test_client()
        print(f"database: {url.split(':')[0]}")
        for path in ("/healthz", "/readyz"):
            _timings(client, path, 50)  # warm: pool, migration heads, imports
            timings = _timings(client, path, requests)
            total = sum(timings) / 1000
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{path}: {requests} requests in {total:.2f} s = {requests / total:,.0f}/s, "
                  f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
