"""Applying a DTSEN extract or a list of existing participants as one dated dataset.

The run's life (all or nothing, idempotent, audited) is in ``runs``; this module
checks the rows and writes them fast. PostgreSQL: a DTSEN CSV is first checked by the
database a column at a time (``set_wise``) into the dataset's own partition
(``partitions``); any other file, or one that check does not vouch for, is read once,
each row checked and sent down one COPY while the server stores the ones before it
(a problem stops the writing, the reading goes on so the report names every problem,
and the savepoint drops what was written); the kind's lock held meanwhile only makes
the next import of the kind wait. SQLite, one writer for the whole application: every
row is checked before any lock is taken, and only a file without problems is read
again and written with executemany in chunks. Only the NIKs seen so far are kept, to
find a NIK that appears twice.
"""
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from operator import call, itemgetter

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from models import DtsenRecord, ImportRun, ParticipantRecord, Role
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports import data_aktual, partitions, set_wise, values
from workflows.imports.runs import ImportResult, lock_kind, run_import
from workflows.imports.spreadsheet import FileRefused, open_table
from workflows.messages import lazy_gettext as _l

PROGRESS_EVERY = 10_000
SQLITE_CHUNK = 5_000
REMEMBERED = 100_000  # distinct values remembered per repeating column


@dataclass(frozen=True)
class _Kind:
    name: str
    table: Table
    parsers: tuple  # (column, parser); the first column is the NIK
    repeating: frozenset = frozenset()  # columns of few distinct values: each parsed once
    partitioned: bool = False  # a partition per dataset on PostgreSQL (``partitions``)


DTSEN = _Kind("dtsen", DtsenRecord.__table__, (
    ("nik", values.parse_nik), ("no_kk", values.parse_kk), ("nama", values.parse_name),
    ("tanggal_lahir", values.parse_birth_date), ("jenis_kelamin", values.parse_sex),
    ("kode_kelurahan", values.parse_kelurahan_code), ("desil", values.parse_desil)),
    frozenset({"tanggal_lahir", "jenis_kelamin", "kode_kelurahan", "desil"}), partitioned=True)
PARTICIPANTS = _Kind("participants", ParticipantRecord.__table__, (
    ("nik", values.parse_nik), ("nama", values.parse_name), ("sumber", values.parse_source)),
    frozenset({"sumber"}))


def current_dataset(session: Session, kind: str) -> ImportRun | None:
    """The applied run of ``kind`` with the latest as-of date (then the newest)."""
    return session.execute(
        select(ImportRun).where(ImportRun.kind == kind, ImportRun.status == "applied")
        .order_by(ImportRun.as_of.desc().nulls_last(), ImportRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def import_dtsen(session: Session, stream, *, file_name: str, as_of: date, actor: Actor,
                 progress=None, scope: str = "full", replace_all: bool = False
                 ) -> ImportResult:
    """Apply a DTSEN extract (data aktual from Dinsos) as of ``as_of``: ``full`` replaces
    the data aktual (held when it would shrink it, unless ``replace_all``), ``partial``
    is merged into it (workflows/imports/data_aktual.py)."""
    if scope not in data_aktual.SCOPES:
        raise InvalidInput(_l("Choose whether the file is a full or a partial update."))
    return _import(session, DTSEN, stream, file_name, as_of, actor, progress,
                   lambda run: data_aktual.settle(session, run, current_dataset(session, "dtsen"),
                                                  scope, replace_all), {"scope": scope})


def import_participants(session: Session, stream, *, file_name: str, as_of: date,
                        actor: Actor, progress=None) -> ImportResult:
    """Apply a list of people already covered (BPJS, province, CSR, self-paid)."""
    return _import(session, PARTICIPANTS, stream, file_name, as_of, actor, progress)


def _may_import(actor: Actor) -> None:
    if not actor.has_role(Role.CASEWORKER, Role.ADMIN):
        raise NotAllowed(_l("Only caseworkers and administrators import data files."))


def _import(session, kind, stream, file_name, as_of, actor, progress, settle=None,
            details=None) -> ImportResult:
    _may_import(actor)
    one_pass = _reads_once(session)
    return run_import(session, kind=kind.name, stream=stream, file_name=file_name, actor=actor,
                      as_of=as_of, columns=[column for column, _ in kind.parsers],
                      check=lambda file, problems: _check_and_write(
                          None, kind, file, file_name, None, problems, progress, None),
                      apply=lambda file, run_id, problems: _write(
                          session, kind, file, file_name, run_id, problems,
                          progress if one_pass else None),
                      settle=settle, details=details, check_first=not one_pass)


def _reads_once(session: Session) -> bool:
    """PostgreSQL stores the rows on its own core while the next ones are checked, and
    the kind's lock stops no one but the next import of the kind; SQLite has one writer
    for the whole application, so there the file is checked before the lock."""
    return session.get_bind().dialect.name == "postgresql"


def _checked_in_sql(session: Session) -> bool:
    """PostgreSQL can check a whole column at once (``set_wise``)."""
    return session.get_bind().dialect.name == "postgresql"


def _write(session, kind, file, file_name, dataset_id, problems, progress) -> int:
    """Check and store the file's rows under ``dataset_id``; the number of rows."""
    if not kind.partitioned:
        return _check_and_write(session, kind, file, file_name, dataset_id, problems,
                                progress, kind.table.name)
    connection = session.connection()
    target = partitions.new_table(connection, dataset_id)
    if _checked_in_sql(session):
        rows = set_wise.load(session, kind, target, dataset_id, file, file_name, progress)
        if rows is not None:
            if progress is not None:
                progress(rows)
            return rows
    rows = _check_and_write(session, kind, file, file_name, dataset_id, problems, progress,
                            target)
    if not problems.count:
        partitions.attach(connection, dataset_id)
    return rows


HELD_DECISIONS = ("full", "partial", "cancel")


def decide_held(session: Session, run_id: int, decision: str, *, actor: Actor) -> ImportRun:
    """A held DTSEN run (a full update that would shrink the data aktual): replace the
    data aktual with it after all (``full``), merge it in (``partial``), or drop its
    staged rows (``cancel``). Decided once: a second click finds it decided."""
    _may_import(actor)
    if decision not in HELD_DECISIONS:
        raise InvalidInput(_l("Choose whether the file is a full or a partial update."))
    lock_kind(session, "dtsen")
    run = session.get(ImportRun, run_id, with_for_update=True, populate_existing=True)
    if run is None or run.kind != "dtsen" or run.status != "held":
        raise InvalidTransition(_l("This import is no longer waiting for a confirmation (it "
                                   "was confirmed or cancelled already); nothing changed."))
    diff = {"file_name": run.file_name, "sha256": run.sha256, "rows": run.row_count}
    if decision == "cancel":
        partitions.drop(session.connection(), run.id)
        run.status = "cancelled"
        record(session, actor, "import.cancelled", entity=run,
               diff={**diff, "status": ["held", "cancelled"]})
        return run
    current = current_dataset(session, "dtsen")
    if decision == "full" and current is not None and \
            (current.as_of, current.id) > (run.as_of, run.id):
        raise InvalidTransition(_l(
            "Data aktual as of %(day)s was applied after this file was held: the file would "
            "not replace it. Cancel it, and import it again if it is still meant to; nothing "
            "changed.", day=current.as_of.isoformat()))
    details = (data_aktual.merge(session, run, current)
               if decision == "partial" else {"scope": "full", "confirmed": True})
    run.status, run.scope = "applied", decision
    record(session, actor, "import.applied", entity=run,
           diff={**diff, **details, "status": ["held", "applied"]})
    return run


def _check_and_write(session, kind, file, file_name, dataset_id, problems, progress,
                     target) -> int:
    """Check every row, write them into the table ``target`` (without ``session``:
    nowhere) while none has failed; return the number of rows."""
    rows = 0
    columns = [column for column, _ in kind.parsers]
    try:
        table = open_table(file, file_name, columns)
    except FileRefused as exc:
        for p in exc.problems:
            problems.add(*p)
        return rows
    first_row_of = {}  # int(NIK) -> row number; ints take half the memory of strings
    parsers = [_ParsedOnce(parse).__getitem__ if column in kind.repeating else parse
               for column, parse in kind.parsers]
    cells_of = itemgetter(*columns)
    writer = (_RowWriter(session, target, columns) if session is not None
              else nullcontext(lambda row: None))
    with table, writer as write:
        try:
            for number, cells in table:
                rows += 1
                if progress is not None and rows % PROGRESS_EVERY == 0:
                    progress(rows)
                try:  # the common case, every cell well-formed, without a loop in Python
                    row = [dataset_id, *map(call, parsers, cells_of(cells))]
                except (KeyError, values.CellError):  # a short row or a bad cell
                    row = [dataset_id, *_each_cell(number, cells, columns, parsers, problems)]
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
    return rows


def _each_cell(number, cells, columns, parsers, problems) -> list:
    """The row's values, None for each cell that fails, its problem added to the report."""
    row = []
    for column, parse in zip(columns, parsers):
        raw = cells.get(column)
        try:
            row.append(parse(raw))
        except values.CellError as exc:
            problems.add(number, column, raw, exc.message)
            row.append(None)
    return row


class _ParsedOnce(dict):
    """A column's parser that remembers what each distinct text gave: a million rows
    hold a few thousand birth dates and a few hundred kelurahan. Only texts are kept
    (an XLSX 1, 1.0 and True would be one key); a cell that fails is parsed again
    wherever it stands, so each of its rows is named in the report."""

    def __init__(self, parse):
        super().__init__()
        self._parse = parse

    def __missing__(self, raw):
        value = self._parse(raw)
        if type(raw) is str and len(self) < REMEMBERED:
            self[raw] = value
        return value


class _RowWriter:
    """Write rows into the kind's table inside the current transaction.

    PostgreSQL: one ``COPY ... FROM STDIN`` on the session's own connection.
    SQLite: ``executemany`` in chunks, dates as ISO text as SQLAlchemy stores them.
    """

    def __init__(self, session: Session, table: str, columns):
        connection = session.connection()
        self._postgres = connection.dialect.name == "postgresql"
        self._dbapi = connection.connection.driver_connection
        columns = ("dataset_id", *columns)
        self._columns = ", ".join(columns)
        self._table = table
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
