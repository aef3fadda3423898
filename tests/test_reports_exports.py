"""Spreadsheet and CSV exports: typed cells, neutralised formulas, the same figures."""
import io
from datetime import date, datetime

from openpyxl import load_workbook

from models import Application
from reports.tables import Col, Sheet
from reports.xlsx import write_csv, write_xlsx
from tests.factories import enrol, make_budget, make_verified
from tests.report_helpers import diff_of, flat, pdf_pages, report_events, run_report, sha256
from workflows.approval import approve_batch
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_cells_are_typed_and_formulas_neutralised():
    sheet = Sheet("Uji", [Col("teks"), Col("angka", "int"), Col("uang", "money"),
                          Col("tanggal", "date"), Col("waktu", "datetime")],
                  [("=1+1", 7, 16800, date(2026, 2, 1), datetime(2026, 1, 1, 17, 30)),
                   ("+62 812", "8", None, None, None), ("-2", 0, 1, None, None),
                   ("@SUM(A1)", 1, 1, None, None), ("\t=cmd", 1, 1, None, None),
                   ("Siti", 1, 1, None, None)])
    ws = _book(write_xlsx([sheet], [("Laporan", "uji")]))["Uji"]
    assert [c.value for c in ws["A"]][1:] == ["'=1+1", "'+62 812", "'-2", "'@SUM(A1)",
                                              "'\t=cmd", "Siti"]
    assert all(c.data_type == "s" for c in ws["A"])
    assert ws["B2"].value == 7 and ws["B3"].value == 8 and ws["B2"].data_type == "n"
    assert ws["C2"].value == 16800 and ws["C2"].number_format == "#,##0" and ws["C3"].value is None
    assert ws["D2"].is_date and ws["D2"].value == datetime(2026, 2, 1)
    # Time stamps are written in Bekasi time (UTC+7): spreadsheets have no time zones.
    assert ws["E2"].is_date and ws["E2"].value == datetime(2026, 1, 2, 0, 30)
    csv_text = write_csv(sheet).decode("utf-8-sig").splitlines()
    assert csv_text[0] == "teks,angka,uang,tanggal,waktu"
    assert csv_text[1] == "'=1+1,7,16800,2026-02-01,2026-01-02 00:30:00"
    assert csv_text[4].startswith("'@SUM(A1)")


def test_decree_export_lists_both_lists_as_typed_cells(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=1)
    tricky = make_verified(session, staff["cw1"], staff["cw2"], desil=1,
                           full_name="=SUM(A1:A9) Siti")
    other = make_verified(session, staff["cw1"], staff["cw2"], desil=2)
    decree = approve_batch(session, fiscal_year=2026, application_ids=[tricky.id, other.id],
                           sk_number="SK-XLSX-1", sk_date=date(2026, 1, 5), actor=staff["head"])
    session.commit()
    content = run_report(app, ["decree", "SK-XLSX-1", "--as", "head",
                                 "--purpose", "Arsip lampiran keputusan"], tmp_path / "sk.xlsx")
    book = _book(content)
    ws = book.worksheets[0]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    first, second = rows
    assert first[1] == 1 and first[2] == tricky.id and isinstance(first[2], int)
    assert first[3] == session.get(Application, tricky.id).worker.nik  # text: leading digits kept
    assert first[4] == "'=SUM(A1:A9) Siti"
    assert first[9] == 16_800 * 12 and second[9] is None and second[1] == 2
    info = dict(book["Info"].iter_rows(values_only=True))
    assert decree.snapshot_sha256 in info.values()
    event = report_events(session, "report.generate")[-1]
    assert diff_of(event)["format"] == "xlsx" and diff_of(event)["sha256"] == sha256(content)
    csv_content = run_report(app, ["decree", "SK-XLSX-1", "--as", "head",
                                 "--purpose", "Arsip lampiran keputusan"], tmp_path / "sk.csv")
    assert csv_content.decode("utf-8-sig").count("\n") == 3


def test_budget_export_has_months_as_dates_and_the_payment_references(
        app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=2)
    enrol(session, staff, coverage_start=date(2026, 2, 1))
    batch = generate_contributions(session, first_month=date(2026, 2, 1), months=3,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-0042/2026", sp2d_date=date(2026, 2, 20),
                   invoice_number="INV-BPJS-7", actor=staff["cw1"])
    session.commit()
    book = _book(run_report(app, ["budget", "--year", "2026", "--as", "admin1"],
                            tmp_path / "b.xlsx"))
    months = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [m[0] for m in months] == [datetime(2026, n, 1) for n in range(1, 13)]
    february = months[1]
    assert february[1:4] == (1, 16_800, 16_800) and "SP2D-0042/2026" in february[7]
    assert months[4][3] == 0 and months[3][6] == 3 * 16_800  # paid to date after April
    batches = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert batches[0][6:9] == ("SP2D-0042/2026", datetime(2026, 2, 20), "INV-BPJS-7")
    assert batches[0][4] == 3 * 16_800
    pdf = run_report(app, ["budget", "--year", "2026", "--as", "admin1"], tmp_path / "b.pdf")
    text = flat(" ".join(pdf_pages(pdf)))
    assert "SP2D SP2D-0042/2026" in text and "INV-BPJS-7" in text and "Rp50.400" in text


def test_audit_export_streams_every_event_of_the_period(app, session, staff, tmp_path):
    make_budget(session, staff["admin1"], places=1)
    session.commit()
    book = _book(run_report(app, ["audit", "--from", "2025-06-01", "--to", "2027-12-31",
                                  "--as", "audit1"], tmp_path / "a.xlsx"))
    shown = diff_of(report_events(session, "report.generate")[-1])["chain_head_seq"]
    events = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert [e[0] for e in events] == list(range(1, shown + 1))
    assert isinstance(events[0][1], datetime) and events[-1][5] == "budget.open"
    by_action = dict(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert by_action["budget.open"] == 1 and sum(by_action.values()) == shown
