"""Reconciling a paid batch with the BPJS bill or receipt (``nik, kpj, bulan, iuran,
status``; design.md, interchange files).

Two kinds of trouble, kept apart on purpose:
- a file that cannot be trusted (bad cells, a NIK and month twice, a month outside
  the batch, i.e. a file of another batch) is a rejected import run with its
  per-row report, and nothing about the batch changes;
- a sound file that disagrees with our batch is the point of reconciling: every
  difference goes into the batch's reconciliation report and the batch becomes
  "reconciled". Differences are findings for the caseworker, not file errors.
The same file twice is the same run (``run_import``) and changes nothing.
"""
import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, PaymentBatch, Role, Worker, clock
from reports.contributions import month_index, month_of
from workflows.actor import Actor
from workflows.audit import record
from workflows.contributions.bill import COLUMNS, BillRow, read_bill
from workflows.errors import InvalidTransition, NotAllowed
from workflows.imports.runs import ImportResult, run_import
from workflows.messages import lazy_gettext as _l

KIND = "bpjs_bill"
DIFFERENCES = {
    "not_in_batch": _l("In the BPJS file but not in this batch"),
    "missing_from_file": _l("In this batch but missing from the BPJS file"),
    "amount_differs": _l("The amount differs"),
    "kpj_differs": _l("The KPJ differs"),
    "unpaid_at_bpjs": _l("BPJS shows BELUM (unpaid) for a month we paid"),
}
REPORT_HEADER = ("selisih", "keterangan", "nik", "bulan", "kpj_bpjs", "kpj_kami", "iuran_bpjs",
                 "iuran_kami", "status_bpjs", "permohonan")


def reconcile(session: Session, stream, *, file_name: str, batch: PaymentBatch, actor: Actor,
              progress=None) -> ImportResult:
    """Check the BPJS file against ``batch``; a sound file leaves the list of differences."""
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers reconcile contribution batches."))
    session.refresh(batch, with_for_update=True)
    if batch.status == "generated":
        raise InvalidTransition(_l("Batch %(id)d is not paid yet; record its SP2D before "
                                   "reconciling it with BPJS.", id=batch.id))
    months = (month_index(batch.first_month), month_index(batch.first_month) + batch.months - 1)
    outcome = {}

    def apply(file, _run_id, problems) -> int:
        bill, rows = read_bill(file, file_name, months, problems, progress)
        if problems.count or not rows:
            return rows
        outcome["differences"] = _compare(session, batch, bill)
        return rows

    result = run_import(session, kind=KIND, stream=stream, file_name=file_name, actor=actor,
                        apply=apply, columns=COLUMNS, details={"payment_batch": batch.id})
    if result.applied:
        _settle(session, batch, outcome["differences"], result, actor)
    return result


def _compare(session: Session, batch: PaymentBatch, bill: dict[tuple[int, int], BillRow]
             ) -> list[tuple]:
    """Every difference between our months of ``batch`` and the file (consumes ``bill``)."""
    ours = session.execute(
        select(Worker.nik, ContributionMonth.month, ContributionMonth.amount, Application.kpj,
               Application.id)
        .join(Application, Application.id == ContributionMonth.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .where(ContributionMonth.payment_batch_id == batch.id)
        .order_by(Worker.nik, ContributionMonth.month)
        .execution_options(yield_per=10_000))
    found = []
    for nik, month, amount, kpj, application_id in ours:
        row = bill.pop((int(nik), month_index(month)), None)
        base = (nik, f"{month:%Y-%m}")
        if row is None:
            found.append(("missing_from_file", *base, "", kpj, "", amount, "", application_id))
            continue
        line = (*base, row.kpj, kpj, row.iuran, amount, row.status, application_id)
        if row.kpj != kpj:
            found.append(("kpj_differs", *line))
        if row.iuran != amount:
            found.append(("amount_differs", *line))
        if row.status == "BELUM":
            found.append(("unpaid_at_bpjs", *line))
    for (nik, index), row in sorted(bill.items()):
        found.append(("not_in_batch", f"{nik:016d}", f"{month_of(index):%Y-%m}", row.kpj, "",
                      row.iuran, "", row.status, ""))
    return found


def _report(differences: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_HEADER)
    for kind, *rest in differences:
        writer.writerow((kind, str(DIFFERENCES[kind]), *rest))
    return out.getvalue()


def _settle(session: Session, batch: PaymentBatch, differences: list[tuple],
            result: ImportResult, actor: Actor) -> None:
    counts = {kind: 0 for kind in DIFFERENCES}
    for difference in differences:
        counts[difference[0]] += 1
    before = batch.status
    batch.reconciliation_report = _report(differences)
    batch.status, batch.reconciled_at = "reconciled", clock.now()
    # Counts only: the report itself holds NIKs, which do not belong in the audit log.
    record(session, actor, "contributions.reconcile", entity=batch, diff={
        "status": [before, "reconciled"], "import_run": [None, result.run.id],
        "differences": [None, len(differences)],
        **{kind: [None, n] for kind, n in counts.items() if n}})

