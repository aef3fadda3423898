"""Contribution jobs: reconciling a paid batch with BPJS's bill, and the scheduled
marking of arrears and counting of participants near the lapse."""
from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import PaymentBatch, Role, clock
from workflows.contributions.reconciliation import reconcile
from workflows.contributions.status import count_lapse_warnings, mark_arrears
from workflows.errors import InvalidInput
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l
from workflows.notices.queue import notify_lapse_risk

RECONCILE_JOB = "contributions.reconcile"


def _batch_page(params: dict) -> tuple[str, dict]:
    return "contributions_page.batch", {"batch_id": params["batch_id"]}


def _contributions_page(_params: dict) -> tuple[str, dict]:
    return "contributions_page.index", {}


@job_kind(RECONCILE_JOB, _l("Reconciliation with the BPJS bill"), _batch_page,
          (Role.CASEWORKER,))
def reconcile_bill(ctx: JobContext) -> Done:
    batch = ctx.session.get(PaymentBatch, ctx.params["batch_id"])
    if batch is None:
        raise InvalidInput(_l("The contribution batch no longer exists."))
    ctx.session.commit()  # read the file before the write lock (caseapp/database.py)
    with ctx.open_input() as stream:
        result = reconcile(ctx.session, stream, file_name=ctx.job.file_name, batch=batch,
                           actor=ctx.actor, progress=ctx.progress)
    run, target = result.run, ("contributions_page.batch", {"batch_id": batch.id,
                                                            "run": result.run.id})
    if result.duplicate_file:
        message, category = _l("This file was already imported as run %(id)s; nothing "
                               "changed.", id=run.id), "info"
    elif result.applied:
        differences = batch.reconciliation_report.count("\n") - 1
        message = _l("Batch %(id)d is reconciled: %(n)d differences. Download the report.",
                     id=batch.id, n=differences)
        category = "success" if not differences else "warning"
    else:
        message, category = _l("The file was not used: %(n)d problems. Download the report "
                               "of run %(id)s.", n=run.error_count, id=run.id), "error"
    return Done(Outcome.of(message, category, target))


@job_kind("contributions.mark_arrears", _l("Daily marking of arrears"), _contributions_page)
def arrears(ctx: JobContext) -> Done:
    changed = mark_arrears(ctx.session, today=clock.today(), actor=ctx.actor)
    return Done(Outcome.of(_l("%(n)d month(s) marked as arrears.", n=changed)))


@job_kind("contributions.lapse_warnings", _l("Weekly count of participants near the lapse"),
          _contributions_page)
def lapse_count(ctx: JobContext) -> Done:
    near, lapsed = count_lapse_warnings(ctx.session, clock.today(), actor=ctx.actor)
    notify_lapse_risk(ctx.session, clock.today(), actor=ctx.actor)  # one notice a month each
    message = _l("%(n)d participant(s) at or near the lapse, %(lapsed)d of them lapsed.",
                 n=near, lapsed=lapsed)
    return Done(Outcome.of(message, "warning" if near else "success"))
