"""The job worker: ``python -m caseapp.jobs.worker [--workers 2] [--no-periodic]``.

Like wsgi.py it builds the app from the environment (the same CASEAPP_* settings as
the web servers: database, job queue, job file store, keys) and runs Huey's consumer
on the app's queue, where the job task and the periodic tasks are registered. Our own
entry point rather than ``huey_consumer``: the worker logs through the app's handler
only (one JSON line per event), and an idle worker on the SQLite queue looks for new
jobs at least every second rather than Huey's default ten.
"""
import argparse

from caseapp import create_app
from caseapp.jobs.periodic import count_home_figures
from caseapp.jobs.recovery import end_interrupted_jobs

app = create_app()
huey = app.extensions["caseapp_jobs"].huey


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m caseapp.jobs.worker")
    parser.add_argument("-w", "--workers", type=int, default=2,
                        help="threads running jobs (default 2)")
    parser.add_argument("--no-periodic", action="store_true",
                        help="do not run the schedule (run it on one worker only)")
    parser.add_argument("--max-delay", type=float, default=1.0,
                        help="longest pause, in seconds, between looks at an idle queue")
    args = parser.parse_args(argv)
    end_interrupted_jobs(app)
    if not args.no_periodic:  # the home page's figures from the start, not 5 minutes on
        count_home_figures(app)
    # SIGTERM (systemd, a deploy, `make run`'s Ctrl+C) lets the jobs in hand finish;
    # a second signal or SIGINT stops at once, and the next start ends what was cut.
    huey.create_consumer(workers=args.workers, worker_type="thread",
                         periodic=not args.no_periodic, initial_delay=0.05,
                         max_delay=args.max_delay, graceful_signal="TERM").run()


if __name__ == "__main__":
    main()
