"""How fast a DTSEN extract imports (the city's extract is on the order of a million rows).

Usage: python bench/dtsen_import.py [ROWS] [DATABASE_URL | postgres]
Writes ROWS (default 1,000,000) synthetic but well-formed rows to a temporary CSV
(NIKs built from Kota Bekasi kecamatan codes, birth date and sex; families of 1-6
sharing a KK and a desil), imports them into a throwaway database (a temp SQLite
file by default; with a PostgreSQL URL or the word ``postgres`` a database named
caseapp_bench_dtsen is created on that server and dropped afterwards) and prints
rows, seconds and rows/s. Generation time is printed apart and not counted.

On PostgreSQL the same run first COPYs the same file into a bare table of the same
columns (the reference of issue 16: "within 5x of COPY") and into a dataset's own
table of dtsen_record, then attaches it (what storing the rows costs with the primary
key and the foreign key; rolled back), and prints the import's time as a
multiple of each: the machine is shared, so only ratios from one run compare.
"""
import csv
import multiprocessing
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from caseapp import create_app  # noqa: E402
from caseapp.config import normalise_database_url  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from models import clock  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.imports.datasets import import_dtsen  # noqa: E402
from workflows.imports.partitions import partition_name  # noqa: E402
from workflows.reference_data import KOTA_BEKASI  # noqa: E402

BENCH_DB = "caseapp_bench_dtsen"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GIVEN = {"L": ("Agus", "Budi", "Rudi", "Ahmad", "Eko", "Dedi", "Asep", "Hendra", "Joko", "Iwan"),
         "P": ("Siti", "Dewi", "Sri", "Nur", "Ani", "Rina", "Yuli", "Wati", "Lestari", "Fitri")}
FAMILY = ("Saputra", "Hidayat", "Lubis", "Siregar", "Wijaya", "Rahmawati", "Nasution",
          "Kurniawan", "Sembiring", "Pratama", "Susanti", "Simanjuntak", "Setiawan", "Hasibuan")
HEADER = ("nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "kode_kelurahan", "desil")


def _nik(kecamatan: str, born: date, sex: str, serials: dict) -> str:
    """Kemendagri layout: kecamatan code, DDMMYY (women's day + 40), 4-digit serial."""
    day = born.day + (40 if sex == "P" else 0)
    key = f"{kecamatan}{day:02d}{born:%m%y}"
    serials[key] = serials.get(key, 0) + 1
    return f"{key}{serials[key]:04d}"


def write_rows(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    codes = [(kec, kec + suffix) for kec, (_, kel) in KOTA_BEKASI.items() for suffix in kel]
    niks, kks = {}, {}
    epoch = date(1955, 1, 1)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        while written < rows:
            kecamatan, kelurahan = rng.choice(codes)
            issued = epoch + timedelta(days=rng.randrange(365 * 68))
            kk = _nik(kecamatan, issued, "L", kks)
            desil = min(10, 1 + int(rng.expovariate(0.35)))
            surname = rng.choice(FAMILY)
            for _ in range(min(rng.randint(1, 6), rows - written)):
                sex = rng.choice("LP")
                born = epoch + timedelta(days=rng.randrange(365 * 70))
                out.writerow((_nik(kecamatan, born, sex, niks), kk,
                              f"{rng.choice(GIVEN[sex])} {surname}", born.isoformat(), sex,
                              kelurahan, desil))
                written += 1


def _database(argument: str | None, workdir: Path) -> tuple[str, str | None]:
    """(URL to import into, server URL to drop it from afterwards or None)."""
    if argument is None:
        return f"sqlite:///{workdir / 'bench.db'}", None
    server = LOCAL_POSTGRES if argument in ("postgres", "postgresql") else (
        normalise_database_url(argument))
    if not server.startswith("postgresql"):
        return server, None
    admin = make_url(server).set(database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    engine.dispose()
    url = make_url(server).set(database=BENCH_DB).render_as_string(hide_password=False)
    return url, admin.render_as_string(hide_password=False)


def _copy_seconds(url: str, csv_path: Path, table: str, setup=(), finish=()) -> float:
    """Seconds to COPY the CSV into ``table`` and run the ``finish`` statements, after
    the ``setup`` ones, all rolled back afterwards."""
    engine = create_engine(url)
    with engine.connect() as conn:
        for statement in setup:
            conn.execute(text(statement))
        cursor = conn.connection.driver_connection.cursor()
        start = time.perf_counter()
        with csv_path.open("rb") as handle, cursor.copy(
                f"COPY {table} ({', '.join(HEADER)}) FROM STDIN (FORMAT csv, HEADER true)"
        ) as copy:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                copy.write(chunk)
        for statement in finish:
            conn.execute(text(statement))
        seconds = time.perf_counter() - start
        conn.rollback()
    engine.dispose()
    return seconds


def _copy_references(url: str, csv_path: Path) -> tuple[float, float]:
    """COPY seconds into (a bare table of the same columns, a dataset's own table of
    dtsen_record, then attached: its primary key and foreign key checked, the rows
    under a throwaway run)."""
    bare = _copy_seconds(url, csv_path, "copy_reference", [
        f"CREATE TABLE copy_reference AS SELECT {', '.join(HEADER)} "
        "FROM dtsen_record WITH NO DATA"])
    run = 2_000_000_000
    stored = _copy_seconds(url, csv_path, partition_name(run), [
        "INSERT INTO import_run (id, kind, file_name, sha256, row_count, error_count, status, "
        f"imported_at) VALUES ({run}, 'dtsen', 'reference', '', 0, 0, 'rejected', now())",
        f"SELECT dtsen_dataset_table({run})"], [f"SELECT dtsen_attach_dataset({run})"])
    return bare, stored


def _drop(server: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    workdir = Path(tempfile.mkdtemp())
    csv_path = workdir / "dtsen.csv"
    start = time.perf_counter()
    # In a child process, so the peak memory printed below is the import's alone.
    child = multiprocessing.get_context("fork").Process(target=write_rows, args=(csv_path, rows))
    child.start()
    child.join()
    generated = time.perf_counter() - start
    url, server = _database(sys.argv[2] if len(sys.argv) > 2 else None, workdir)
    references = None
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            flask_migrate.upgrade()
            if url.startswith("postgresql"):
                references = _copy_references(url, csv_path)
            actor = Actor(None, "bench", ("caseworker",), None, "bench")
            start = time.perf_counter()
            with csv_path.open("rb") as stream:
                result = import_dtsen(db.session, stream, file_name=csv_path.name,
                                      as_of=clock.today(), actor=actor)
            db.session.commit()
            seconds = time.perf_counter() - start
            run = result.run
            if run.status != "applied":
                sys.exit(f"import rejected: {run.error_count} problems\n{run.error_report[:2000]}")
            db.session.remove()
        db.state(app).engine.dispose()
    finally:
        size_mb = csv_path.stat().st_size / 1e6
        shutil.rmtree(workdir)
        if server:
            _drop(server)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {url.split(':')[0]}")
    print(f"generate: {rows:,} rows, {size_mb:.0f} MB CSV in "
          f"{generated:.1f} s (not counted)")
    print(f"import: {run.row_count:,} rows in {seconds:.1f} s = {run.row_count / seconds:,.0f}"
          f" rows/s (peak RSS {peak_mb:,.0f} MB)")
    if references:
        bare, stored = references
        print(f"COPY of the same file: {bare:.1f} s into a bare table, {stored:.1f} s into "
              f"a dataset's table of dtsen_record and attaching it")
        print(f"import / COPY: {seconds / bare:.1f}x the bare table (issue 16 goal: within "
              f"5x), {seconds / stored:.1f}x the dataset's table")


if __name__ == "__main__":
    main()
