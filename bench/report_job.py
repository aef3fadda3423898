"""A decree annex asked for on the web, as a job: how long the request takes to answer,
how long until the worker's file is ready, what the bar heard, and the download.

Usage: python bench/report_job.py [ROWS] [postgres|URL]
Sets up a throwaway database (SQLite, or PostgreSQL) with one decree of ROWS names
(default 2,000; bench/decree_annex.py's set-up), starts a real worker (``python -m
caseapp.jobs.worker`` on a SQLite queue, as `make run` does), then as the head: queues
the annex (the view's path: checks, job row, queue), polls the job's stored status the
way the page does, and takes the file through the download verb.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from flask_login import login_user  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp import create_app  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from caseapp.jobs import files, progress  # noqa: E402
from caseapp.jobs.kinds import kind_of  # noqa: E402
from caseapp.reports.jobs import queue_report  # noqa: E402
from decree_annex import SK_NUMBER, _set_up  # noqa: E402
from models import Job, User  # noqa: E402
from workflows.jobs import take_job_output  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _worker(config: dict, log: Path) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")},
           **{f"CASEAPP_{k}": str(v) for k, v in config.items()}, "CASEAPP_LOG_FORMAT": "text"}
    worker = subprocess.Popen([sys.executable, "-m", "caseapp.jobs.worker", "--workers", "1",
                               "--no-periodic", "--max-delay", "0.2"],
                              cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    while b"Huey consumer started" not in log.read_bytes():
        assert worker.poll() is None, log.read_text()
        time.sleep(0.1)
    return worker


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    place = Path(tempfile.mkdtemp())
    url, admin = throwaway.create(sys.argv[2] if len(sys.argv) > 2 else None, "bench_report_job")
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "AUDIT_MASK_KEY": "bench",
              "JOB_QUEUE": "sqlite", "JOB_QUEUE_NAME": "bench-report-job",
              "JOB_QUEUE_FILE": str(place / "queue.db"), "JOB_FILE_DIR": str(place / "files"),
              "AUDIT_CHECKPOINT_FILE": str(place / "checkpoints.jsonl")}
    app = create_app(config)
    worker = None
    try:
        with app.app_context():
            flask_migrate.upgrade()
            head = _set_up(db.session, rows)
            db.session.commit()
        worker = _worker(config, place / "worker.log")
        with app.test_request_context("/reports/decree", method="POST"):
            login_user(db.session.get(User, head.user_id))
            started = time.perf_counter()
            job = queue_report("decree", "pdf", {"sk_number": SK_NUMBER},
                               "benchmark of the report job", actor=head)
            answered = time.perf_counter() - started
            job_id, heard = job.id, []
            huey = app.extensions["caseapp_jobs"].huey
            while (status := db.session.get(Job, job_id, populate_existing=True).status) \
                    not in ("done", "failed"):
                db.session.commit()  # a fresh snapshot each poll, as each page request has
                seen = progress.read(huey, job_id)
                if seen and (not heard or heard[-1] != seen["done"]):
                    heard.append(seen["done"])
                time.sleep(0.2)
            ready = time.perf_counter() - started
            assert status == "done", json.loads(job.outcome)
            taking = time.perf_counter()
            name = take_job_output(db.session, job, actor=head,
                                   record_taken=kind_of(job.kind).downloaded)
            size = files.path_of(name).stat().st_size
            db.session.commit()
            files.remove(name)
            taken = time.perf_counter() - taking
        print(f"decree annex of {rows:,} names as a job ({'PostgreSQL' if admin else 'SQLite'}):")
        print(f"  the request answered in {answered * 1000:.0f} ms (checks, job row, queue)")
        print(f"  the file was ready {ready:.1f} s after the request ({size / 1e6:.1f} MB)")
        print(f"  the bar heard pages done: {heard}")
        print(f"  taking the file (download verb, event, commit): {taken * 1000:.0f} ms")
    finally:
        if worker is not None:
            worker.send_signal(2)
            worker.wait(30)
        db.state(app).engine.dispose()
        throwaway.drop(admin, "bench_report_job")


if __name__ == "__main__":
    main()
