"""Reading an import run's problem report, authorised by the run itself.

The report quotes the rejected rows' values (NIKs, names, KPJs). Who may read it
depends on what was imported, not on the page the link sits on: the same run id
typed into another page's URL must get the same answer.
"""
import csv
import io
import itertools

from sqlalchemy.orm import Session

from models import ImportRun, Role
from workflows.actor import Actor
from workflows.audit.access import record_read
from workflows.errors import NotAllowed
from workflows.messages import lazy_gettext as _l

_CASEWORK = (Role.CASEWORKER.value,)
READERS = {"dtsen": _CASEWORK, "participants": _CASEWORK, "intake": _CASEWORK,
           "bpjs_bill": _CASEWORK,
           "bpjs_response": (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value),
           "bpjs_status": (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)}


def read_problem_report(session: Session, run: ImportRun, *, actor: Actor,
                        purpose: str | None) -> str:
    """The CSV text, after an audited bulk read with its stated purpose."""
    if not actor.has_role(*READERS[run.kind]):
        raise NotAllowed(_l("Your role may not read the problem report of this import."))
    record_read(session, actor, "import.report_download", entity=run, purpose=purpose,
                bulk=True)
    return run.error_report


def first_problems(run: ImportRun, limit: int) -> list[dict]:
    """The report's first ``limit`` rows as dicts (baris, kolom, nilai, pesan), for a
    page or a terminal to show; the caller decides who sees which columns."""
    return list(itertools.islice(csv.DictReader(io.StringIO(run.error_report or "")), limit))
