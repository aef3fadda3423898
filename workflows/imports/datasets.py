"""Applying a DTSEN extract or a list of existing participants as one dated dataset.

Why it works the way it does:

- All or nothing: a half-applied DTSEN file would make eligibility depend on
  where the file broke. Every row is checked; the first bad row stops writing,
  checking goes on so the report names every problem, and the rows written so far
  are undone with a SAVEPOINT. The rejected run and its report stay (the caller
  commits), so the caseworker can download the report.
- Idempotent: the same bytes of the same kind, once applied, are that run; a
  second upload changes nothing and writes no audit event.
- Fast: a million-row extract streams through in one pass and goes to
  PostgreSQL with COPY (SQLite: executemany in chunks). Only the NIKs seen so far
  are kept, to find a NIK that appears twice.
- Audited without personal data: one event per run with file name, SHA-256,
  row count and as-of date; the rows themselves are not audited one by one.
"""
import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import DtsenRecord, ImportRun, ParticipantRecord, Role
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import NotAllowed
from workflows.imports import values
from workflows.imports.report import ImportResult, ProblemReport
from workflows.imports.spreadsheet import FileRefused, open_table, spool

PROGRESS_EVERY = 10_000
SQLITE_CHUNK = 5_000


@dataclass(frozen=True)
class _Kind:
    name: str
    table: str
    parsers: tuple  # (column, parser); the first column is the NIK


DTSEN = _Kind("dtsen", DtsenRecord.__tablename__, (
    ("nik", values.parse_nik), ("no_kk", values.parse_kk), ("nama", values.parse_name),
    ("tanggal_lahir", values.parse_birth_date), ("jenis_kelamin", values.parse_sex),
    ("kode_kelurahan", values.parse_kelurahan_code), ("desil", values.parse_desil)))
PARTICIPANTS = _Kind("participants", ParticipantRecord.__tablename__, (
    ("nik", values.parse_nik), ("nama", values.parse_name), ("sumber", values.parse_source)))


def current_dataset(session: Session, kind: str) -> ImportRun | None:
    """The applied run of ``kind`` with the latest as-of date (then the newest)."""
    return session.execute(
        select(ImportRun).where(ImportRun.kind == kind, ImportRun.status == "applied")
        .order_by(ImportRun.as_of.desc().nulls_last(), ImportRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def import_dtsen(session: Session, stream, *, file_name: str, as_of: date, actor: Actor,
                 progress=None) -> ImportResult:
    """Apply a DTSEN extract (data aktual from Dinsos) as of ``as_of``."""
    return _import(session, DTSEN, stream, file_name, as_of, actor, progress)


def import_participants(session: Session, stream, *, file_name: str, as_of: date,
                        actor: Actor, progress=None) -> ImportResult:
    """Apply a list of people already covered (BPJS, province, CSR, self-paid)."""
    return _import(session, PARTICIPANTS, stream, file_name, as_of, actor, progress)


def lock_kind(session: Session, kind: str) -> None:
    """Serialise imports of one kind so two uploads of one file cannot both apply.

    SQLite transactions already start with ``BEGIN IMMEDIATE``.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"caseapp-import-{kind}".encode()).digest()[:8],
                             "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _import(session, kind, stream, file_name, as_of, actor, progress) -> ImportResult:
    if not actor.has_role(Role.CASEWORKER, Role.ADMIN):
        raise NotAllowed(_l("Only caseworkers and administrators import data files."))
    file, sha256 = spool(stream)
    lock_kind(session, kind.name)
    existing = session.execute(
        select(ImportRun).where(ImportRun.kind == kind.name, ImportRun.sha256 == sha256,
                                ImportRun.status == "applied")
        .order_by(ImportRun.id).limit(1)).scalar_one_or_none()
    if existing is not None:
        if file is not stream:
            file.close()
        return ImportResult(existing, applied=False, duplicate_file=True)

    # The run exists before the rows (they point to it) and outside the savepoint
    # (a rejected run must survive the rollback); its status is settled below.
    run = ImportRun(kind=kind.name, file_name=file_name[:255], sha256=sha256, as_of=as_of,
                    row_count=0, error_count=0, status="rejected",
                    imported_by_id=actor.user_id)
    session.add(run)
    session.flush()
    problems = ProblemReport()
    savepoint = session.begin_nested()
    try:
        rows = _check_and_write(session, kind, file, file_name, run.id, problems, progress)
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        if file is not stream:
            file.close()  # our temporary copy of an unseekable upload
    diff = {"kind": kind.name, "file_name": run.file_name, "sha256": sha256, "rows": rows,
            "as_of": as_of.isoformat() if as_of else None}
    if problems.count:
        savepoint.rollback()  # also resets attributes changed since it began: set them after
        run.row_count = rows
        run.error_count = problems.count
        run.error_report = problems.csv()
        record(session, actor, "import.rejected", entity=run,
               diff={**diff, "errors": problems.count})
        return ImportResult(run, applied=False, duplicate_file=False)
    run.status, run.row_count = "applied", rows
    # Recorded before the savepoint is released: a release counts as a commit for
    # the audit guard, and the run row was written without an event so far.
    record(session, actor, "import.applied", entity=run, diff=diff)
    savepoint.commit()
    return ImportResult(run, applied=True, duplicate_file=False)


def _check_and_write(session, kind, file, file_name, dataset_id, problems, progress) -> int:
    """Check every row, write them while none has failed; return the number of rows."""
    rows = 0
    try:
        table = open_table(file, file_name, [column for column, _ in kind.parsers])
    except FileRefused as exc:
        for p in exc.problems:
            problems.add(*p)
        return rows
    first_row_of = {}  # int(NIK) -> row number; ints take half the memory of strings
    parsers = kind.parsers
    with table, _RowWriter(session, kind) as write:
        try:
            for number, cells in table:
                rows += 1
                if progress is not None and rows % PROGRESS_EVERY == 0:
                    progress(rows)
                row = [dataset_id]
                for column, parse in parsers:
                    raw = cells.get(column)
                    try:
                        row.append(parse(raw))
                    except values.CellError as exc:
                        problems.add(number, column, raw, exc.message)
                        row.append(None)
                if None in cells:
                    problems.add(number, None, cells[None][0], _l(
                        "This row has more values than the header has columns (a comma "
                        "inside a name must be in quotes)."))
                if row[1] is not None:
                    first = first_row_of.setdefault(int(row[1]), number)
                    if first != number:
                        problems.add(number, "nik", row[1], _l(
                            "This NIK already appears in row %(row)d.", row=first))
                if not problems.count:
                    write(row)
        except FileRefused as exc:
            for p in exc.problems:
                problems.add(*p)
    if progress is not None:
        progress(rows)
    if rows == 0 and not problems.count:
        problems.add(None, None, None, _l("The file has a header but no data rows."))
    return rows


class _RowWriter:
    """Write rows into the kind's table inside the current transaction.

    PostgreSQL: one ``COPY ... FROM STDIN`` on the session's own connection.
    SQLite: ``executemany`` in chunks, dates as ISO text as SQLAlchemy stores them.
    """

    def __init__(self, session: Session, kind: _Kind):
        connection = session.connection()
        self._postgres = connection.dialect.name == "postgresql"
        self._dbapi = connection.connection.driver_connection
        columns = ("dataset_id",) + tuple(column for column, _ in kind.parsers)
        self._columns = ", ".join(columns)
        self._table = kind.table
        self._placeholders = ", ".join("?" for _ in columns)
        self._buffer = []

    def __enter__(self):
        self._cursor = self._dbapi.cursor()
        if self._postgres:
            self._copy = self._cursor.copy(f"COPY {self._table} ({self._columns}) FROM STDIN")
            return self._copy.__enter__().write_row
        return self._write_sqlite

    def _write_sqlite(self, row) -> None:
        self._buffer.append(tuple(v.isoformat() if isinstance(v, date) else v for v in row))
        if len(self._buffer) >= SQLITE_CHUNK:
            self._flush_sqlite()

    def _flush_sqlite(self) -> None:
        self._cursor.executemany(
            f"INSERT INTO {self._table} ({self._columns}) VALUES ({self._placeholders})",
            self._buffer)
        self._buffer.clear()

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._postgres:
                return self._copy.__exit__(exc_type, exc, tb)
            if exc_type is None and self._buffer:
                self._flush_sqlite()
        finally:
            self._cursor.close()
