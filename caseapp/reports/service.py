"""Generating a report, the one path the web page and ``flask report`` share.

Order matters: role check; read the audit chain head and every figure in one
transaction; end that transaction (the PDF can take seconds and must not hold
SQLite's write lock or a PostgreSQL snapshot open); render; then record
``report.generate`` naming the chain head printed in the footer and the file's
SHA-256, so a printed copy can be matched to its event. Delivering the file (HTTP
download or the CLI's output file) is a second event, ``report.download``. The
caller commits once. On the web a job generates the report and the download comes
later (caseapp/reports/jobs.py): the job keeps the report's ``ReportFile`` to record
it then, and ``checked_request`` refuses a bad request before it is queued.

Reports holding personal data are reads of it (UU PDP Pasal 31): their
``report.generate`` carries the read mark, and the decree annex, which lists
every worker of a decree, is refused before any work without a stated purpose.
"""
import hashlib
from dataclasses import dataclass, fields
from datetime import date
from typing import Callable

from sqlalchemy import select

from caseapp.database import reading
from caseapp.claims import report_builders as claims_desk
from caseapp.reports import builders, city_builders, city_exports, exports
from models import Role, User
from reports.meta import PERSONAL_DATA, ChainHead, read_chain_head
from workflows.actor import Actor
from workflows.audit import record
from workflows.audit.access import checked_purpose, record_read, stated_purpose
from workflows.errors import InvalidInput, NotAllowed
from workflows.messages import lazy_gettext as _l

_ALL = (Role.HEAD.value, Role.AUDITOR.value, Role.CASEWORKER.value, Role.ADMIN.value)
# Aggregates for every office role; personal data (annex, case file) and the audit
# log only for those who work with it.
ROLES = {"program": _ALL,
         "budget": (Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value),
         "decree": (Role.HEAD.value, Role.AUDITOR.value),
         "audit": (Role.AUDITOR.value,),
         "case": (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value),
         # The city's reports (issue 15): the by-name list for those who work with people's
         # data; the budget as the budget report; the aggregates for every office role.
         "city_participants": (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value),
         "city_budget": (Role.HEAD.value, Role.AUDITOR.value, Role.ADMIN.value),
         "city_coverage": _ALL, "city_inpres": _ALL}
# Papers the caseworker at the desk hands to the worker (receipt, membership letter):
# one page each, made in the request from the case page (caseapp/cases/printouts.py),
# never queued from the Reports page.
PRINTOUT_ROLES = {"receipt": (Role.CASEWORKER.value,), "letter": (Role.CASEWORKER.value,),
                  "claim_letter": (Role.CASEWORKER.value,)}  # from the claim page
# The claims desk's report of claims paid per year (caseapp/claims): masked participants.
ROLES["claims"] = (Role.CASEWORKER.value, Role.HEAD.value, Role.AUDITOR.value)
FORMATS = {"program": ("pdf", "xlsx"), "budget": ("pdf", "xlsx"),
           "decree": ("pdf", "xlsx", "csv"), "audit": ("pdf", "xlsx"), "case": ("pdf",),
           "receipt": ("pdf",), "letter": ("pdf",),
           "claims": ("pdf", "xlsx"), "claim_letter": ("pdf",),
           **dict.fromkeys(city_builders.KINDS, ("pdf", "xlsx"))}
MIMETYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True, kw_only=True)
class ReportFile:
    """A generated report as its events name it: what recording its download needs,
    kept by a report job until the file is taken."""

    kind: str
    fmt: str
    file_name: str
    sha256: str
    entity_type: str
    entity_id: str
    purpose: str | None = None

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.fmt]

    def described(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(ReportFile)}


@dataclass(frozen=True, kw_only=True)
class Generated(ReportFile):
    content: bytes
    head: ChainHead


def _date(value, label) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(_l("%(field)s is not a date (YYYY-MM-DD).", field=label))


def parse_params(kind: str, raw: dict) -> dict:
    """Validated parameters of ``kind`` from form or command-line values."""
    if kind in ("program", "audit"):
        first, last = _date(raw.get("from"), _l("From")), _date(raw.get("to"), _l("To"))
        if last < first or (last - first).days > MAX_PERIOD_DAYS:
            raise InvalidInput(_l("The period must end after it starts and span at most "
                                  "three years."))
        return {"from": first, "to": last}
    if kind == "budget":
        try:
            return {"year": int(str(raw.get("year", "")).strip())}
        except ValueError:
            raise InvalidInput(_l("The budget year is not a number."))
    if kind == "decree":
        sk_number = str(raw.get("sk_number") or "").strip()
        if not sk_number:
            raise InvalidInput(_l("Give the SK number of the decree."))
        return {"sk_number": sk_number}
    if kind in city_builders.KINDS:
        return city_builders.parse_params(kind, raw)
    if kind in claims_desk.KINDS:
        return claims_desk.parse_params(kind, raw)
    if kind in ("case", *PRINTOUT_ROLES):
        try:
            return {"application_id": int(str(raw.get("application_id", "")).strip())}
        except ValueError:
            raise InvalidInput(_l("The application number is not a number."))
    raise InvalidInput(_l("Unknown report."))


def may_generate(actor: Actor, kind: str) -> bool:
    return actor.has_role(*(ROLES.get(kind) or PRINTOUT_ROLES.get(kind, ())))


def _allowed(kind: str, fmt: str, actor: Actor, purpose: str | None) -> str | None:
    """The format, the role and the purpose, refused before any work; the purpose."""
    if fmt not in FORMATS.get(kind, ()):
        raise InvalidInput(_l("This report is not available in that format."))
    if not may_generate(actor, kind):
        raise NotAllowed(_l("Your role may not generate this report."))
    personal = PERSONAL_DATA.get(kind)
    return checked_purpose(purpose) if personal == "bulk" else stated_purpose(purpose)


def checked_request(kind: str, fmt: str, raw: dict, purpose: str | None, *,
                    actor: Actor) -> tuple[dict, str | None]:
    """A report request as the page sends it, refused as ``generate`` would refuse it
    (in the same order: kind, parameters, format, role, purpose): the parameters and
    purpose to queue it with. ``generate`` checks them again when the job runs."""
    if kind not in ROLES:
        raise NotAllowed(_l("Unknown report."))
    params = parse_params(kind, raw)
    return params, _allowed(kind, fmt, actor, purpose)


def generate(session, kind: str, fmt: str, params: dict, *, actor: Actor,
             purpose: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> Generated:
    """``progress`` hears (pages done, pages) where the renderer knows them."""
    purpose = _allowed(kind, fmt, actor, purpose)
    with reading():  # on SQLite the figures are read without the write lock
        full_name = session.scalar(select(User.full_name).where(User.id == actor.user_id))
        generated_by = f"{full_name} ({actor.name})" if full_name else actor.name
        head = read_chain_head(session)
        build = ({**builders.BUILDERS, **city_builders.BUILDERS} if fmt == "pdf" else
                 {**exports.EXPORTS, **city_exports.EXPORTS})[kind]
        prepared = build(session, params, fmt=fmt, head=head, generated_by=generated_by)
        session.rollback()  # the read transaction ends here; nothing was written
    content = prepared.finish(progress)
    entity_type, entity_id = prepared.entity
    result = Generated(kind=kind, fmt=fmt, content=content,
                       file_name=f"{prepared.file_stem}.{fmt}",
                       sha256=hashlib.sha256(content).hexdigest(), head=head,
                       entity_type=entity_type, entity_id=entity_id, purpose=purpose)
    detail = {"report": kind, "format": fmt,
              "parameters": {k: str(v) for k, v in params.items()},
              "file_name": result.file_name, "bytes": len(content), "sha256": result.sha256,
              "chain_head_seq": head.seq, "chain_head_hash": head.hash}
    _record_report_event(session, actor, "report.generate", result, detail)
    return result


def record_download(session, result: ReportFile, *, actor: Actor, destination: str) -> None:
    """The file left the system: to a browser (``destination`` "http") or a path (CLI);
    for a report holding personal data a read under the purpose stated for it."""
    detail = {"report": result.kind, "format": result.fmt, "file_name": result.file_name,
              "sha256": result.sha256, "destination": destination}
    _record_report_event(session, actor, "report.download", result, detail)


def _record_report_event(session, actor: Actor, action: str, result: ReportFile,
                         detail: dict) -> None:
    """A report with personal data is a read (marked, with its purpose); others are not."""
    where = {"entity_type": result.entity_type, "entity_id": result.entity_id}
    personal = PERSONAL_DATA.get(result.kind)
    if personal:
        record_read(session, actor, action, **where, purpose=result.purpose,
                    bulk=personal == "bulk", detail=detail)
    else:
        record(session, actor, action, **where,
               diff={key: [None, value] for key, value in detail.items()})
