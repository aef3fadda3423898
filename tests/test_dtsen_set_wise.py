"""PostgreSQL's column-at-a-time check of a DTSEN CSV (workflows/imports/set_wise.py)
stores exactly what the parsers would, and leaves every file it cannot vouch for to them
with nothing stored: where COPY and csv.reader might split a row differently, and every
value the SQL does not accept though the parsers may."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import DtsenRecord, ImportRun
from tests.test_imports import DTSEN_HEADER, dtsen_rows, run_import, write_csv, write_xlsx
from workflows.imports import partitions, set_wise
from workflows.imports.datasets import DTSEN


@pytest.fixture(autouse=True)
def postgres_only(backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no COPY: its files are always read by the parsers")


def _load(session, path, progress=None):
    """What set_wise makes of the file: (rows or None, the rows stored)."""
    run = ImportRun(kind="dtsen", file_name=path.name, sha256="0" * 64, row_count=0,
                    error_count=0, status="rejected")
    session.add(run)
    session.flush()
    target = partitions.new_table(session.connection(), run.id)
    with path.open("rb") as file:
        rows = set_wise.load(session, DTSEN, target, run.id, file, path.name, progress)
    stored = session.execute(
        select(DtsenRecord.nik, DtsenRecord.no_kk, DtsenRecord.nama, DtsenRecord.tanggal_lahir,
               DtsenRecord.jenis_kelamin, DtsenRecord.kode_kelurahan, DtsenRecord.desil)
        .where(DtsenRecord.dataset_id == run.id).order_by(DtsenRecord.nik)).all()
    assert rows is None or session.scalar(
        select(func.count()).select_from(DtsenRecord).where(DtsenRecord.dataset_id == run.id)
    ) == rows
    return rows, [tuple(r) for r in stored]


def test_what_the_parsers_would_store(session, tmp_path):
    rows = dtsen_rows(5)
    rows[0][2] = "  Siti   Nur "  # spaces made one and trimmed
    rows[1][2] = 'Nur "Ani", S.Pd'  # quoted, with a comma and quotes
    rows[2][3] = "31/12/1979"  # not ISO: the birth dates go through a joined table
    rows[3][5] = "32.75.01.1002"  # a dotted kelurahan code
    rows[4][4] = "l"
    path = tmp_path / "baik.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM, ";" and CRLF
        import csv
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(
            [[*DTSEN_HEADER, "catatan"], *[[*r, "x"] for r in rows]])
    told = []
    assert _load(session, path, told.append) == (5, [
        (rows[0][0], rows[0][1], "Siti Nur", date(1990, 8, 5), "P", "3275011001", 2),
        (rows[1][0], rows[1][1], 'Nur "Ani", S.Pd', date(1990, 8, 5), "P", "3275011001", 3),
        (rows[2][0], rows[2][1], "Warga Uji 3", date(1979, 12, 31), "P", "3275011001", 4),
        (rows[3][0], rows[3][1], "Warga Uji 4", date(1990, 8, 5), "P", "3275011002", 5),
        (rows[4][0], rows[4][1], "Warga Uji 5", date(1990, 8, 5), "L", "3275011001", 6)])
    assert told == sorted(told) and len(set(told)) > 1 and told[-1] < 5  # the caller ends it


def _written(path, lines: list[str]):
    path.write_text(",".join(DTSEN_HEADER) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = ",".join(dtsen_rows(1)[0])
SECOND = ",".join(dtsen_rows(1, start=2)[0])


@pytest.mark.parametrize("lines", [
    # csv.reader reads a quote inside a field as text, COPY as the start of a quoted part
    [SECOND.replace("Warga Uji 2", 'Warga "Uji, 2"')],
    [GOOD, "\\.", SECOND],  # a lone \. ends a COPY, not a csv file
    [GOOD, "", SECOND],  # a blank row: skipped by the parsers, refused by COPY
    [GOOD.replace("Warga Uji 1", "Warga\u00a0Uji")],  # white space the SQL does not fold
    [GOOD.replace("3275014508900001", "0275014508900001")],  # a NIK starting with 0
    [GOOD.replace("3275014508900001", " 3275014508900001")],
    [GOOD, GOOD],  # a NIK twice
    [GOOD.replace(",Warga Uji 1,", ",,")],  # no name
    [GOOD.replace("Warga Uji 1", "W" * 201)],
    [GOOD.replace(",1990-08-05,", ",1899-12-31,")],
    [GOOD.replace(",3275011001,", ",32750110,")],
    [GOOD + ",", SECOND],  # one row wider than the header
    [GOOD[:-2]],  # one row narrower
    [GOOD.replace("3275014508900001", "+275014508900001")],
    [GOOD.replace("Warga Uji 1", "Warga" + " " * 1000 + "Uji")],  # a cell over the limit
], ids=["quote in a field", "end marker", "blank row", "nbsp", "leading zero", "space",
        "twice", "no name", "long name", "old birth", "short code", "wide row", "short row",
        "sign", "long cell"])
def test_files_it_cannot_vouch_for_are_left_to_the_parsers(session, tmp_path, lines):
    """Each after a row written just as it is stored, so one doubtful row must be seen
    among good ones."""
    clean = ",".join(dtsen_rows(1, start=3)[0])
    assert _load(session, _written(tmp_path / "ragu.csv", [clean, *lines])) == (None, [])


def test_a_file_written_as_stored_is_copied_straight_in(session, tmp_path):
    rows = dtsen_rows(3)
    assert _load(session, write_csv(tmp_path / "rapi.csv", rows)) == (3, [
        (r[0], r[1], r[2], date(1990, 8, 5), "P", "3275011001", int(r[6])) for r in rows])
    rows[2][2] = "Warga  Uji 3 "  # valid, but stored otherwise: typed by the INSERT
    _, stored = _load(session, write_csv(tmp_path / "spasi.csv", rows))
    assert [name for _, _, name, *_ in stored] == ["Warga Uji 1", "Warga Uji 2", "Warga Uji 3"]


def test_a_long_cell_in_a_column_no_one_reads(session, tmp_path):
    path = tmp_path / "panjang.csv"
    write_csv(path, [[*dtsen_rows(1)[0], "x" * 1001]], header=[*DTSEN_HEADER, "catatan"])
    assert _load(session, path) == (None, [])
    write_csv(path, [[*dtsen_rows(1)[0], "x" * 1000]], header=[*DTSEN_HEADER, "catatan"])
    assert _load(session, path)[0] == 1


def test_a_line_break_quoted_in_the_header(session, tmp_path):
    """csv reads the header as one line, COPY's HEADER skips one whole record."""
    path = tmp_path / "kepala.csv"
    path.write_text(",".join(DTSEN_HEADER[:-1]) + ',"desil\n"\n' + GOOD + "\n" + SECOND + "\n",
                    encoding="utf-8")
    assert _load(session, path) == (None, [])


def test_cells_right_of_the_header_s_last_name(session, tmp_path):
    """Empty header cells at its end do not make room for values."""
    path = _written(tmp_path / "lebih.csv", [GOOD + ",", SECOND + ",x"])
    path.write_text(path.read_text().replace("desil\n", "desil,\n", 1), encoding="utf-8")
    assert _load(session, path) == (None, [])
    path.write_text(path.read_text().replace(",x\n", ",\n"), encoding="utf-8")
    assert _load(session, path)[0] == 2


def test_a_line_longer_than_the_parsers_read(session, tmp_path):
    """93 more columns of 1,000 characters each, every one written as doubled quotes:
    each cell is within its limit, the line is not."""
    extra = [f"x{i}" for i in range(93)]
    cell = '"' + '""' * 1000 + '"'
    path = tmp_path / "lebar.csv"
    path.write_text(",".join([*DTSEN_HEADER, *extra]) + "\n" +
                    ",".join([GOOD, *[cell] * 93]) + "\n", encoding="utf-8")
    assert _load(session, path) == (None, [])


def test_an_xlsx_is_left_to_the_parsers(session, tmp_path):
    assert _load(session, write_xlsx(tmp_path / "a.xlsx", dtsen_rows(2))) == (None, [])


def test_a_file_left_to_the_parsers_is_still_applied_by_them(session, staff, tmp_path):
    path = _written(tmp_path / "nol.csv", [GOOD, "", SECOND.replace("3275014508900002",
                                                                    "0275014508900002")])
    run = run_import(session, staff, path).run
    assert (run.status, run.row_count) == ("applied", 2)
    assert session.scalars(select(DtsenRecord.nik).where(DtsenRecord.dataset_id == run.id)
                           .order_by(DtsenRecord.nik)).all() == [
        "0275014508900002", "3275014508900001"]
