"""Import jobs: data aktual (DTSEN), other payers' lists and intake proposals."""
from datetime import date

from caseapp.jobs.kinds import Done, JobContext, job_kind
from models import Role
from workflows.imports.datasets import decide_held, import_dtsen, import_participants
from workflows.imports.intake import import_intake
from workflows.imports.runs import ImportResult
from workflows.jobs import Outcome
from workflows.messages import lazy_gettext as _l


def _home(_params: dict) -> tuple[str, dict]:
    return "imports.index", {}


def outcome_of(result: ImportResult) -> Outcome:
    """The import pages' message for a finished run, and the page listing it."""
    run, target = result.run, ("imports.index", {"run": result.run.id})
    if result.duplicate_file:
        return Outcome.of(_l("This file was already imported as run %(id)s; nothing changed.",
                             id=run.id), "info", target)
    if result.held:
        return Outcome.of(_l("Nothing was applied yet: run %(id)s would replace the whole data "
                             "aktual with a much smaller or narrower file. Confirm it, or "
                             "apply it as a partial update, below.", id=run.id), "warning",
                          target)
    if run.status == "applied":
        return Outcome.of(_l("Imported %(rows)d rows as run %(id)s.", rows=run.row_count,
                             id=run.id), "success", target)
    return Outcome.of(_l("Nothing was imported: %(n)d problems. Download the report of run "
                         "%(id)s.", n=run.error_count, id=run.id), "error", target)


@job_kind("import.dtsen", _l("DTSEN data aktual import"), _home, (Role.CASEWORKER, Role.ADMIN))
def dtsen(ctx: JobContext) -> Done:
    return _dataset(ctx, import_dtsen, scope=ctx.params.get("scope", "full"))


_DECIDED = {
    "full": _l("Import run %(id)s now replaces the whole data aktual."),
    "partial": _l("Import run %(id)s was merged into the data aktual as a partial update."),
    "cancel": _l("Import run %(id)s was cancelled; the data aktual did not change."),
}


@job_kind("import.dtsen_decision", _l("Decision on a held DTSEN import"), _home,
          (Role.CASEWORKER, Role.ADMIN))
def dtsen_decision(ctx: JobContext) -> Done:
    """A job: applying as partial copies the data aktual, up to a million rows."""
    params = ctx.params
    run = decide_held(ctx.session, params["run"], params["decision"], actor=ctx.actor)
    return Done(Outcome(_DECIDED[params["decision"]].template, {"id": run.id}, "success",
                        ("imports.index", {"run": run.id})))


@job_kind("import.participants", _l("Participants and other payers import"), _home,
          (Role.CASEWORKER, Role.ADMIN))
def participants(ctx: JobContext) -> Done:
    return _dataset(ctx, import_participants)


def _dataset(ctx: JobContext, verb, **options) -> Done:
    with ctx.open_input() as stream:
        result = verb(ctx.session, stream, file_name=ctx.job.file_name,
                      as_of=date.fromisoformat(ctx.params["as_of"]), actor=ctx.actor,
                      progress=ctx.progress, **options)
    return Done(outcome_of(result))


@job_kind("import.intake", _l("Intake proposals import"), _home, (Role.CASEWORKER,))
def intake(ctx: JobContext) -> Done:
    params = ctx.params
    with ctx.open_input() as stream:
        result = import_intake(ctx.session, stream, file_name=ctx.job.file_name,
                               channel=params["channel"], program_year=params["year"],
                               actor=ctx.actor, progress=ctx.progress)
    return Done(outcome_of(result))
