"""Membership jobs: importing a BPJS status file, the daily lapse run, and the export
of the differences (a file its starter downloads once from the job's page)."""
import json
from datetime import date

from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import Job, Role, clock
from workflows.jobs import Outcome
from workflows.membership.export import export_differences, record_export_download
from workflows.membership.lapse import update_lapses
from workflows.membership.status_import import import_bpjs_status
from workflows.messages import lazy_gettext as _l

IMPORT_JOB = "membership.status_import"
LAPSE_JOB = "membership.lapse"
EXPORT_JOB = "membership.export"
EXPORT_ROLES = (Role.CASEWORKER, Role.HEAD, Role.AUDITOR)


def _page(_params: dict) -> tuple[str, dict]:
    return "membership.index", {}


@job_kind(IMPORT_JOB, _l("BPJS membership status file"), _page, (Role.CASEWORKER,))
def status_import(ctx: JobContext) -> Done:
    with ctx.open_input() as stream:
        result = import_bpjs_status(ctx.session, stream, file_name=ctx.job.file_name,
                                    as_of=date.fromisoformat(ctx.params["as_of"]),
                                    actor=ctx.actor, progress=ctx.progress)
    run = result.run
    target = ("membership.index", {"run": run.id})
    if result.duplicate_file:
        message, category = _l("This file was already imported as run %(id)s; nothing "
                               "changed.", id=run.id), "info"
    elif result.applied:
        message, category = _l(
            "Status of %(n)d participants recorded (%(older)d rows older than the status "
            "held were skipped); %(lapsed)d lapsed, %(reactivated)d reactivated.",
            n=result.updated, older=result.older, lapsed=result.lapsed,
            reactivated=result.reactivated), "success"
    else:
        message, category = _l("Nothing was imported: %(n)d problems. Download the report "
                               "of run %(id)s.", n=run.error_count, id=run.id), "error"
    return Done(Outcome.of(message, category, target))


@job_kind(LAPSE_JOB, _l("Daily lapse of memberships unpaid over 3 months"), _page)
def lapse(ctx: JobContext) -> Done:
    lapsed, reactivated = update_lapses(ctx.session, today=clock.today(), actor=ctx.actor)
    return Done(Outcome.of(_l("%(lapsed)d membership(s) lapsed, %(reactivated)d reactivated.",
                              lapsed=lapsed, reactivated=reactivated),
                           "warning" if lapsed else "success"))


def _downloaded(session, job: Job, actor) -> None:
    params, detail = json.loads(job.params), json.loads(job.output_detail or "{}")
    record_export_download(session, kind=params.get("kind"), purpose=params["purpose"],
                           file_name=job.output_name, sha256=job.output_sha256,
                           rows=detail.get("rows", 0), actor=actor)


@job_kind(EXPORT_JOB, _l("Membership differences (export)"), _page, EXPORT_ROLES,
          downloaded=_downloaded)
def export(ctx: JobContext) -> Done:
    params = ctx.params
    made = export_differences(ctx.session, fmt=params["format"], kind=params.get("kind"),
                              purpose=params["purpose"], actor=ctx.actor, today=clock.today())
    output = ctx.keep_output(made.content, made.file_name, made.mimetype, {"rows": made.rows})
    return Done(Outcome.of(_l("The list is ready: %(file)s (%(n)d participants).",
                              file=made.file_name, n=made.rows)), output)
