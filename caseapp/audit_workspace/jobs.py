"""The auditor's chain walk as a job: the whole chain recomputed, then the signed
checkpoints, ending on the chain page (or at the first bad event) with the verdict."""
from caseapp.audit_keys import trusted_key
from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import Role
from reports.meta import read_chain_head
from workflows.audit import verify_chain
from workflows.audit.checkpoints import verify_checkpoints
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l

VERIFY_JOB = "audit.verify"


def _chain_page(_params: dict) -> tuple[str, dict]:
    return "audit.chain", {}


@job_kind(VERIFY_JOB, _l("Audit chain verification"), _chain_page, (Role.AUDITOR,))
def verify(ctx: JobContext) -> Done:
    ctx.progress.total = read_chain_head(ctx.session).seq
    verdict = verify_chain(ctx.session, progress=ctx.progress)
    if not verdict.ok:
        return Done(Outcome.of(_l("BROKEN at seq %(seq)d: %(problem)s",
                                  seq=verdict.first_bad_seq, problem=verdict.problem),
                               "error", ("audit.event", {"seq": verdict.first_bad_seq})))
    checkpoints = verify_checkpoints(ctx.session, trusted_key=trusted_key())
    if not checkpoints.ok:
        return Done(Outcome.of(_l("The chain is intact (%(n)d events) but the signed "
                                  "checkpoints do not hold: %(problem)s", n=verdict.events,
                                  problem=checkpoints.problem), "error", _chain_page({})))
    return Done(Outcome.of(_l("OK: audit chain intact, %(n)d events, head seq %(seq)d hash "
                              "%(hash)s; %(c)d signed checkpoint(s) hold.",
                              n=verdict.events, seq=verdict.head_seq, hash=verdict.head_hash,
                              c=checkpoints.checked), "success", _chain_page({})))
