"""A dataset file checked by PostgreSQL itself, a whole column at a time (issue 16: a
million DTSEN rows cost 16 times a bare COPY when each row was checked in Python).

The CSV goes down one COPY into a table of text cells, as written (unlogged, so
PostgreSQL's workers share the readings of it; dropped when the dataset's table is
attached). Then:
- the columns of few distinct values (birth date, sex, kelurahan, desil) are parsed by
  the very parsers of ``values``, once per distinct text, and the answers are cast or
  joined back;
- the NIK, KK and name are vouched for in SQL: a value it cannot vouch for becomes
  NULL, which the table refuses;
- the rows are stored by an INSERT that types them, or, where every cell is already
  written as the parsers would store it (the common case), by a second COPY of the
  file straight into the dataset's table, which is cheaper;
- the primary key, built when the dataset's table is attached, refuses a NIK twice.

The SQL accepts less than the parsers do, never more, and a file is stored here only
when every check passes. At the first doubt (a COPY error, a refused value, a quote
where ``csv`` and COPY might split a row differently, a lone ``\\.`` line, which ends
a COPY, a line or cell over the limits) the savepoint drops it all and ``load`` returns
None: the caller then reads the file row by row in Python, which stores the same rows
or names every problem.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workflows.imports import partitions, values
from workflows.imports.spreadsheet import CHUNK, CsvLayout, csv_layout, limits

# 16 octets, the first a digit 1-9, making a number of at least 10**15: 16 digits (a
# sign, a space, an underscore or a base prefix would leave fewer, or fail the cast).
_ID = ("octet_length({c}) = 16 AND ascii({c}) BETWEEN 49 AND 57 AND "
       "CAST({c} AS bigint) >= 1000000000000000")
_NO_OTHER_SPACE = "{c} !~ :other_space"
_SPACED = "({c} LIKE '%  %' OR {c} LIKE ' %' OR {c} LIKE '% ')"
# Each vouched column: (its value when the SQL vouches for it, else NULL; whether it is
# already written as it is stored).
_VOUCHED = {
    values.parse_nik: (f"CASE WHEN {_ID} THEN {{c}} END", _ID),
    values.parse_kk: (f"CASE WHEN {_ID} THEN {{c}} END", _ID),
    # parse_name: runs of spaces made one, the ends trimmed, and no other white space
    values.parse_name: (
        f"CASE WHEN {_NO_OTHER_SPACE} THEN nullif(CASE WHEN {_SPACED} THEN "
        "btrim(regexp_replace({c}, ' {{2,}}', ' ', 'g'), ' ') ELSE {c} END, '') END",
        f"{_NO_OTHER_SPACE} AND NOT {_SPACED} AND {{c}} <> ''"),
}
_END_OF_DATA = re.compile(rb"(?:\A|[\r\n])\\\.(?:[\r\n]|\Z)")
# The bar's share of the work done after each step, as timed on a million rows (COPY,
# the checks, storing, attaching: 0.51, 0.61, 0.76, 0.78 s), in rows.
_COPIED, _READ, _TYPED = 0.2, 0.45, 0.75


class _NotVouched(Exception):
    """Something the SQL does not vouch for: leave the file to the parsers."""


@dataclass
class _Survey:
    """What one reading of the text table says about the file."""
    rows: int
    as_stored: bool  # every NIK, KK and name written as it would be stored
    distinct: dict  # each repeating column -> its distinct texts


def load(session: Session, kind, target: str, dataset_id: int, file, file_name: str,
         progress=None) -> int | None:
    """Store the file's rows into ``target`` (from ``partitions.new_table``) and attach
    it; the number of rows, or None, with nothing stored, when the parsers must read
    the file (their reading starts the bar again). ``kind``: its ``table``, the
    ``parsers`` (column, parser) of its columns and its ``repeating`` columns, parsed
    once per distinct text, the others vouched for in SQL; ``progress(rows)`` is told
    the share done."""
    progress = progress or (lambda rows: None)
    columns = [column for column, _ in kind.parsers]
    layout = csv_layout(file, file_name, columns)
    if layout is None:
        return None
    connection = session.connection()
    # The connection's own savepoint: the session's would count as a commit for the
    # audit guard before the run's event is recorded (runs.py).
    savepoint = connection.begin_nested()
    try:
        staging = _copy(connection, layout, file, dataset_id, progress)
        survey = _survey(connection, kind, layout, staging)
        progress(int(survey.rows * _READ))
        values_sql, joins = _typed_values(connection, kind, layout, staging, survey)
        if survey.as_stored and not joins:
            in_file_order = sorted(columns, key=layout.position.get)
            _stream(connection, f"{target} ({', '.join(in_file_order)})", layout, file)
        else:
            connection.execute(text(
                f"INSERT INTO {target} (dataset_id, {', '.join(columns)}) SELECT :dataset, "
                f"{', '.join(values_sql)} FROM {staging} AS s {' '.join(joins)}"),
                {"dataset": dataset_id, "other_space": _other_space()})
        progress(int(survey.rows * _TYPED))
        partitions.attach(connection, dataset_id)  # the text table goes
    except (_NotVouched, DBAPIError, connection.dialect.dbapi.Error) as refusal:
        savepoint.rollback()
        if isinstance(refusal, _NotVouched) or _the_file_s(refusal):
            return None
        raise  # not the file's doing (a privilege, the connection): no quiet slow path
    savepoint.commit()
    return survey.rows


def _the_file_s(error) -> bool:
    """Whether PostgreSQL refused the data (SQLSTATE classes 22 and 23: a COPY format or
    encoding error, a bad value, a NOT NULL, CHECK or key violation)."""
    return (getattr(getattr(error, "orig", error), "sqlstate", None) or "")[:2] in ("22", "23")


def _copy(connection, layout: CsvLayout, file, dataset_id: int, progress) -> str:
    """COPY the file's cells, as text, into a table of their own; its name."""
    staging = partitions.file_table(connection, dataset_id, layout.width)
    lines = _Lines(layout.delimiter)
    _stream(connection, staging, layout, file, lines.check)
    progress(int(lines.end() * _COPIED))
    return staging


def _stream(connection, into: str, layout: CsvLayout, file, each_chunk=None) -> None:
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
    """Checks the file's whole lines as its chunks go by, and counts them."""

    def __init__(self, delimiter: str):
        self._delimiter, self._carry, self.newlines = delimiter, b"", 0

    def check(self, chunk: bytes) -> None:
        lines = self._carry + chunk
        cut = lines.rfind(b"\n") + 1
        _check_lines(lines[:cut], self._delimiter)
        self._carry = lines[cut:]
        if len(self._carry) > limits().line_chars:
            raise _NotVouched
        self.newlines += chunk.count(b"\n")

    def end(self) -> int:
        """Check the last line; the line breaks seen."""
        _check_lines(self._carry, self._delimiter)
        return self.newlines


def _check_lines(piece: bytes, delimiter: str) -> None:
    """Refuse whole lines that COPY would read otherwise than our reader does: longer
    than it reads (in bytes, at least its characters), a lone ``\\.``, or a quote
    other than around a whole field on one line."""
    if max(map(len, piece.split(b"\n"))) > limits().line_chars:
        raise _NotVouched
    if b"\\." in piece and _END_OF_DATA.search(piece):
        raise _NotVouched
    if b'"' in piece and b'"' in _quoted_field(delimiter).sub(b"", piece):
        raise _NotVouched


@cache
def _quoted_field(delimiter: str) -> re.Pattern:
    """A quoted field where both readers see one: it starts and ends at a field's edge
    on the same line (a header's line break inside quotes is read apart)."""
    edge = re.escape(delimiter.encode())
    return re.compile(rb'(?:(?<=[' + edge + rb'\r\n])|\A)"(?:[^"\r\n]|"")*"(?=[' + edge +
                      rb'\r\n]|\Z)')


@cache
def _other_space() -> str:
    """A regex class of what ``str.split()`` takes for white space, the space aside."""
    return "[" + "".join(c for c in map(chr, range(0x110000))
                         if c.isspace() and c != " ") + "]"


def _survey(connection, kind, layout: CsvLayout, staging: str) -> _Survey:
    """One reading of the text table for the rows, the longest cell outside the
    repeating columns (those are measured in Python), any cell right of the header's
    last name and whether the vouched values are written as stored; one GROUP BY per
    repeating column for its distinct texts (each shares its reading among PostgreSQL's
    workers, which grouping sets do not)."""
    cell = {column: f"c{layout.position[column]}" for column, _ in kind.parsers}
    per_value = [column for column, _ in kind.parsers if column in kind.repeating]
    parsed_in_python = {cell[column] for column in per_value}
    measured = [f"length(c{i})" for i in range(layout.width)
                if f"c{i}" not in parsed_in_python]
    unchanged = " AND ".join(f"coalesce({_VOUCHED[parse][1].format(c=cell[column])}, false)"
                             for column, parse in kind.parsers if column not in kind.repeating)
    beyond = " OR ".join(f"c{i} <> ''" for i in range(layout.named, layout.width)) or "false"
    rows, longest, as_stored, surplus = connection.execute(text(
        f"SELECT count(*), max(greatest({', '.join(measured)})), bool_and({unchanged}), "
        f"bool_or({beyond}) FROM {staging}"), {"other_space": _other_space()}).one()
    distinct = {column: [] for column in per_value}
    for k, raw in connection.execute(text(" UNION ALL ".join(
            f"SELECT {k}, {cell[column]} FROM {staging} GROUP BY {cell[column]}"
            for k, column in enumerate(per_value)))):
        distinct[per_value[k]].append(raw)
    longest = max([longest or 0, *(len(raw) for texts in distinct.values()
                                   for raw in texts if raw is not None)])
    if surplus or not 0 < rows <= limits().rows or longest > limits().cell_chars:
        raise _NotVouched
    return _Survey(rows, bool(as_stored) and layout.width == len(kind.parsers), distinct)


def _typed_values(connection, kind, layout: CsvLayout, staging: str,
                  survey: _Survey) -> tuple[list, list]:
    """The SQL of each column's stored value from the text table, and the joins it needs
    (a table of the parsers' answers for a repeating column not written as stored)."""
    values_sql, joins = [], []
    for column, parse in kind.parsers:
        source = f"s.c{layout.position[column]}"
        if column not in kind.repeating:
            values_sql.append(_VOUCHED[parse][0].format(c=source))
            continue
        sql_type = kind.table.c[column].type.compile(dialect=connection.dialect)
        parsed = {raw: _parsed(parse, raw) for raw in survey.distinct[column]}
        if all(raw == _canonical(value) for raw, value in parsed.items()):
            values_sql.append(f"CAST({source} AS {sql_type})")
            continue
        answers = f"{staging}_{column}"
        connection.execute(text(f"CREATE TEMPORARY TABLE {answers} (raw text PRIMARY KEY, "
                                f"value {sql_type}) ON COMMIT DROP"))
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {answers} FROM STDIN") as copy:
            for raw, value in parsed.items():
                copy.write_row((raw, value))
        joins.append(f"JOIN {answers} ON {answers}.raw = {source}")
        values_sql.append(f"{answers}.value")
    return values_sql, joins


def _parsed(parse, raw):
    """What the parser makes of a cell (COPY reads an empty cell as NULL, csv as "")."""
    try:
        return parse("" if raw is None else raw)
    except values.CellError:
        raise _NotVouched from None


def _canonical(value) -> str:
    """The text PostgreSQL casts to ``value`` whatever its settings (ISO dates)."""
    return value.isoformat() if isinstance(value, date) else str(value)
