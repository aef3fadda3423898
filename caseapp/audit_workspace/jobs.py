"""The auditor's long work as jobs: the chain walk (the whole chain recomputed, then
the signed checkpoints, ending on the chain page or at the first bad event with the
verdict), and the evidence pack of a case (a ZIP the auditor downloads once from the
job's page)."""
import json

from caseapp.audit_keys import trusted_key
from caseapp.audit_workspace.evidence_pack import build_evidence_pack, record_pack_download
from caseapp.database import reading
from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import Job, Role
from reports.meta import read_chain_head
from workflows.audit import verify_chain
from workflows.audit.checkpoints import verify_checkpoints
from workflows.errors import NotAllowed
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l

VERIFY_JOB = "audit.verify"
EVIDENCE_PACK_JOB = "audit.evidence_pack"


def _chain_page(_params: dict) -> tuple[str, dict]:
    return "audit.chain", {}


@job_kind(VERIFY_JOB, _l("Audit chain verification"), _chain_page, (Role.AUDITOR,))
def verify(ctx: JobContext) -> Done:
    if not ctx.actor.has_role(Role.AUDITOR):  # the role may have gone while it waited
        raise NotAllowed(_l("Only auditors verify the audit chain."))
    # A read-only walk of the whole chain: on SQLite it takes no write lock (everyone
    # else keeps writing), and its transaction ends before the job's end is written.
    with reading():
        ctx.progress.total = read_chain_head(ctx.session).seq
        verdict = verify_chain(ctx.session, progress=ctx.progress)
        checkpoints = (verify_checkpoints(ctx.session, trusted_key=trusted_key())
                       if verdict.ok else None)
        ctx.session.commit()
    if not verdict.ok:
        return Done(Outcome.of(_l("BROKEN at seq %(seq)d: %(problem)s",
                                  seq=verdict.first_bad_seq, problem=verdict.problem),
                               "error", ("audit.event", {"seq": verdict.first_bad_seq})))
    if not checkpoints.ok:
        return Done(Outcome.of(_l("The chain is intact (%(n)d events) but the signed "
                                  "checkpoints do not hold: %(problem)s", n=verdict.events,
                                  problem=checkpoints.problem), "error", _chain_page({})))
    return Done(Outcome.of(_l("OK: audit chain intact, %(n)d events, head seq %(seq)d hash "
                              "%(hash)s; %(c)d signed checkpoint(s) hold.",
                              n=verdict.events, seq=verdict.head_seq, hash=verdict.head_hash,
                              c=checkpoints.checked), "success", _chain_page({})))


def _pack_page(params: dict) -> tuple[str, dict]:
    return "audit.evidence_pack", {"application_id": params["application_id"]}


def _pack_downloaded(session, job: Job, actor) -> None:
    params = json.loads(job.params)
    record_pack_download(session, application_id=params["application_id"],
                         purpose=params["purpose"], file_name=job.output_name,
                         sha256=job.output_sha256, actor=actor, destination="http")


@job_kind(EVIDENCE_PACK_JOB, _l("Evidence pack of a case"), _pack_page, (Role.AUDITOR,),
          downloaded=_pack_downloaded)
def evidence_pack(ctx: JobContext) -> Done:
    params = ctx.params
    pack = build_evidence_pack(ctx.session, params["application_id"], params["purpose"],
                               actor=ctx.actor)
    output = ctx.keep_output(pack.content, pack.file_name, "application/zip")
    return Done(Outcome.of(_l("The evidence pack is ready: %(file)s.", file=pack.file_name)),
                output)
