"""The work nobody should have to remember, scheduled by the job queue's consumer.

Times are UTC (Huey's clock): 17:30 UTC is 00:30 WIB. Each run of a task that
changes cases is a job row like any other, acted by the scheduler, so the log and
the jobs page show that it ran and how it ended. The hourly checkpoint is not: its
own job events would keep a quiet log from ever being quiet; nor is the hourly
removal of made files (reports, evidence packs) nobody fetched within a day, which
changes no data, nor the home page's city-wide figures counted every 5 minutes
(workflows/home_figures.py says why). With several workers on Redis, run the schedule
on one of them (the others with ``--no-periodic``); the tasks are safe to run twice
anyway.
"""
import logging
from functools import partial

from huey import crontab

from caseapp.checkpointing import sign_when_due
from caseapp.extensions import db
from caseapp.jobs import files
from caseapp.jobs.recovery import end_interrupted_jobs
from caseapp.jobs.runner import run_job
from models import clock
from workflows.actor import Actor
from workflows.home_figures import refresh_home_figures
from workflows.intake_tally import fold_intake_tally
from workflows.jobs import queue_job
from workflows.notices.delivery import notices_due

SCHEDULE = {
    "contributions.mark_arrears": crontab(minute="30", hour="17"),  # daily, 00:30 WIB
    # weekly, Monday 07:00 WIB
    "contributions.lapse_warnings": crontab(minute="0", hour="0", day_of_week="1"),
    # daily, 00:45 WIB, after the arrears: memberships unpaid over 3 months lapse
    "membership.lapse": crontab(minute="45", hour="17"),
}
CHECKPOINT_EVERY = crontab(minute="5")  # hourly
NOTICES_EVERY = crontab(minute="*/5")  # notices to workers, when one is due
OUTPUTS_SWEPT_EVERY = crontab(minute="35")  # hourly
OUTPUT_KEPT_SECONDS = 24 * 3600
HOME_FIGURES_EVERY_MINUTES = 5  # the home page says so beside the figures
HOME_FIGURES_EVERY = crontab(minute=f"*/{HOME_FIGURES_EVERY_MINUTES}")
log = logging.getLogger(__name__)


def register(app, huey) -> None:
    for kind, when in SCHEDULE.items():
        huey.periodic_task(when, name=f"scheduled-{kind}")(
            partial(run_scheduled, app, huey, kind))
    huey.periodic_task(CHECKPOINT_EVERY, name="scheduled-audit-checkpoint")(
        partial(sign_checkpoint, app))
    huey.periodic_task(OUTPUTS_SWEPT_EVERY, name="scheduled-old-outputs")(
        partial(tidy_up, app))
    huey.periodic_task(NOTICES_EVERY, name="scheduled-notices-send")(
        partial(send_due_notices, app, huey))
    huey.periodic_task(HOME_FIGURES_EVERY, name="scheduled-home-figures")(
        partial(count_home_figures, app))


def count_home_figures(app) -> None:
    """Count the home page's city-wide figures of this year again and store them, then
    fold the intake tally the caseworkers' counts are read from, each in its own
    transaction. A failure is logged, not raised: the page counts the figures itself
    meanwhile, the tally is right unfolded, and the worker (which also counts once as it
    starts) must go on running jobs."""
    with app.app_context():
        _committed(lambda: refresh_home_figures(db.session, clock.today()),
                   "the home page's figures could not be counted")
        _committed(lambda: fold_intake_tally(db.session), "the intake tally could not be folded")


def _committed(work, failure: str) -> None:
    """``work()`` and its commit; a failure rolled back and logged as ``failure``."""
    try:
        work()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception(failure)


def send_due_notices(app, huey) -> int | None:
    """Every 5 minutes, the job sending notices, only when one is due (queued, or its
    retry time come): an idle queue writes no job rows. The job's id, or None."""
    with app.app_context():
        due = notices_due(db.session, clock.now())
        db.session.rollback()
    return run_scheduled(app, huey, "notices.send") if due else None


def sign_checkpoint(app) -> bool:
    """Sign the chain head when due (events waiting and the last checkpoint an hour old,
    or AUDIT_CHECKPOINT_EVERY_EVENTS waiting); whether one was signed."""
    with app.app_context():
        signed = sign_when_due(Actor.system("audit-checkpoint"), scheduled=True) is not None
        db.session.commit()
        return signed


def tidy_up(app) -> int:
    """Hourly: end the jobs a stopped worker of this host left running, and remove made
    files nobody fetched within a day (reports holding personal data must not pile up).
    How many files went."""
    end_interrupted_jobs(app)
    with app.app_context():
        removed = files.remove_old_outputs(OUTPUT_KEPT_SECONDS)
    if removed:
        log.info("removed %d job file(s) nobody fetched within a day", removed)
    return removed


def run_scheduled(app, huey, kind: str) -> int:
    """Record the scheduled job and run it here, in the consumer; its id."""
    with app.app_context():
        job = queue_job(db.session, kind, actor=Actor.system("scheduler"), roles=())
        db.session.commit()
        job_id = job.id
    run_job(app, huey, job_id)
    return job_id
