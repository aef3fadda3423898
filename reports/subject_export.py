"""Everything held about one NIK, for a data subject's access request (UU PDP
Pasal 32): the rows of every table concerning them (data.json, one key per table),
the audit events about them, the same as the auditor's "who accessed this worker"
(processing_trail.csv), and the document files. The subject need not be a registered
worker: DTSEN and participant lists and import problem reports hold people who never
applied, and the export then has those rows and the requests.

Read-only like every report: the caller reads the document files (each read is
audited and hash-checked there) and records the export. A test compares the keys
of data.json with the metadata, so a new table holding worker data or a NIK cannot be
left out silently. Other people's data is left out (Pasal 33): a decree's list is
reduced to this worker's entries, batch files are not included, a possible-duplicate
flag's text is included only where it names this worker, and an import problem
report only with its header and the lines quoting the NIK.
"""
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from sqlalchemy import exists, inspect, or_, select
from sqlalchemy.orm import Session

from models import (Application, ApplicationPartner, ApplicationTransition, AuditEvent,
                    BudgetLedger, Claim, ClaimDocument, Complaint, ContributionMonth,
                    DataSubjectRequest, Document, DtsenRecord, DuplicateFlag,
                    EligibilityEvaluation, ImportRun, MembershipExit, MembershipStatus,
                    NoticeConsent, ParticipantRecord, PaymentBatch, RefundLine,
                    RegistrationBatch, RegistrationItem, Worker, WorkerNotice, clock)
from models.clock import JAKARTA
from reports.archive import zip_archive
from reports.audit_trail import (decrees_naming, flags_about, nik_events, reports_quoting,
                                 requests_about, worker_events)
from reports.tables import Col, Sheet
from reports.xlsx import write_csv

LEGAL_BASIS = "UU No. 27 Tahun 2022 Pasal 32"
TRAIL_COLUMNS = (Col("seq", "int"), Col("time_wib", "datetime"), Col("actor"),
                 Col("actor_roles"), Col("action"), Col("entity_type"), Col("entity_id"),
                 Col("reason"), Col("fields"), Col("hash"))
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class SubjectData:
    data: dict
    documents: list[Document]
    trail: list[AuditEvent]
    generated_at: datetime


def _row(obj, **extra) -> dict:
    """Every column of ``obj`` (new columns come along without touching this module)."""
    return {**{attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs},
            **extra}


def _all(session: Session, statement) -> list:
    return list(session.execute(statement).scalars())


def document_path(document: Document) -> str:
    """The file's name in the ZIP: never the uploaded name, which is the user's text, and
    the admin-editable type code reduced to letters, digits, '-' and '_', so no name can
    leave documents/ when unpacked (no '/', '\\' or '..')."""
    code = _UNSAFE_IN_NAME.sub("-", document.document_type_code).strip("-")
    return f"documents/{document.id}-{code}{PurePath(document.stored_name).suffix}"


def _duplicate_flags(session: Session, worker: Worker, app_ids: list[int]) -> list[dict]:
    flags = _all(session, select(DuplicateFlag).where(flags_about(worker.id, app_ids))
                 .order_by(DuplicateFlag.id))
    rows = []
    for flag in flags:
        named = flag.other_worker_id == worker.id  # the text names the "other" worker
        row = _row(flag, side="named_in_flag" if named else "own_application")
        if not named:
            for key in ("detail", "other_worker_id", "other_application_id"):
                row.pop(key)
        rows.append(row)
    return rows


def _decrees(session: Session, app_ids: list[int], years: set[int]) -> list[dict]:
    """Decrees of the worker's years whose frozen lists name one of their applications,
    with only those entries (the rest of the list is other people)."""
    return [{"id": decree.id, "sk_number": decree.sk_number, "sk_date": decree.sk_date,
             "fiscal_year": decree.fiscal_year, "snapshot_sha256": decree.snapshot_sha256,
             "entries": entries}
            for decree, entries in decrees_naming(session, app_ids, years)]


def _by_nik(session: Session, model, nik: str) -> list[dict]:
    """Rows of an imported dataset (DTSEN, participants) with the dataset's date."""
    rows = session.execute(select(model, ImportRun.as_of, ImportRun.file_name)
                           .join(ImportRun, ImportRun.id == model.dataset_id)
                           .where(model.nik == nik)
                           .order_by(*model.__table__.primary_key.columns)).all()
    return [_row(record, dataset_as_of=as_of, dataset_file=name)
            for record, as_of, name in rows]


def holds_data_on(session: Session, nik: str) -> bool:
    """Whether an imported list or an import problem report holds the NIK (about
    someone who need not be a registered worker)."""
    return bool(session.scalar(select(or_(exists().where(DtsenRecord.nik == nik),
                                          exists().where(ParticipantRecord.nik == nik),
                                          exists().where(reports_quoting(nik))))))


def _quoting_lines(report: str, nik: str) -> str:
    """The report's header and the rows quoting the NIK, still CSV (read as CSV, so a
    quoted value spanning lines stays whole)."""
    header, *rows = csv.reader(io.StringIO(report))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([header, *(row for row in rows if any(nik in cell for cell in row))])
    return out.getvalue()


def _problem_reports(session: Session, nik: str) -> list[dict]:
    runs = _all(session, select(ImportRun).where(reports_quoting(nik)).order_by(ImportRun.id))
    return [{"id": run.id, "kind": run.kind, "file_name": run.file_name,
             "imported_at": run.imported_at, "status": run.status,
             "problem_report": _quoting_lines(run.error_report, nik)} for run in runs]


def collect_subject_data(session: Session, worker: Worker | None, *,
                         request: DataSubjectRequest) -> SubjectData:
    """What is held about the request's NIK, or about ``worker`` when one holds it
    (their current NIK, as the auditor's trail uses; without one, no case tables)."""
    nik = request.nik if worker is None else worker.nik
    applications = [] if worker is None else _all(session, select(Application).where(
        Application.worker_id == worker.id).order_by(Application.id))
    app_ids = [a.id for a in applications]

    def rows(model, column, order):
        return _all(session, select(model).where(column.in_(app_ids)).order_by(order))

    documents = rows(Document, Document.application_id, Document.id)
    registrations = session.execute(
        select(RegistrationItem, RegistrationBatch.batch_number, RegistrationBatch.status,
               RegistrationBatch.sent_at).join(RegistrationBatch)
        .where(RegistrationItem.application_id.in_(app_ids)).order_by(RegistrationItem.id)).all()
    months = session.execute(
        select(ContributionMonth, PaymentBatch.sp2d_number, PaymentBatch.sp2d_date)
        .outerjoin(PaymentBatch).where(ContributionMonth.application_id.in_(app_ids))
        .order_by(ContributionMonth.application_id, ContributionMonth.month)).all()
    worker_id = None if worker is None else worker.id

    def of_worker(model):
        return _all(session, select(model).where(model.worker_id == worker_id)
                    .order_by(model.id))

    claims = rows(Claim, Claim.application_id, Claim.id)
    complaints = _all(session, select(Complaint).where(or_(
        Complaint.nik == nik, Complaint.application_id.in_(app_ids))).order_by(Complaint.id))
    requests = _all(session, select(DataSubjectRequest).where(
        requests_about(nik, None if worker is None else worker.id))
        .order_by(DataSubjectRequest.id))
    generated_at = clock.now()
    data = {
        "export": {"legal_basis": LEGAL_BASIS, "request": request.id,
                   "generated_at": generated_at},
        "worker": None if worker is None else _row(worker),
        "application": [_row(a) for a in applications],
        "application_transition": [_row(t) for t in rows(
            ApplicationTransition, ApplicationTransition.application_id,
            ApplicationTransition.id)],
        "eligibility_evaluation": [_row(e, results=json.loads(e.results)) for e in rows(
            EligibilityEvaluation, EligibilityEvaluation.application_id,
            EligibilityEvaluation.id)],
        "dtsen_record": _by_nik(session, DtsenRecord, nik),
        "participant_record": _by_nik(session, ParticipantRecord, nik),
        "import_run": _problem_reports(session, nik),
        "duplicate_flag": [] if worker is None else _duplicate_flags(session, worker, app_ids),
        "document": [_row(d, file=document_path(d)) for d in documents],
        "budget_ledger": [_row(r) for r in rows(BudgetLedger, BudgetLedger.application_id,
                                                BudgetLedger.id)],
        "decree": _decrees(session, app_ids, {a.program_year for a in applications}),
        "registration_item": [_row(item, batch_number=number, batch_status=status,
                                   batch_sent_at=sent)
                              for item, number, status, sent in registrations],
        "contribution_month": [_row(month, sp2d_number=sp2d, sp2d_date=sp2d_date)
                               for month, sp2d, sp2d_date in months],
        "data_subject_request": [_row(r) for r in requests],
        # After enrolment (issue 15): status at BPJS, the exit and its refunds, claims
        # (the claim documents' rows; their files stay with the claims desk), notices,
        # the partner office a case came through, and complaints by NIK or case.
        "membership_status": [_row(r) for r in of_worker(MembershipStatus)],
        "membership_exit": [_row(r) for r in rows(MembershipExit, MembershipExit.application_id,
                                                  MembershipExit.id)],
        "refund_line": [_row(r) for r in rows(RefundLine, RefundLine.application_id,
                                              RefundLine.id)],
        "claim": [_row(c) for c in claims],
        "claim_document": [_row(d) for d in _all(session, select(ClaimDocument).where(
            ClaimDocument.claim_id.in_([c.id for c in claims])).order_by(ClaimDocument.id))],
        "notice_consent": [_row(c) for c in of_worker(NoticeConsent)],
        "worker_notice": [_row(n) for n in rows(WorkerNotice, WorkerNotice.application_id,
                                                WorkerNotice.id)],
        "application_partner": [_row(p) for p in rows(
            ApplicationPartner, ApplicationPartner.application_id,
            ApplicationPartner.application_id)],
        "complaint": [_row(c) for c in complaints],
    }
    # The same events as the auditor's "who accessed this worker".
    events = nik_events(session, nik) if worker is None else worker_events(session, worker)
    trail = _all(session, events.order_by(AuditEvent.seq))
    return SubjectData(data=data, documents=documents, trail=trail,
                       generated_at=generated_at)


def trail_csv(events: list[AuditEvent]) -> bytes:
    """Who did what to the worker's records and when; diffs give field names only (their
    values are masked in the log and would mean nothing to the reader)."""
    return write_csv(Sheet("processing_trail", TRAIL_COLUMNS, (
        (e.seq, e.occurred_at, e.actor_name, e.actor_roles, e.action, e.entity_type,
         e.entity_id, e.reason, " ".join(sorted(json.loads(e.diff))), e.hash)
        for e in events)))


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def build_zip(subject: SubjectData, files: dict[int, bytes]) -> bytes:
    """data.json, processing_trail.csv and the documents (``files`` by document id)."""
    members = {"data.json": json.dumps(subject.data, default=_json_value, ensure_ascii=False,
                                       indent=2).encode("utf-8"),
               "processing_trail.csv": trail_csv(subject.trail)}
    members.update({document_path(d): files[d.id] for d in subject.documents})
    return zip_archive(members, subject.generated_at.astimezone(JAKARTA))
