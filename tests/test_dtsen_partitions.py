"""Migration 0030: every stored DTSEN dataset keeps its rows, on PostgreSQL each in a
partition of its own, and the downgrade gives back the table with its id; an import
afterwards adds its dataset's partition, and the schema still matches the models."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from caseapp import create_app
from caseapp.extensions import db
from models import Base
from tests.conftest_config import app_config
from tests.databases import ThrowawayDatabase
from tests.test_imports import dtsen_rows, run_import, write_csv
from workflows.imports.partitions import is_partition

ROWS = "SELECT dataset_id, nik, no_kk, nama, tanggal_lahir, desil FROM dtsen_record ORDER BY 1, 2"
PARTITIONS = ("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
              "WHERE i.inhparent = 'dtsen_record'::regclass ORDER BY 1")


def _seed(connection) -> None:
    for run in (7, 8):
        connection.execute(text(
            "INSERT INTO import_run (id, kind, file_name, sha256, row_count, error_count, "
            "status, imported_at) VALUES (:id, 'dtsen', 'f.csv', :sha, 2, 0, 'applied', "
            "CURRENT_TIMESTAMP)"), {"id": run, "sha": str(run) * 64})
    connection.execute(text(
        "INSERT INTO dtsen_record (dataset_id, nik, no_kk, nama, tanggal_lahir, "
        "jenis_kelamin, kode_kelurahan, desil) VALUES "
        "(7, '3275014508900001', '3275010101100001', 'Siti', '1990-08-05', 'P', '3275011001', 2),"
        "(7, '3275014508900002', '3275010101100001', 'Nur', '1991-08-05', 'P', '3275011001', 2),"
        "(8, '3275014508900001', '3275010101100001', 'Siti', '1990-08-05', 'P', '3275011001', 3)"))


def _schema_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_name": lambda name, type_, _: not (type_ == "table" and is_partition(name))})
    return compare_metadata(context, Base.metadata)


def test_datasets_move_into_partitions_and_back(backend, tmp_path):
    test_db = ThrowawayDatabase(backend, tmp_path, "partitions")
    app = create_app(app_config(DATABASE_URL=test_db.url))
    postgres = backend == "postgresql"
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0029")
            with db.engine.begin() as connection:
                _seed(connection)
                before = connection.execute(text(ROWS)).all()
            flask_migrate.upgrade()
            with db.engine.begin() as connection:
                assert connection.execute(text(ROWS)).all() == before
                if postgres:
                    assert connection.execute(text(PARTITIONS)).scalars().all() == [
                        "dtsen_record_7", "dtsen_record_8"]
                assert _schema_differences(connection) == []
            flask_migrate.downgrade(revision="0029")
            with db.engine.begin() as connection:
                assert connection.execute(text(ROWS)).all() == before
                assert connection.execute(text(
                    "SELECT id FROM dtsen_record ORDER BY id")).scalars().all() == [1, 2, 3]
    finally:
        db.state(app).engine.dispose()
        test_db.drop()


def test_an_import_adds_its_own_partition(session, staff, tmp_path, backend):
    run = run_import(session, staff, write_csv(tmp_path / "a.csv", dtsen_rows(3))).run
    assert run.status == "applied"
    connection = session.connection()
    if backend == "postgresql":
        assert f"dtsen_record_{run.id}" in connection.execute(text(PARTITIONS)).scalars().all()
    assert _schema_differences(connection) == []
