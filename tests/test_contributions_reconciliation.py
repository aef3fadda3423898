"""Reconciling a paid batch with the BPJS bill: findings versus files that are refused."""
import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from models import AuditEvent, ImportRun
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import enrol
from tests.factories import make_budget
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.reconciliation import reconcile
from workflows.errors import InvalidTransition, NotAllowed

MARCH = date(2026, 3, 1)


@pytest.fixture
def paid_batch(session, staff):
    make_budget(session, staff["admin1"], places=4)
    enrol(session, staff, 4)
    batch = generate_contributions(session, first_month=MARCH, months=1, actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-R1", sp2d_date=date(2026, 3, 9),
                   invoice_number="INV-R1", actor=staff["cw1"])
    return batch


def _reconcile(session, staff, batch, stream, name="tagihan-bpjs.csv", actor="cw1"):
    return reconcile(session, stream, file_name=name, batch=batch, actor=staff[actor])


def _report(batch) -> list[dict]:
    return list(csv.DictReader(io.StringIO(batch.reconciliation_report)))


def _events(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_a_matching_file_reconciles_with_no_differences(session, staff, paid_batch):
    result = _reconcile(session, staff, paid_batch, bill_csv(matching_rows(session, paid_batch)))
    assert result.applied and result.run.kind == "bpjs_bill" and result.run.row_count == 4
    assert paid_batch.status == "reconciled" and paid_batch.reconciled_at is not None
    assert _report(paid_batch) == [] and paid_batch.reconciliation_report.startswith("selisih,")
    event = _events(session, "contributions.reconcile")
    assert len(event) == 1 and '"differences":[null,0]' in event[0].diff
    applied = [e for e in _events(session, "import.applied") if e.entity_id == str(result.run.id)]
    assert len(applied) == 1 and f'"payment_batch":{paid_batch.id}' in applied[0].diff


def test_every_kind_of_difference_is_listed(session, staff, paid_batch):
    same, wrong, unpaid, missing = matching_rows(session, paid_batch)
    stranger = ("3275014101900001", "26999999999", "2026-03", 16800, "LUNAS")
    rows = [same, (wrong[0], "11111111111", wrong[2], 15000, "LUNAS"),
            unpaid[:4] + ("BELUM",), stranger]
    result = _reconcile(session, staff, paid_batch, bill_csv(rows))
    assert result.applied and paid_batch.status == "reconciled"
    found = {(r["selisih"], r["nik"]) for r in _report(paid_batch)}
    assert found == {("kpj_differs", wrong[0]), ("amount_differs", wrong[0]),
                     ("unpaid_at_bpjs", unpaid[0]), ("missing_from_file", missing[0]),
                     ("not_in_batch", stranger[0])}
    amount = next(r for r in _report(paid_batch) if r["selisih"] == "amount_differs")
    assert (amount["iuran_bpjs"], amount["iuran_kami"], amount["kpj_kami"]) == (
        "15000", "16800", wrong[1])
    assert '"differences":[null,5]' in _events(session, "contributions.reconcile")[0].diff
    assert "3275" not in _events(session, "contributions.reconcile")[0].diff  # no NIKs logged


def test_the_same_file_twice_changes_nothing(session, staff, paid_batch):
    rows = matching_rows(session, paid_batch)[:3]
    first = _reconcile(session, staff, paid_batch, bill_csv(rows))
    report, seq = paid_batch.reconciliation_report, session.scalar(
        select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    again = _reconcile(session, staff, paid_batch, bill_csv(rows), name="lagi.csv")
    assert again.duplicate_file and not again.applied and again.run.id == first.run.id
    assert paid_batch.reconciliation_report == report
    assert session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) == seq


def _bad(rows, header="nik,kpj,bulan,iuran,status", encoding="utf-8"):
    return lambda good: bill_csv(rows(good), header=header, encoding=encoding)


BAD_FILES = {  # (the file from the good rows, the (row, column) problems, words of the first)
    "missing column": (_bad(lambda g: [r[:4] for r in g], header="nik,kpj,bulan,iuran"),
                       [("1", "status")], "missing"),
    "renamed column": (_bad(lambda g: g, header="nik,kpj,periode,iuran,status"),
                       [("1", "bulan")], "periode"),
    "NIK and month twice": (_bad(lambda g: g + [g[0]]), [("6", "nik")], "row 2"),
    "impossible month": (_bad(lambda g: [g[0][:2] + ("2026-13",) + g[0][3:]] + g[1:]),
                         [("2", "bulan")], "2026-13"),
    "negative amount": (_bad(lambda g: [g[0][:3] + (-16800, "LUNAS")] + g[1:]),
                        [("2", "iuran")], "above zero"),
    "amount not a number": (_bad(lambda g: [g[0][:3] + ("enam belas ribu", "LUNAS")] + g[1:]),
                            [("2", "iuran")], "whole rupiah"),
    "unknown status": (_bad(lambda g: [g[0][:4] + ("SEBAGIAN",)] + g[1:]),
                       [("2", "status")], "LUNAS or BELUM"),
    "cp1252 text": (_bad(lambda g: [r + ("Agustín",) for r in g],
                         header="nik,kpj,bulan,iuran,status,nama", encoding="cp1252"),
                    [("2", "")], "UTF-8"),
    "a month of another batch": (_bad(lambda g: g + [g[0][:2] + ("2026-04",) + g[0][3:]]),
                                 [("6", "bulan")], "another batch"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_an_unsound_file_is_rejected_with_a_report_and_nothing_applied(session, staff,
                                                                       paid_batch, case):
    make_file, expected, words = BAD_FILES[case]
    result = _reconcile(session, staff, paid_batch, make_file(matching_rows(session, paid_batch)))
    assert result.rejected and not result.applied
    problems = list(csv.DictReader(io.StringIO(result.run.error_report)))
    assert [(p["baris"], p["kolom"]) for p in problems] == expected
    assert words in problems[0]["pesan"], problems
    session.refresh(paid_batch)
    assert paid_batch.status == "paid" and paid_batch.reconciliation_report is None
    assert _events(session, "contributions.reconcile") == []
    assert len(_events(session, "import.rejected")) == 1


def test_an_xlsx_receipt_with_date_and_number_cells(session, staff, paid_batch):
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "KPJ", "Bulan", "Iuran", "Status"])
    for nik, kpj, _month, amount, status in matching_rows(session, paid_batch):
        sheet.append([nik, int(kpj), datetime(2026, 3, 1), amount, status.lower()])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    result = _reconcile(session, staff, paid_batch, data, name="kuitansi.xlsx")
    assert result.applied, result.run.error_report
    assert _report(paid_batch) == []


def test_only_paid_batches_and_caseworkers(session, staff, paid_batch):
    other = generate_contributions(session, first_month=date(2026, 4, 1), months=1,
                                   actor=staff["cw1"])
    with pytest.raises(InvalidTransition, match="SP2D"):
        _reconcile(session, staff, other, bill_csv([]))
    with pytest.raises(NotAllowed):
        _reconcile(session, staff, paid_batch, bill_csv([]), actor="audit1")
    assert session.scalar(select(ImportRun.id).where(ImportRun.kind == "bpjs_bill")) is None
