"""A real job worker for the tests that need one: ``python -m caseapp.jobs.worker`` (Huey's
consumer) in its own process, configured through the environment as in
production, sharing the test app's database, queue and file store."""
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker_settings(tmp_path: Path, **extra) -> dict:
    """App settings for a real queue (SQLite file, or Redis with ``REDIS_URL``)."""
    queue = "redis" if extra.get("REDIS_URL") else "sqlite"
    return {"JOB_QUEUE": queue, "JOB_QUEUE_NAME": f"caseapp-test-{uuid.uuid4().hex[:8]}",
            "JOB_QUEUE_FILE": str(tmp_path / "job-queue.db"),
            "JOB_FILE_DIR": str(tmp_path / "job-files"), **extra}


def _environment(app) -> dict:
    config = app.config
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    env.update({
        "CASEAPP_DATABASE_URL": config["DATABASE_URL"],
        "CASEAPP_SECRET_KEY": config["SECRET_KEY"],
        "CASEAPP_AUDIT_MASK_KEY": config["AUDIT_MASK_KEY"],
        "CASEAPP_AUDIT_SIGNING_KEY": config["AUDIT_SIGNING_KEY"],
        "CASEAPP_AUDIT_CHECKPOINT_FILE": config["AUDIT_CHECKPOINT_FILE"],
        "CASEAPP_DOCUMENT_DIR": config["DOCUMENT_DIR"],
        "CASEAPP_JOB_QUEUE": config["JOB_QUEUE"],
        "CASEAPP_JOB_QUEUE_NAME": config["JOB_QUEUE_NAME"],
        "CASEAPP_JOB_QUEUE_FILE": config["JOB_QUEUE_FILE"],
        "CASEAPP_JOB_FILE_DIR": config["JOB_FILE_DIR"],
        "CASEAPP_AUDIT_CHECKPOINT_EVERY_EVENTS": str(config["AUDIT_CHECKPOINT_EVERY_EVENTS"]),
        "CASEAPP_LOG_FORMAT": "text",
    })
    if config.get("REDIS_URL"):
        env["CASEAPP_REDIS_URL"] = config["REDIS_URL"]
    return env


@contextmanager
def job_worker(app, log_path: Path, threads: int = 2):
    """The consumer running for ``app`` until the block ends (then stopped gracefully)."""
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "caseapp.jobs.worker", "--workers", str(threads),
             "--no-periodic", "--max-delay", "0.2"],
            cwd=ROOT, env=_environment(app), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while b"Huey consumer started" not in log_path.read_bytes():
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)  # finish the job in hand, then stop
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
