"""A DTSEN file checked by PostgreSQL a column at a time (falling back to the parsers at
any doubt), read once (each row checked while COPY stores the ones before it) and one
checked before it is written (SQLite: executemany after a first reading) end the same
way on both databases: the same rows, the same report, the same one audit
event, and nothing at all for the same file again. Each reading is forced on each
database, and every outcome is held to the same literal expectations."""
import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select

from models import DtsenRecord
from tests.test_imports import count, dtsen_rows, events, report_rows, run_import, write_csv
from workflows.imports import datasets


@pytest.fixture(params=["checked in SQL first", "read once", "checked first"])
def reading(request, monkeypatch, backend):
    if request.param == "checked in SQL first" and backend != "postgresql":
        pytest.skip("PostgreSQL checks a DTSEN file a column at a time (set_wise.py)")
    monkeypatch.setattr(datasets, "_checked_in_sql",
                        lambda session: request.param == "checked in SQL first")
    monkeypatch.setattr(datasets, "_reads_once", lambda session: request.param != "checked first")
    return request.param


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _diff(session, action, run) -> dict:
    [event] = events(session, action, run)
    return json.loads(event.diff)


def _stored(session, run) -> list[tuple]:
    return [tuple(r) for r in session.execute(
        select(DtsenRecord.nik, DtsenRecord.no_kk, DtsenRecord.nama, DtsenRecord.tanggal_lahir,
               DtsenRecord.jenis_kelamin, DtsenRecord.kode_kelurahan, DtsenRecord.desil)
        .where(DtsenRecord.dataset_id == run.id).order_by(DtsenRecord.nik))]


def test_late_problems_drop_the_rows_already_written(session, staff, tmp_path, reading):
    rows = dtsen_rows(30)
    rows[24][6] = "0"
    rows[27][0] = rows[1][0]
    rows[29][3] = "1899-12-31"
    path = write_csv(tmp_path / "salah.csv", rows)
    seen = []
    run = run_import(session, staff, path, progress=seen.append).run
    assert (run.status, run.row_count, run.error_count, seen[-1]) == ("rejected", 30, 3, 30)
    assert [(r["baris"], r["kolom"], r["nilai"], r["pesan"]) for r in report_rows(run)] == [
        ("26", "desil", "0", "desil must be a whole number from 1 to 10."),
        ("29", "nik", rows[1][0], "This NIK already appears in row 3."),
        ("31", "tanggal_lahir", "1899-12-31", "A birth date must lie between 1900 and today.")]
    assert count(session, DtsenRecord) == 0
    assert _diff(session, "import.rejected", run) == {
        "kind": "dtsen", "file_name": "salah.csv", "sha256": _sha256(path), "rows": 30,
        "as_of": "2026-01-15", "scope": "full", "errors": 3}
    assert not events(session, "import.applied", run)


def test_rows_event_repeat_and_merge_are_the_same(session, staff, tmp_path, reading):
    rows = dtsen_rows(4)
    rows[0][2], rows[1][3], rows[2][5] = "  Siti   Nur ", "31/12/1979", "32.75.01.1002"
    path = write_csv(tmp_path / "aktual.csv", rows)
    first = run_import(session, staff, path).run
    assert (first.status, first.row_count, first.error_count) == ("applied", 4, 0)
    assert _stored(session, first) == [
        (rows[0][0], rows[0][1], "Siti Nur", date(1990, 8, 5), "P", "3275011001", 2),
        (rows[1][0], rows[1][1], "Warga Uji 2", date(1979, 12, 31), "P", "3275011001", 3),
        (rows[2][0], rows[2][1], "Warga Uji 3", date(1990, 8, 5), "P", "3275011002", 4),
        (rows[3][0], rows[3][1], "Warga Uji 4", date(1990, 8, 5), "P", "3275011001", 5)]
    assert _diff(session, "import.applied", first) == {
        "kind": "dtsen", "file_name": "aktual.csv", "sha256": _sha256(path), "rows": 4,
        "as_of": "2026-01-15", "scope": "full"}

    again = run_import(session, staff, path, user="cw2", as_of=date(2026, 2, 1))
    assert again.duplicate_file and again.run.id == first.id
    assert count(session, DtsenRecord) == 4 and len(events(session, "import.applied",
                                                             first)) == 1

    update = dtsen_rows(1, start=2) + dtsen_rows(1, start=9)
    update[0][6] = "10"
    partial = run_import(session, staff, write_csv(tmp_path / "kelurahan.csv", update),
                         as_of=date(2026, 2, 1), scope="partial").run
    assert (partial.status, count(session, DtsenRecord, partial)) == ("applied", 5)
    assert {nik: desil for nik, *_, desil in _stored(session, partial)} == {
        rows[0][0]: 2, rows[1][0]: 10, rows[2][0]: 4, rows[3][0]: 5, update[1][0]: 10}
    diff = _diff(session, "import.applied", partial)
    assert (diff["rows"], diff["scope"], diff["based_on"], diff["kept"], diff["replaced"]) == (
        2, "partial", first.id, 3, 1)
