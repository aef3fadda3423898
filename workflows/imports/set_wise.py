"""A dataset file checked by PostgreSQL itself, a whole column at a time (issue 16: a
million DTSEN rows cost 16 times a bare COPY when each row was checked in Python).

The CSV goes down one COPY into a table of text cells, as written (unlogged, dropped
at the end). Then:
- the columns of few distinct values (birth date, sex, kelurahan, desil, source) are
  parsed by the very parsers of ``values``, once per distinct text, and the answers
  are cast or joined back;
- the NIK, KK and name are vouched for in SQL: a value it cannot vouch for becomes
  NULL, which the table refuses;
- the rows are stored by an INSERT that types them, or, where every cell is already
  written as the parsers would store it (the common case), by a second COPY of the
  file straight into the dataset's table, which is cheaper;
- the primary key, built when the dataset's table is attached, refuses a NIK twice.

The SQL accepts less than the parsers do, never more, and a file is stored here only
when every check passes. At the first doubt (a COPY error, a refused value, a quote
where ``csv`` and COPY might split a row differently, a lone ``\\.`` line, which ends
a COPY) the savepoint drops it all and ``load`` returns None: the caller then reads
the file row by row in Python, which stores the same rows or names every problem.
"""
import re
from datetime import date
from functools import cache

from sqlalchemy import Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workflows.imports import partitions, values
from workflows.imports.spreadsheet import CHUNK, csv_layout, limits

# A NIK or KK of 16 characters, the first not 0, that is a number of at least 10**15 is
# 16 digits (a sign, a space or a base prefix would leave it fewer).
_ID = ("CASE WHEN octet_length({c}) = 16 AND left({c}, 1) <> '0' AND "
       "CAST({c} AS bigint) >= 1000000000000000 THEN {c} END")
_VOUCHED = {
    values.parse_nik: _ID,
    values.parse_kk: _ID,
    # parse_name: runs of spaces made one, the ends trimmed, and no other white space
    values.parse_name: "CASE WHEN {c} !~ :other_space THEN nullif(CASE WHEN "
                       "{c} LIKE '%  %' OR {c} LIKE ' %' OR {c} LIKE '% ' "
                       "THEN btrim(regexp_replace({c}, ' {{2,}}', ' ', 'g'), ' ') "
                       "ELSE {c} END, '') END",
}
_END_OF_DATA = re.compile(rb"(?:\A|[\r\n])\\\.(?:[\r\n]|\Z)")
# The bar's share of the work done after each step, as timed on a million rows (COPY
# 13%, the distinct texts 14%, the typed INSERT 46%, attaching 27%), in rows.
_COPIED, _READ, _TYPED = 0.15, 0.3, 0.75


class _NotVouched(Exception):
    """Something the SQL does not vouch for: leave the file to the parsers."""


@cache
def _other_space() -> str:
    """A regex class of what ``str.split()`` takes for white space, the space aside."""
    return "[" + "".join(c for c in map(chr, range(0x110000))
                         if c.isspace() and c != " ") + "]"


@cache
def _quoted_field(delimiter: str) -> re.Pattern:
    """A quoted field where both readers see one: it starts and ends at a field's edge."""
    edge = re.escape(delimiter.encode())
    return re.compile(rb'(?:(?<=[' + edge + rb'\r\n])|\A)"(?:[^"]|"")*"(?=[' + edge +
                      rb'\r\n]|\Z)')


def _check_lines(piece: bytes, delimiter: str) -> None:
    """Refuse whole lines that COPY would read otherwise than ``csv.reader`` does."""
    if b"\\." in piece and _END_OF_DATA.search(piece):
        raise _NotVouched
    if b'"' in piece and b'"' in _quoted_field(delimiter).sub(b"", piece):
        raise _NotVouched


def load(session: Session, table: Table, target: str, parsers, repeating, dataset_id: int,
         file, file_name: str, progress=None) -> int | None:
    """Store the file's rows into ``target`` (from ``partitions.new_table``) and attach
    it; the number of rows, or None, with nothing stored, when the parsers must read
    the file (their reading starts the bar again). ``parsers``: (column, parser) of
    ``table``'s columns; ``repeating``: the columns parsed once per distinct text, the
    others being vouched for in SQL; ``progress(rows)`` is told the share done."""
    progress = progress or (lambda rows: None)
    columns = [column for column, _ in parsers]
    layout = csv_layout(file, file_name, columns)
    if layout is None:
        return None
    connection = session.connection()
    # The connection's own savepoint: the session's would count as a commit for the
    # audit guard before the run's event is recorded (runs.py).
    savepoint = connection.begin_nested()
    try:
        staging = _copy(connection, layout, file, target, progress)
        rows, exprs, joins, as_stored = _columns(connection, table, parsers, repeating,
                                                 layout, staging)
        progress(int(rows * _READ))
        if as_stored:
            _copy_as_stored(connection, layout, file, target, columns, dataset_id)
        else:
            connection.execute(text(
                f"INSERT INTO {target} (dataset_id, {', '.join(columns)}) "
                f"SELECT :dataset, {', '.join(exprs)} FROM {staging} AS s {' '.join(joins)}"),
                {"dataset": dataset_id, "other_space": _other_space()})
        progress(int(rows * _TYPED))
        connection.execute(text(f"DROP TABLE {staging}"))
        partitions.attach(connection, target, dataset_id)
    except (_NotVouched, DBAPIError, connection.dialect.dbapi.Error):
        savepoint.rollback()
        file.seek(0)
        return None
    savepoint.commit()
    return rows


def _copy(connection, layout, file, target: str, progress) -> str:
    """COPY the file's cells, as text, into a table of their own; its name."""
    staging = f"{target}_file"
    cells = ", ".join(f"c{i} text" for i in range(layout.width))
    # Unlogged rather than temporary: PostgreSQL's workers can share the reading of it.
    connection.execute(text(f"CREATE UNLOGGED TABLE {staging} ({cells})"))
    lines = _Lines(layout.delimiter)
    _stream(connection, staging, layout, file, lines.check)
    progress(int(lines.end() * _COPIED))
    return staging


def _copy_as_stored(connection, layout, file, target: str, columns, dataset_id: int):
    """COPY the file once more, straight into ``target``: every cell is already written
    as the parsers would store it, so this is cheaper than typing the text table's
    rows in an INSERT."""
    connection.execute(text(f"ALTER TABLE {target} ALTER dataset_id "
                            f"SET DEFAULT {int(dataset_id)}"))
    _stream(connection, f"{target} ({', '.join(sorted(columns, key=layout.position.get))})",
            layout, file)
    connection.execute(text(f"ALTER TABLE {target} ALTER dataset_id DROP DEFAULT"))


def _stream(connection, into: str, layout, file, each_chunk=None) -> None:
    """The whole file down ``COPY into FROM STDIN`` as CSV, its header row skipped."""
    file.seek(0)
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
            f"COPY {into} FROM STDIN (FORMAT csv, HEADER true, "
            f"DELIMITER '{layout.delimiter}')") as copy:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            if each_chunk is not None:
                each_chunk(chunk)
            copy.write(chunk)


class _Lines:
    """Checks the file's whole lines as its chunks go by (``_check_lines``)."""

    def __init__(self, delimiter: str):
        self._delimiter, self._carry, self.newlines = delimiter, b"", 0

    def check(self, chunk: bytes) -> None:
        lines = self._carry + chunk
        cut = lines.rfind(b"\n") + 1
        _check_lines(lines[:cut], self._delimiter)
        self._carry = lines[cut:]
        if len(self._carry) > 4 * limits().line_chars:  # a line the parsers refuse, kept
            raise _NotVouched  # no longer (it would be copied again with each chunk)
        self.newlines += chunk.count(b"\n")

    def end(self) -> int:
        """Check the last line; the line breaks seen."""
        _check_lines(self._carry, self._delimiter)
        return self.newlines


def _columns(connection, table: Table, parsers, repeating, layout, staging: str):
    """(rows, the SQL of each column's value, the joins they need, whether every cell is
    written as it would be stored), from a reading of the cells for the rows, the
    longest cell of the columns no one reads and whether any vouched value needs
    changing, and one for the distinct texts of each repeating column."""
    cell = {column: f"c{layout.position[column]}" for column, _ in parsers}
    per_value = [column for column, _ in parsers if column in repeating]
    vouched = {column: _VOUCHED[parse].format(c=cell[column]) for column, parse in parsers
               if column not in repeating}
    # The vouched columns are bounded by their checks, the repeating ones are measured
    # in Python: the cells no column reads are measured here.
    others = [f"length(c{i})" for i in range(layout.width) if f"c{i}" not in cell.values()]
    longest = f"max(greatest({', '.join(others)}))" if others else "0"
    unchanged = " AND ".join(f"coalesce(({sql}) = {cell[column]}, false)"
                             for column, sql in vouched.items())
    rows, longest_cell, unchanged = connection.execute(text(
        f"SELECT count(*), {longest}, coalesce(bool_and({unchanged}), false) FROM {staging}"),
        {"other_space": _other_space()}).one()
    as_stored = unchanged and layout.width == len(parsers)
    # One GROUP BY per column: each shares its reading among PostgreSQL's workers,
    # which grouping sets do not.
    distinct = {column: [] for column in per_value}
    for k, raw in connection.execute(text(" UNION ALL ".join(
            f"SELECT {k}, {cell[column]} FROM {staging} GROUP BY {cell[column]}"
            for k, column in enumerate(per_value)))) if per_value else ():
        distinct[per_value[k]].append(raw)
    longest_cell = max([longest_cell or 0, *(len(raw) for raws in distinct.values()
                                        for raw in raws if raw is not None)])
    if not 0 < rows <= limits().rows or longest_cell > limits().cell_chars:
        raise _NotVouched
    exprs, joins = [], []
    for column, parse in parsers:
        source = f"s.{cell[column]}"
        if column not in repeating:
            exprs.append(_VOUCHED[parse].format(c=source))
            continue
        sql_type = table.c[column].type.compile(dialect=connection.dialect)
        parsed = {raw: _parsed(parse, raw) for raw in distinct[column]}
        if all(raw == _canonical(value) for raw, value in parsed.items()):
            exprs.append(f"CAST({source} AS {sql_type})")
            continue
        as_stored = False
        mapping = f"{staging}_{column}"
        connection.execute(text(f"CREATE TEMPORARY TABLE {mapping} (raw text PRIMARY KEY, "
                                f"value {sql_type}) ON COMMIT DROP"))
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {mapping} FROM STDIN") as copy:
            for raw, value in parsed.items():
                copy.write_row((raw, value))
        joins.append(f"JOIN {mapping} ON {mapping}.raw = {source}")
        exprs.append(f"{mapping}.value")
    return rows, exprs, joins, as_stored


def _parsed(parse, raw):
    """What the parser makes of a cell (COPY reads an empty cell as NULL, csv as "")."""
    try:
        return parse("" if raw is None else raw)
    except values.CellError:
        raise _NotVouched from None


def _canonical(value) -> str:
    """The text PostgreSQL casts to ``value`` whatever its settings (ISO dates)."""
    return value.isoformat() if isinstance(value, date) else str(value)

