"""How long the decree annex (lampiran SK) of a large decree takes to generate, and
how much memory it needs.

Usage: python bench/decree_annex.py [ROWS] [WORKERS]
Sets up a throwaway SQLite database with one decree whose frozen lists hold ROWS
names (default 10,000; nine in ten approved, the rest reserve), then times the
real generation path (`flask report decree` minus the file write: read, plan,
render the chunks in WORKERS processes, join, audit event, commit). Peak RSS is
sampled from /proc for this process and the rendering workers (the forkserver's
children are not this process's children, so getrusage would miss them).
"""
import io
import json
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from pypdf import PdfReader  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp import create_app  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from caseapp.reports.service import generate, parse_params  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.budget import open_budget_year  # noqa: E402
from workflows.reference import load_reference_data  # noqa: E402
from workflows.users import create_user  # noqa: E402

SK_NUMBER = "500.15.1/Kep.999-Disnaker/I/2026"
CATEGORIES = ("pedagang", "pekerja_lepas", "wiraswasta", "rentan_lainnya")


def _snapshot(rows: int) -> str:
    approved = rows * 9 // 10

    def entry(i: int) -> dict:
        name = f"Pekerja Rentan {i}" + (" binti Abdurrahman Sulaiman Al-Bekasi" if i % 13 == 0
                                        else "")
        reason = f"desil {1 + i % 4}" + ("; perempuan kepala keluarga" if i % 5 == 0 else "")
        return {"rank": i, "application": 100_000 + i, "nik": f"32750{i % 28 + 1:02d}1{i:08d}",
                "name": name, "kelurahan": ("Margahayu", "Jatimulya", "Kayuringin Jaya")[i % 3],
                "category": CATEGORIES[i % 4], "desil": 1 + i % 4,
                "reason": reason + f"; diajukan 2026-01-{1 + i % 28:02d}"}
    lists = {"approved": [{**entry(i), "commitment": 16_800 * 12} for i in range(1, approved + 1)],
             "reserve": [entry(i) for i in range(approved + 1, rows + 1)]}
    return json.dumps(lists, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _set_up(session, rows: int) -> Actor:
    system = Actor.system("bench")
    load_reference_data(session, actor=system)
    staff = {name: create_user(session, username=name, full_name=f"Pegawai {name}",
                               password="Bench-Pass-2026", roles=[role], actor=system,
                               must_change_password=False)
             for name, role in (("kadis", "head"), ("it", "admin"))}
    open_budget_year(session, fiscal_year=2026, dpa_reference="DPA bench",
                     appropriation=16_800 * 12 * rows, quota=rows,
                     actor=Actor.for_user(staff["it"]))
    snapshot = _snapshot(rows)
    throwaway.signed_decree(session, sk_number=SK_NUMBER, sk_date=date(2026, 1, 10),
                            head_id=staff["kadis"].id, approved=rows * 9 // 10,
                            waitlisted=rows - rows * 9 // 10,
                            total=16_800 * 12 * (rows * 9 // 10), snapshot=snapshot)
    return Actor.for_user(staff["kadis"], ip="bench")


class TreeMemory:
    """Samples resident memory and CPU time of this process's descendants (the
    rendering workers); CPU time does not depend on what else the machine runs."""

    def __init__(self, interval: float = 0.25):
        self.interval, self.stop = interval, threading.Event()
        self.peak_total = self.peak_worker = 0
        self.cpu_ticks: dict[int, int] = {}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample_cpu(self, pid: int) -> None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), int(fields[11]) + int(fields[12]))
        except (OSError, ValueError, IndexError):
            pass

    @property
    def worker_cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _rss_kb(pid: int, field: str = "VmRSS") -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    @staticmethod
    def _descendants(root: int) -> list[int]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        found, frontier = [], [root]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found += children
            frontier += children
        return found

    def _run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            descendants = self._descendants(me)
            for pid in descendants:
                self._sample_cpu(pid)
            others = [self._rss_kb(pid) for pid in descendants]
            self.peak_total = max(self.peak_total, self._rss_kb(me) + sum(others))
            self.peak_worker = max([self.peak_worker] + others)
            time.sleep(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else None
    url = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db")
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "AUDIT_MASK_KEY": "bench"}
    if workers:
        config["REPORT_PDF_WORKERS"] = workers
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        actor = _set_up(db.session, rows)
        db.session.commit()
        with TreeMemory() as memory:
            started, cpu = time.perf_counter(), time.process_time()
            params = parse_params("decree", {"sk_number": SK_NUMBER})
            result = generate(db.session, "decree", "pdf", params, actor=actor,
                              purpose="benchmark of the decree annex")
            db.session.commit()
            elapsed, own_cpu = time.perf_counter() - started, time.process_time() - cpu
        pages = len(PdfReader(io.BytesIO(result.content)).pages)
    print(f"decree annex: {rows:,} rows, {pages} pages, {len(result.content) / 1e6:.1f} MB PDF, "
          f"workers {workers or app.config.get('REPORT_PDF_WORKERS') or 'default'}")
    print(f"  {elapsed:.1f} s wall; CPU {own_cpu:.1f} s in the generating process, "
          f"{memory.worker_cpu_seconds:.1f} s in the rendering workers")
    own_peak = TreeMemory._rss_kb(os.getpid(), "VmHWM")
    print(f"  peak RSS: generating process {own_peak / 1024:.0f} MB,"
          f" largest worker {memory.peak_worker / 1024:.0f} MB, all together "
          f"{memory.peak_total / 1024:.0f} MB")
    print(f"  load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
