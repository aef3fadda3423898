"""The send job: hands due notices to the configured gateway after the commit that
queued them, and records each attempt. Scheduled every few minutes (only when a
notice is due, so a quiet day writes no job rows) and started by the retry button
for one notice."""
from flask import current_app

from caseapp.jobs.kinds import Done, JobContext, job_kind
from caseapp.notices.gateway import gateway_for
from models import Role, clock
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l
from workflows.notices.delivery import Outgoing, claim, due_notice_ids, record_delivery

SEND_JOB = "notices.send"


def _log_page(_params: dict) -> tuple[str, dict]:
    return "notices.index", {}


@job_kind(SEND_JOB, _l("Sending notices to workers"), _log_page, (Role.CASEWORKER,))
def send_notices(ctx: JobContext) -> Done:
    """Each notice is taken and committed before the gateway is called (no transaction
    waits on the network), then its result is recorded and committed."""
    config = current_app.config
    gateway = gateway_for(config)
    only = ctx.params.get("notice_id")
    ids = [only] if only else due_notice_ids(ctx.session, clock.now())
    ctx.session.commit()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for done, notice_id in enumerate(ids, 1):
        taken = claim(ctx.session, notice_id, actor=ctx.actor,
                      max_attempts=config["NOTICE_MAX_ATTEMPTS"])
        ctx.session.commit()
        if isinstance(taken, Outgoing):
            try:
                error = gateway.send(taken)
            except Exception as exc:  # noqa: BLE001 - one bad send must not stop the batch
                error = f"{type(exc).__name__}: {exc}"[:500]
            notice = record_delivery(ctx.session, notice_id, gateway=gateway.name, error=error,
                                     actor=ctx.actor, max_attempts=config["NOTICE_MAX_ATTEMPTS"])
            ctx.session.commit()
            counts["sent" if notice.status == "sent" else "failed"] += 1
        elif taken in counts:
            counts[taken] += 1
        ctx.progress(done)
    category = "warning" if counts["failed"] else "success"
    return Done(Outcome.of(_l("Notices: %(sent)d sent, %(failed)d not sent (retried later or "
                              "given up), %(skipped)d skipped.", **counts), category,
                           ("notices.index", {})))
