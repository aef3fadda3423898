"""DTSEN and participants imports: real files on disk, both databases, verbs and CLI.

A good file becomes one applied, audited, dated dataset; the same file again
changes nothing; any bad input leaves no rows and a rejected run whose report
names the row and column.
"""
import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models import AuditEvent, DtsenRecord, ImportRun, ParticipantRecord, clock
from workflows.errors import NotAllowed
from workflows.imports import datasets, runs
from workflows.imports.datasets import current_dataset, import_dtsen, import_participants

DTSEN_HEADER = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "kode_kelurahan",
                "desil"]
PARTICIPANT_HEADER = ["nik", "nama", "sumber"]


def dtsen_rows(n=3, start=1):
    return [[f"32750145089{i:05d}", f"32750101011{i:05d}", f"Warga Uji {i}", "1990-08-05",
             "P", "3275011001", str(i % 10 + 1)] for i in range(start, start + n)]


def write_csv(path, rows, header=DTSEN_HEADER, *, delimiter=",", encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([header, *rows])
    return path


def write_xlsx(path, rows, header=DTSEN_HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(session, staff, path, *, kind="dtsen", user="cw1", as_of=date(2026, 1, 15),
               **kwargs):
    verb = import_dtsen if kind == "dtsen" else import_participants
    with path.open("rb") as stream:
        return verb(session, stream, file_name=path.name, as_of=as_of, actor=staff[user],
                    **kwargs)


def count(session, model, run=None):
    query = select(func.count()).select_from(model)
    if run is not None:
        query = query.where(model.dataset_id == run.id)
    return session.scalar(query)


def events(session, action, run):
    return session.execute(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity_type == "import_run",
        AuditEvent.entity_id == str(run.id))).scalars().all()


def report_rows(run):
    return list(csv.DictReader(io.StringIO(run.error_report)))


def test_a_valid_csv_becomes_an_audited_dated_dataset(session, staff, tmp_path):
    rows = dtsen_rows(3)
    rows[1][5] = "32.75.01.1001"
    seen = []
    result = run_import(session, staff, write_csv(tmp_path / "dtsen.csv", rows),
                        progress=seen.append)
    run = result.run
    assert result.applied and not result.duplicate_file and run.status == "applied"
    assert (run.kind, run.row_count, run.error_count, run.as_of) == ("dtsen", 3, 0,
                                                                     date(2026, 1, 15))
    assert count(session, DtsenRecord, run) == 3 and seen[-1] == 3
    stored = session.execute(select(DtsenRecord).where(
        DtsenRecord.dataset_id == run.id, DtsenRecord.nik == rows[1][0])).scalar_one()
    assert (stored.no_kk, stored.nama, stored.tanggal_lahir, stored.jenis_kelamin,
            stored.kode_kelurahan, stored.desil) == (rows[1][1], "Warga Uji 2",
                                                     date(1990, 8, 5), "P", "3275011001", 3)
    [event] = events(session, "import.applied", run)
    diff = json.loads(event.diff)
    assert diff["rows"] == 3 and diff["file_name"] == "dtsen.csv"
    assert diff["sha256"] == run.sha256 and len(run.sha256) == 64
    assert diff["as_of"] == "2026-01-15" and event.actor_name == "cw1"
    assert not any(r[0] in event.diff or r[2] in event.diff for r in rows)
    assert current_dataset(session, "dtsen").id == run.id


def test_csv_with_bom_semicolons_and_day_first_dates(session, staff, tmp_path):
    rows = dtsen_rows(2)
    rows[0][3] = "31/12/1979"
    path = write_csv(tmp_path / "excel.csv", rows, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfnik;")
    run = run_import(session, staff, path).run
    assert run.status == "applied" and count(session, DtsenRecord, run) == 2
    born = session.scalar(select(DtsenRecord.tanggal_lahir).where(
        DtsenRecord.dataset_id == run.id, DtsenRecord.nik == rows[0][0]))
    assert born == date(1979, 12, 31)


def test_xlsx_with_a_real_excel_date_cell(session, staff, tmp_path):
    rows = dtsen_rows(2)
    rows[0][3] = datetime(1985, 3, 4)
    rows[1][6] = 7  # a number cell for desil is fine; NIKs stay text
    path = write_xlsx(tmp_path / "dtsen.xlsx", rows)
    assert load_workbook(path).active["D2"].is_date
    run = run_import(session, staff, path).run
    assert run.status == "applied", run.error_report
    stored = {r.nik: r for r in session.execute(select(DtsenRecord).where(
        DtsenRecord.dataset_id == run.id)).scalars()}
    assert stored[rows[0][0]].tanggal_lahir == date(1985, 3, 4)
    assert stored[rows[1][0]].desil == 7


def test_participants_import(session, staff, tmp_path):
    rows = [["3275014508900001", "Ani", "bpjs_aktif"], ["3275010101800002", "Budi", "CSR"]]
    run = run_import(session, staff, write_csv(tmp_path / "p.csv", rows, PARTICIPANT_HEADER),
                     kind="participants").run
    assert run.status == "applied" and run.kind == "participants"
    assert sorted(session.execute(select(ParticipantRecord.sumber).where(
        ParticipantRecord.dataset_id == run.id)).scalars()) == ["BPJS_AKTIF", "CSR"]
    assert len(events(session, "import.applied", run)) == 1


def test_the_same_file_twice_changes_nothing(session, staff, tmp_path):
    path = write_csv(tmp_path / "dtsen.csv", dtsen_rows(4))
    first = run_import(session, staff, path).run
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    runs = count(session, ImportRun)
    again = run_import(session, staff, path, user="cw2", as_of=date(2026, 2, 1))
    assert again.duplicate_file and not again.applied and again.run.id == first.id
    assert count(session, DtsenRecord) == 4 and count(session, ImportRun) == runs
    assert session.scalar(select(func.max(AuditEvent.seq))) == seq


def _pdf(path):
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n\xe2\xe3\xcf\xd3\ntrailer\n")
    return path


def _broken_xlsx(path):
    write_xlsx(path, dtsen_rows(3))
    path.write_bytes(path.read_bytes()[:300])
    return path


def _cp1252(path):
    rows = dtsen_rows(3)
    rows[1][2] = "Renée Sitompul"
    return write_csv(path / "a.csv", rows, encoding="cp1252")


def _shifted(path):
    rows = dtsen_rows(4)
    rows[1] = rows[1] + ["Bekasi"]  # what "Warga, Bekasi" without quotes turns into
    return write_csv(path / "a.csv", rows)


def _rows_with(changes, n=4):
    rows = dtsen_rows(n)
    for (index, column), value in changes.items():
        rows[index][DTSEN_HEADER.index(column)] = value
    return rows


# name -> (builder(tmp_path) -> path, [(baris, kolom)], words in the message)
BAD_FILES = {
    "short NIK": (lambda p: write_csv(p / "a.csv", _rows_with({(1, "nik"): "327501450890"})),
                  [("3", "nik")], "16 digits"),
    "NIK saved as an Excel number": (
        lambda p: write_csv(p / "a.csv", _rows_with({(0, "nik"): "3.27501E+15"})),
        [("2", "nik")], "Text"),
    "NIK as a number cell in XLSX": (
        lambda p: write_xlsx(p / "a.xlsx", _rows_with({(2, "no_kk"): 3275010101100003})),
        [("4", "no_kk")], "Text"),
    "impossible date": (lambda p: write_csv(p / "a.csv", _rows_with(
        {(2, "tanggal_lahir"): "2024-02-30"})), [("4", "tanggal_lahir")], "2024-02-30"),
    "desil 11": (lambda p: write_csv(p / "a.csv", _rows_with({(3, "desil"): "11"})),
                 [("5", "desil")], "1 to 10"),
    "several bad rows": (lambda p: write_csv(p / "a.csv", _rows_with(
        {(0, "jenis_kelamin"): "X", (2, "kode_kelurahan"): "32750110", (3, "nama"): " "})),
        [("2", "jenis_kelamin"), ("4", "kode_kelurahan"), ("5", "nama")], ""),
    "duplicated NIK": (lambda p: write_csv(p / "a.csv", _rows_with(
        {(3, "nik"): dtsen_rows(1)[0][0]})), [("5", "nik")], "row 2"),
    "unquoted comma shifts a row": (_shifted, [("3", "")], "quotes"),
    "missing column": (lambda p: write_csv(p / "a.csv", [r[:6] for r in dtsen_rows()],
                                           DTSEN_HEADER[:6]), [("1", "desil")], "missing"),
    "renamed columns": (lambda p: write_csv(p / "a.csv", dtsen_rows(), ["NIK", "nomor_kk",
                        "nama", "tgl_lahir", "jenis_kelamin", "kode_kelurahan", "desil"]),
                        [("1", "no_kk"), ("1", "tanggal_lahir")], "nomor_kk"),
    "cp1252 CSV": (_cp1252, [("3", "")], "CSV UTF-8"),
    "PDF renamed .csv": (lambda p: _pdf(p / "daftar.csv"), [("", "")], "PDF"),
    "broken XLSX": (lambda p: _broken_xlsx(p / "a.xlsx"), [("", "")], "damaged"),
    "header only": (lambda p: write_csv(p / "a.csv", []), [("", "")], "no data rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_input_leaves_no_rows_and_a_rejected_run(session, staff, tmp_path, case):
    build, expected, words = BAD_FILES[case]
    result = run_import(session, staff, build(tmp_path))
    run = result.run
    assert not result.applied and result.rejected and run.id is not None
    assert count(session, DtsenRecord) == 0
    report = report_rows(run)
    assert run.error_count == len(report) == len(expected)
    assert [(r["baris"], r["kolom"]) for r in report] == expected
    assert words in report[0]["pesan"]
    [event] = events(session, "import.rejected", run)
    assert json.loads(event.diff)["errors"] == run.error_count
    assert current_dataset(session, "dtsen") is None


def test_unknown_sumber_is_rejected(session, staff, tmp_path):
    rows = [["3275014508900001", "Ani", "BPJS_AKTIF"], ["3275010101800002", "Budi", "PEMDA"]]
    run = run_import(session, staff, write_csv(tmp_path / "p.csv", rows, PARTICIPANT_HEADER),
                     kind="participants").run
    assert run.status == "rejected" and count(session, ParticipantRecord) == 0
    [problem] = report_rows(run)
    assert (problem["baris"], problem["kolom"], problem["nilai"]) == ("3", "sumber", "PEMDA")


def test_report_values_cannot_run_as_excel_formulas(session, staff, tmp_path):
    header = [" NIK ", "Nama", "SUMBER "]  # header cells are trimmed and lower-cased
    rows = [["=HYPERLINK(\"http://x\")", "Ani", "CSR"]]
    run = run_import(session, staff, write_csv(tmp_path / "p.csv", rows, header),
                     kind="participants").run
    [problem] = report_rows(run)
    assert problem["kolom"] == "nik" and problem["nilai"].startswith("'=HYPERLINK")


def test_a_late_bad_row_rolls_back_rows_already_written(session, staff, tmp_path):
    rows = dtsen_rows(datasets.SQLITE_CHUNK + 10)
    rows[-1][6] = "0"
    run = run_import(session, staff, write_csv(tmp_path / "big.csv", rows)).run
    assert run.status == "rejected" and run.row_count == len(rows)
    assert count(session, DtsenRecord) == 0
    assert [r["baris"] for r in report_rows(run)] == [str(len(rows) + 1)]


def test_every_problem_is_counted_but_the_report_is_capped(session, staff, tmp_path,
                                                           monkeypatch):
    monkeypatch.setattr(runs, "REPORT_LIMIT", 2)
    rows = dtsen_rows(5)
    for row in rows:
        row[4] = "?"
    run = run_import(session, staff, write_csv(tmp_path / "x.csv", rows)).run
    assert run.error_count == 5 and [r["baris"] for r in report_rows(run)] == ["2", "3"]


def test_an_auditor_cannot_import(session, staff, tmp_path):
    runs = count(session, ImportRun)
    with pytest.raises(NotAllowed):
        run_import(session, staff, write_csv(tmp_path / "d.csv", dtsen_rows()), user="audit1")
    assert count(session, ImportRun) == runs and count(session, DtsenRecord) == 0


def test_current_dataset_is_the_latest_as_of_then_the_newest(session, staff, tmp_path):
    march = run_import(session, staff, write_csv(tmp_path / "m.csv", dtsen_rows(2)),
                       as_of=date(2026, 3, 1)).run
    run_import(session, staff, write_csv(tmp_path / "j.csv", dtsen_rows(2, start=10)),
               as_of=date(2026, 1, 1))
    rows = dtsen_rows(1, start=20)
    rows[0][6] = "11"
    rejected = run_import(session, staff, write_csv(tmp_path / "r.csv", rows),
                          as_of=date(2026, 6, 1)).run
    assert rejected.status == "rejected"
    assert current_dataset(session, "dtsen").id == march.id
    again = run_import(session, staff, write_csv(tmp_path / "m2.csv", dtsen_rows(2, start=30)),
                       as_of=date(2026, 3, 1)).run
    assert current_dataset(session, "dtsen").id == again.id
    assert current_dataset(session, "participants") is None


def test_cli_imports_once_and_reports_a_repeat(app, session, tmp_path):
    path = write_csv(tmp_path / "dtsen.csv", dtsen_rows(3))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dtsen", "import", str(path), "--as", "cw1",
                                 "--as-of", "2026-02-01"])
    assert result.exit_code == 0, result.output
    run = current_dataset(session, "dtsen")
    assert f"imported 3 rows as run #{run.id}" in result.output
    assert run.as_of == date(2026, 2, 1) and count(session, DtsenRecord, run) == 3
    again = runner.invoke(args=["dtsen", "import", str(path), "--as", "cw2"])
    assert again.exit_code == 0 and f"already imported as run #{run.id}" in again.output
    assert count(session, DtsenRecord) == 3


def test_cli_participants_import_defaults_as_of_to_today(app, session, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["3275014508900001", "Ani", "MANDIRI"]],
                     PARTICIPANT_HEADER)
    result = app.test_cli_runner().invoke(args=["participants", "import", str(path),
                                                "--as", "admin1"])
    assert result.exit_code == 0, result.output
    assert current_dataset(session, "participants").as_of == clock.today()


def test_cli_rejection_exits_1_and_keeps_the_report(app, session, tmp_path):
    rows = dtsen_rows(3)
    rows[1][3] = "2024-02-30"
    path = write_csv(tmp_path / "dtsen.csv", rows)
    result = app.test_cli_runner().invoke(args=["dtsen", "import", str(path), "--as", "cw1"])
    assert result.exit_code == 1
    run = session.execute(select(ImportRun).where(ImportRun.file_name == "dtsen.csv")
                          ).scalar_one()
    assert run.status == "rejected" and count(session, DtsenRecord) == 0
    assert "row 3, tanggal_lahir [2024-02-30]" in result.output
    assert f"stored with import run #{run.id}" in result.output


def test_cli_refuses_an_auditor_and_an_unknown_file(app, session, tmp_path):
    runner = app.test_cli_runner()
    path = write_csv(tmp_path / "dtsen.csv", dtsen_rows())
    runs = count(session, ImportRun)
    result = runner.invoke(args=["dtsen", "import", str(path), "--as", "audit1"])
    assert result.exit_code == 1 and "petugas" in result.output
    assert count(session, ImportRun) == runs
    missing = runner.invoke(args=["dtsen", "import", str(tmp_path / "none.csv"), "--as", "cw1"])
    assert missing.exit_code == 2
