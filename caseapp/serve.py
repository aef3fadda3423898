"""`make run`'s server: gunicorn (settings in gunicorn.conf.py) and one job worker,
started together and stopped together, so a single command serves the whole app.

In production the two run as separate services (README, Deployment); here, one
terminal: Ctrl+C stops both (the worker after the job in hand), and if either dies
the other is stopped too.
"""
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
WORKER = [sys.executable, "-m", "caseapp.jobs.worker"]
WEB = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]


def main() -> int:
    # The worker in its own session: Ctrl+C reaches only us and gunicorn, and the worker
    # gets SIGTERM from stop(), its signal to finish the job in hand first.
    processes = [subprocess.Popen(WORKER, cwd=ROOT, start_new_session=True),
                 subprocess.Popen(WEB, cwd=ROOT)]

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()
    return max(process.wait() for process in processes)


if __name__ == "__main__":
    sys.exit(main())
