"""Bulk intake from kelurahan and partner spreadsheets: all or nothing, idempotent,
each row through the intake verbs, with a downloadable per-row report."""
import csv
import io

from sqlalchemy import func, select

from models import Application, AuditEvent, ImportRun, Worker
from tests.helpers import csrf_token, job_result, login
from workflows.imports.intake import COLUMNS, import_intake

GOOD = [
    ["3275014502900101", "3275010101000101", "Siti Aminah", "Bekasi", "1990-02-05", "P",
     "Jl. Melati 3", "1", "4", "3275011002", "081298765432", "pedagang", "PKL", "1800000"],
    ["3275071208850102", "3275070101000102", "Joko Susilo", "Brebes", "12/08/1985", "L",
     "Jl. Cikiwul 7", "002", "003", "32.75.07.1004", "", "pekerja_lepas", "ojek pangkalan",
     "2500000"],
]


def _file(rows, header=COLUMNS) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _import(session, staff, rows, **kwargs):
    return import_intake(session, _file(rows, **kwargs), file_name="usulan.csv",
                         channel="kelurahan", program_year=2026, actor=staff["cw1"])


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_good_file_registers_workers_and_drafts(session, staff):
    result = _import(session, staff, GOOD)
    assert result.applied and result.run.row_count == 2
    joko = session.execute(select(Worker).where(Worker.nik == GOOD[1][0])).scalar_one()
    assert joko.kelurahan_code == "3275071004" and joko.rt == "002" and joko.phone is None
    application = session.execute(select(Application).where(
        Application.worker_id == joko.id)).scalar_one()
    assert (application.state, application.intake_channel) == ("draft", "kelurahan")
    assert session.execute(select(AuditEvent.action).where(
        AuditEvent.entity_type == "import_run",
        AuditEvent.entity_id == str(result.run.id))).scalars().all() == ["import.applied"]


def test_the_same_file_twice_changes_nothing(session, staff):
    _import(session, staff, GOOD)
    workers, events = _count(session, Worker), _count(session, AuditEvent)
    again = _import(session, staff, GOOD)
    assert again.duplicate_file and not again.applied
    assert (_count(session, Worker), _count(session, AuditEvent)) == (workers, events)


def test_one_bad_row_applies_nothing_and_the_report_names_each_problem(session, staff):
    bad_birth = GOOD[1][:4] + ["13/08/1985"] + GOOD[1][5:]  # NIK says 12 August
    unknown_kelurahan = [GOOD[0][0][:-1] + "9"] + GOOD[0][1:9] + ["3275999999"] + GOOD[0][10:]
    workers = _count(session, Worker)
    result = _import(session, staff, [GOOD[0], bad_birth, unknown_kelurahan,
                                      GOOD[0][:13] + ["sejuta"]])
    assert result.rejected and result.run.error_count == 3
    assert _count(session, Worker) == workers
    report = list(csv.DictReader(io.StringIO(result.run.error_report)))
    assert [r["baris"] for r in report] == ["3", "4", "5"]
    assert "1985-08-12" in report[0]["pesan"]
    assert "3275999999" in report[1]["pesan"]
    assert report[2]["kolom"] == "penghasilan_bulanan"


def test_a_nik_already_registered_and_a_missing_column_are_reported(session, staff):
    _import(session, staff, GOOD[:1])
    again = _import(session, staff, [GOOD[0]])  # another file content? same rows -> same hash
    assert again.duplicate_file
    second = _import(session, staff, [GOOD[0], GOOD[1]])
    assert second.rejected and "Siti Aminah" in second.run.error_report
    missing = _import(session, staff, [row[:-1] for row in GOOD], header=COLUMNS[:-1])
    assert missing.rejected and "penghasilan_bulanan" in missing.run.error_report


def test_cli_intake_import(app, session, tmp_path):
    path = tmp_path / "usulan.csv"
    path.write_bytes(_file(GOOD).getvalue())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["intake", "import", str(path), "--as", "cw1",
                                 "--channel", "partner", "--year", "2026"])
    assert result.exit_code == 0 and "imported 2 rows" in result.output
    refused = runner.invoke(args=["intake", "import", str(path), "--as", "audit1"])
    assert refused.exit_code == 1


def test_upload_page_imports_and_offers_the_report(client, session):
    login(client, "cw1")
    token = csrf_token(client, "/imports/")
    bad = _file([GOOD[0][:4] + ["31/02/1990"] + GOOD[0][5:]])
    response = client.post("/imports/intake", data={
        "csrf_token": token, "channel": "kelurahan", "year": "2026",
        "file": (bad, "usulan.csv")}, content_type="multipart/form-data")
    run = session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)).scalar_one()
    assert run.status == "rejected"
    result = job_result(client, response)
    assert result == f"/imports/?run={run.id}"
    page = client.get(result).get_data(as_text=True)
    assert f"/imports/{run.id}/report.csv" in page
    assert f"Tidak ada data yang diimpor: 1 masalah. Unduh laporan proses impor {run.id}." in page
    report = client.post(f"/imports/{run.id}/report.csv", data={
        "csrf_token": csrf_token(client, "/imports/"), "purpose": "Memperbaiki usulan kelurahan"})
    assert report.status_code == 200 and report.data.startswith(b"\xef\xbb\xbfbaris,kolom")
    assert session.execute(select(AuditEvent).where(
        AuditEvent.action == "import.report_download")).scalars().first() is not None


def test_upload_page_refuses_the_auditor(client):
    login(client, "audit1")
    assert client.get("/imports/").status_code == 403
