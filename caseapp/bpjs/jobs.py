"""The job that applies BPJS's reply to a registration batch."""
from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import Role
from workflows.bpjs.responses import import_bpjs_response
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l

REPLY_JOB = "bpjs.reply"


def _home(params: dict) -> tuple[str, dict]:
    return "bpjs.index", {"year": params["year"]}


@job_kind(REPLY_JOB, _l("BPJS registration reply"), _home, (Role.CASEWORKER,))
def reply(ctx: JobContext) -> Done:
    with ctx.open_input() as stream:
        result = import_bpjs_response(ctx.session, stream, file_name=ctx.job.file_name,
                                      actor=ctx.actor, progress=ctx.progress)
    run = result.run
    target = ("bpjs.index", {"run": run.id, "year": ctx.params["year"]})
    if result.duplicate_file:
        message, category = _l("This reply was already imported as run %(id)s; nothing "
                               "changed.", id=run.id), "info"
    elif result.applied:
        message, category = _l("Reply to batch %(batch)s: %(a)d enrolled, %(r)d rejected by "
                               "BPJS, %(u)d already recorded.", batch=result.batch_number,
                               a=result.enrolled, r=result.refused_by_bpjs,
                               u=result.unchanged), "success"
    else:
        message, category = _l("Nothing was imported: %(n)d problems. Download the report "
                               "of run %(id)s.", n=run.error_count, id=run.id), "error"
    return Done(Outcome.of(message, category, target))
