"""Reports as jobs: the page queues the request, a worker generates the file
(``report.generate``), and the person who asked downloads it once from the job's page
(``report.download``, destination "http", under the purpose they stated).

A decree annex of 10,000 names takes a worker 17-40 s; no request waits for it. The
request is refused before it is queued as the service would refuse it, and the
service checks it all again when the job runs (a role may be gone by then).
"""
import json

from caseapp.jobs.kinds import Done, JobContext, job_kind
from caseapp.jobs.starting import start_job
from caseapp.reports.builders import TITLES
from caseapp.reports.service import (ROLES, ReportFile, checked_request, generate,
                                     parse_params, record_download)
from models import Job
from workflows.actor import Actor
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l


def job_name(kind: str) -> str:
    return f"report.{kind}"


def queue_report(kind: str, fmt: str, raw: dict, purpose: str | None, *, actor: Actor) -> Job:
    """Refuses (NotAllowed, InvalidInput) what ``generate`` would refuse, queueing
    nothing; else the job."""
    params, purpose = checked_request(kind, fmt, raw, purpose, actor=actor)
    return start_job(job_name(kind), report_params(fmt, params, purpose))


def report_params(fmt: str, params: dict, purpose: str | None) -> dict:
    """What the job is queued with (dates as ISO text; parse_params reads them back)."""
    return {"format": fmt, "params": {k: str(v) for k, v in params.items()},
            "purpose": purpose}


def _reports_page(_params: dict) -> tuple[str, dict]:
    return "reports.index", {}


def _downloaded(session, job: Job, actor: Actor) -> None:
    record_download(session, ReportFile(**json.loads(job.output_detail)), actor=actor,
                    destination="http")


def _register(kind: str) -> None:
    @job_kind(job_name(kind), TITLES[kind], _reports_page, ROLES[kind], downloaded=_downloaded,
              counts=_l("Pages rendered:"))
    def run(ctx: JobContext) -> Done:
        queued = ctx.params
        result = generate(ctx.session, kind, queued["format"],
                          parse_params(kind, queued["params"]), actor=ctx.actor,
                          purpose=queued["purpose"], progress=ctx.progress)
        output = ctx.keep_output(result.content, result.file_name, result.mimetype,
                                 result.described())
        return Done(Outcome.of(_l("The report is ready: %(file)s.", file=result.file_name)),
                    output)


for _kind in ROLES:
    _register(_kind)
