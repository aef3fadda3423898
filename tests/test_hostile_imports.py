"""Hostile uploads are refused with a message, quickly, without holding the database:
a zip bomb, a header of 100,000 columns, one huge header field, a huge shared string,
too many rows. Each writes nothing but its refusal, and another user signs in while
one is being read."""
import io
import threading
import time
import zipfile
from dataclasses import replace

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from caseapp.extensions import db
from models import AuditEvent, DtsenRecord, ImportRun
from tests.conftest import committed_app
from tests.factories import reference_and_staff
from tests.helpers import csrf_token, login
from tests.test_imports import DTSEN_HEADER, dtsen_rows, report_rows, run_import, write_csv
from workflows.imports import datasets, spreadsheet

SHEET = "xl/worksheets/sheet1.xml"


def _xlsx_with(path, rows, *, sheet_tail=b"", shared=None):
    """An XLSX from openpyxl, its sheet padded with ``sheet_tail`` (blank rows) or a cell
    holding one shared string ``shared``, rewritten the way a hand-made bomb would be."""
    workbook = Workbook()
    for row in [DTSEN_HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = data.replace(b"</sheetData>", sheet_tail + b"</sheetData>")
                if shared is not None:
                    data = data.replace(b"</sheetData>", b'<row r="%d"><c r="C%d" t="s"><v>0'
                                        b"</v></c></row></sheetData>" % ((len(rows) + 2,) * 2))
            target.writestr(item.filename, data)
        if shared is not None:
            target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats'
                            b'.org/spreadsheetml/2006/main"><si><t>' + shared + b"</t></si></sst>")
    return path


def _zip_bomb(path):
    """Blank rows that inflate to 64 MB from a file of well under one."""
    return _xlsx_with(path, dtsen_rows(1), sheet_tail=b"<row/>" * ((64 << 20) // 6))


def _wide_csv(path):
    """The header of 100,000 columns that took 115 s to check for duplicates."""
    return write_csv(path, [], header=DTSEN_HEADER + [f"x{i}" for i in range(100_000)])


def _huge_header_field(path):
    """A header field over csv's own field limit (131,072) gave a 500."""
    return write_csv(path, dtsen_rows(1), header=DTSEN_HEADER + ["x" * 131_073])


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough that a test builds a file beyond them in a moment."""
    limits = replace(spreadsheet._limits, inflated_bytes=32 << 20,
                     shared_strings_bytes=1 << 20, rows=5)
    monkeypatch.setattr(spreadsheet, "_limits", limits)
    return limits


def _refused(session, run, message):
    assert run.status == "rejected"
    assert [r["pesan"] for r in report_rows(run)] == [message]
    assert session.scalar(select(func.count()).select_from(DtsenRecord)) == 0
    assert session.execute(select(AuditEvent.action).where(
        AuditEvent.entity_type == "import_run", AuditEvent.entity_id == str(run.id))
    ).scalars().all() == ["import.rejected"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(session, staff, tmp_path, small_limits):
    path = _zip_bomb(tmp_path / "bom.xlsx")
    assert path.stat().st_size < 1 << 20
    started = time.monotonic()
    run = run_import(session, staff, path).run
    assert time.monotonic() - started < 5
    _refused(session, run, "The XLSX file unpacks to 64 MB, more than the 32 MB this "
                           "application reads. Remove empty rows and columns, or save it as "
                           "CSV UTF-8.")


def test_a_huge_shared_string_is_refused_before_it_is_loaded(session, staff, tmp_path,
                                                              small_limits):
    run = run_import(session, staff, _xlsx_with(tmp_path / "teks.xlsx", dtsen_rows(1),
                                                 shared=b"x" * (2 << 20))).run
    assert run.status == "rejected" and "unpacks to" in report_rows(run)[0]["pesan"]


def test_a_long_cell_is_refused(session, staff, tmp_path):
    rows = dtsen_rows(2)
    rows[1][2] = "x" * 1_001
    run = run_import(session, staff, write_csv(tmp_path / "sel.csv", rows)).run
    _refused(session, run, "Row 3 has a cell longer than 1000 characters.")


def test_a_header_of_100000_columns_is_refused_at_once(session, staff, tmp_path):
    started = time.monotonic()
    run = run_import(session, staff, _wide_csv(tmp_path / "lebar.csv")).run
    assert time.monotonic() - started < 5
    _refused(session, run, "The header row is longer than 100300 characters.")


def test_too_many_columns_and_duplicates_are_named(session, staff, tmp_path):
    wide = run_import(session, staff, write_csv(
        tmp_path / "kolom.csv", [], header=DTSEN_HEADER + [f"x{i}" for i in range(94)])).run
    assert report_rows(wide)[0]["pesan"] == ("The header has 101 columns; at most 100 are "
                                             "read. Remove the empty or extra columns.")
    twice = run_import(session, staff, write_csv(
        tmp_path / "ganda.csv", dtsen_rows(1), header=DTSEN_HEADER + ["nama", "nama"])).run
    assert [r["pesan"] for r in report_rows(twice)] == ["Column nama appears more than once."] * 2


def test_a_header_field_over_csvs_own_limit_is_a_refusal_not_a_500(session, staff, tmp_path):
    run = run_import(session, staff, _huge_header_field(tmp_path / "kepala.csv")).run
    _refused(session, run, "The header row is longer than 100300 characters.")


def test_a_data_field_over_csvs_own_limit_is_a_refusal(session, staff, tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "_limits", replace(spreadsheet._limits, columns=200))
    rows = dtsen_rows(1) + [["x" * 140_000]]
    run = run_import(session, staff, write_csv(tmp_path / "isi.csv", rows)).run
    assert run.status == "rejected"
    assert report_rows(run)[0]["pesan"].startswith("The CSV file is malformed: field larger")


def test_more_rows_than_allowed_are_refused(session, staff, tmp_path, small_limits):
    run = run_import(session, staff, write_csv(tmp_path / "baris.csv", dtsen_rows(6))).run
    _refused(session, run, "The file has more than 5 data rows. Split it into smaller files.")
    assert run_import(session, staff, write_csv(tmp_path / "lima.csv", dtsen_rows(5))
                      ).run.status == "applied"


# --- the server stays responsive: a real SQLite file, real connections -----------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with committed_app("sqlite", tmp_path_factory.mktemp("hostile"), "hostile",
                       reference_and_staff) as app:
        yield app


@pytest.mark.parametrize("build", [_zip_bomb, _wide_csv], ids=["zip-bomb", "wide-csv"])
def test_another_user_signs_in_while_a_hostile_file_is_read(live, tmp_path, small_limits,
                                                           monkeypatch, build):
    """The upload is held inside the reading of its file until the sign-in is done: a
    sign-in that waited for the import's lock (or failed with 'database is locked')
    fails this test."""
    reading, signed_in, outcome = threading.Event(), threading.Event(), {}
    open_table = spreadsheet.open_table

    def slow_open_table(*args, **kwargs):
        reading.set()
        signed_in.wait(timeout=20)
        return open_table(*args, **kwargs)

    monkeypatch.setattr(datasets, "open_table", slow_open_table)
    path = build(tmp_path / "serang.bin")
    uploader = live.test_client()
    login(uploader, "cw1")
    token = csrf_token(uploader, "/imports/")

    def upload():
        with path.open("rb") as handle:
            outcome["upload"] = uploader.post("/imports/dtsen", data={
                "csrf_token": token, "as_of": "2026-01-15", "file": (handle, path.name)})

    thread = threading.Thread(target=upload)
    thread.start()
    assert reading.wait(timeout=20), outcome
    started = time.monotonic()
    response = login(live.test_client(), "cw2")
    took = time.monotonic() - started
    signed_in.set()
    thread.join(timeout=60)
    assert response.status_code == 302 and took < 5
    assert outcome["upload"].status_code == 302
    with live.app_context():
        run = db.session.execute(select(ImportRun).order_by(ImportRun.id.desc())).scalar()
        assert run.status == "rejected" and run.file_name == path.name
        assert db.session.scalar(select(func.count()).select_from(DtsenRecord)) == 0
        assert db.session.execute(select(AuditEvent.action).where(
            AuditEvent.entity_type == "import_run", AuditEvent.entity_id == str(run.id))
        ).scalars().all() == ["import.rejected"]
