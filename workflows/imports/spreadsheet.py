"""Reading an uploaded table (CSV UTF-8 or the first sheet of an XLSX) as numbered rows.

Rows come one at a time as ``(row_number, {column: value})`` so a million-row
DTSEN extract never sits in memory; row numbers are the ones the user sees in
the spreadsheet program (the header is row 1). Blank rows are skipped but keep
their number. Cells beyond the header that hold something are put under the key
``None`` (a name with an unquoted comma shifts a CSV row; the caller says so).

Everything that makes the whole file unusable (not a table, not UTF-8, missing
columns) raises ``FileRefused`` before the first data row, with every problem at
once, so the user fixes the file in one go. The type is decided by the bytes,
not the name, because files get renamed.

Hostile files are refused with a message, never parsed at any cost (``Limits``,
set from the app's configuration): an XLSX is a zip whose sheet may inflate to
gigabytes, so the zip's declared sizes are checked before openpyxl opens it
(``zipfile`` stops every member at its declared size, so the declaration is also
the cap while reading); columns, header names, cells, rows and CSV lines are
capped as they are read. ``check_file`` reads a whole file under these limits
without the database, so an import can refuse a file before it takes any lock.
"""
import codecs
import csv
import hashlib
import io
import tempfile
import zipfile
from collections import namedtuple
from dataclasses import dataclass

from workflows.messages import lazy_gettext as _l

CHUNK = 1 << 20
Problem = namedtuple("Problem", "row column value message")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


@dataclass(frozen=True)
class Limits:
    """What an uploaded table may hold (defaults: caseapp/config.py)."""
    columns: int = 100
    header_chars: int = 100  # one column name
    cell_chars: int = 1_000
    rows: int = 1_500_000  # a DTSEN extract is about 1,000,000
    inflated_bytes: int = 2 << 30  # an XLSX's members together, unpacked
    shared_strings_bytes: int = 256 << 20  # openpyxl holds these in memory

    @property
    def line_chars(self) -> int:
        return self.columns * (self.cell_chars + 3)  # quotes and a separator per cell


_limits = Limits()


def limits() -> Limits:
    """The limits this process reads files under."""
    return _limits


def configure(chosen: Limits) -> None:
    """Set the limits for this process (the app factory calls it)."""
    global _limits
    _limits = chosen


class FileRefused(Exception):
    """The file as a whole cannot be read; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = problems


def _refuse(message, row=None, column=None) -> FileRefused:
    return FileRefused([Problem(row, column, None, message)])


def spool(stream) -> tuple:
    """``(seekable binary file, SHA-256 hex of its bytes)``, positioned at the start.

    A seekable upload is hashed in place; anything else is copied to a temporary
    file (in memory up to 32 MB) on the way.
    """
    digest = hashlib.sha256()
    seekable = getattr(stream, "seekable", lambda: False)()
    target = stream if seekable else tempfile.SpooledTemporaryFile(max_size=32 << 20)
    if seekable:
        stream.seek(0)
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        if not seekable:
            target.write(chunk)
    target.seek(0)
    return target, digest.hexdigest()


def _normalise_header(cells) -> list[str]:
    header = ["" if c is None else str(c).strip().lower() for c in cells]
    while header and not header[-1]:  # empty cells right of the table (XLSX pads rows)
        header.pop()
    return header


def _check_header(header: list[str], columns) -> None:
    if len(header) > _limits.columns:
        raise _refuse(_l("The header has %(n)d columns; at most %(max)d are read. Remove the "
                         "empty or extra columns.", n=len(header), max=_limits.columns), row=1)
    long = next((h for h in header if len(h) > _limits.header_chars), None)
    if long is not None:
        raise _refuse(_l("A column name in the header is longer than %(max)d characters.",
                         max=_limits.header_chars), row=1)
    seen, problems = set(), []
    for name in header:
        if name and name in seen:
            problems.append(Problem(1, name, name, _l("Column %(column)s appears more than "
                                                      "once.", column=name)))
        seen.add(name)
    missing = [c for c in columns if c not in header]
    unknown = ", ".join(h for h in header if h and h not in columns)
    for column in missing:
        message = (_l("Required column %(column)s is missing (columns not recognised: "
                      "%(unknown)s).", column=column, unknown=unknown) if unknown else
                   _l("Required column %(column)s is missing.", column=column))
        problems.append(Problem(1, column, None, message))
    if problems:
        raise FileRefused(problems)


class Table:
    """An open table; iterate for ``(row_number, dict)``, close when done."""

    def __init__(self, header: list[str], rows, closer, *, flag_extra_cells: bool,
                 text_cells: bool = False):
        self.header = header
        self._rows = rows
        self._closer = closer
        # Only CSV: there a surplus cell means the columns have shifted; an XLSX
        # cell is a cell, and notes right of the table are harmless.
        self._flag_extra = flag_extra_cells
        self._text_cells = text_cells  # CSV: every cell a str, measured without a loop

    def __iter__(self):
        header, width, flag_extra = self.header, len(self.header), self._flag_extra
        max_rows, max_cell = _limits.rows + 1, _limits.cell_chars  # +1: the header row
        text_cells = self._text_cells
        for number, cells in self._rows:
            if number > max_rows:
                raise _refuse(_l("The file has more than %(max)d data rows. Split it into "
                                 "smaller files.", max=_limits.rows), row=number)
            if (max(map(len, cells), default=0) > max_cell if text_cells else
                    any(type(c) is str and len(c) > max_cell for c in cells)):
                raise _refuse(_l("Row %(row)d has a cell longer than %(max)d characters.",
                                 row=number, max=max_cell), row=number)
            if not any(cells) and all(c is None or c == "" for c in cells):
                continue  # a blank row; ``any`` alone would also skip a row of zeros
            record = dict(zip(header, cells))
            if flag_extra and len(cells) > width and any(cells[width:]):
                record[None] = cells[width:]
            yield number, record

    def close(self) -> None:
        self._closer()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


def check_file(file, file_name: str, columns) -> None:
    """Read the whole file under the limits, without the database; raise ``FileRefused``."""
    with open_table(file, file_name, columns) as table:
        for _row in table:
            pass
    file.seek(0)


def open_table(file, file_name: str, columns) -> Table:
    """Check type, encoding and header of ``file`` (binary, seekable) and open it."""
    kind = _sniff(file, file_name)
    if kind == "xlsx":
        return _open_xlsx(file, columns)
    if kind == "csv":
        return _open_csv(file, columns)
    raise _refuse({
        "empty": _l("The file is empty."),
        "pdf": _l("%(name)s is a PDF document, not a table. Upload a CSV UTF-8 or "
                  "XLSX file.", name=file_name),
        "xls": _l("%(name)s is in the old Excel 97-2003 format. Save it as Excel "
                  "Workbook (.xlsx) or as CSV UTF-8.", name=file_name),
        "damaged xlsx": _l("%(name)s is not a readable XLSX file (it may be damaged). Open "
                           "it in Excel and save it again.", name=file_name),
    }[kind])


def _sniff(file, file_name: str) -> str:
    """What the first bytes say the file is (a file's name is easily changed, not its
    bytes); leaves ``file`` at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head:
        return "empty"
    for start, kind in ((_ZIP, "xlsx"), (b"%PDF", "pdf"), (_OLE2, "xls")):
        if head.startswith(start):
            return kind
    return "damaged xlsx" if file_name.lower().endswith((".xlsx", ".xlsm")) else "csv"


def _damaged_xlsx() -> FileRefused:
    return _refuse(_l("The XLSX file cannot be read (it may be damaged). Open it in Excel "
                      "and save it again, or save it as CSV UTF-8."))


def _check_zip(file) -> None:
    """Refuse a zip that would unpack to more than the limits (a zip bomb)."""
    try:
        members = zipfile.ZipFile(file).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged_xlsx() from None
    finally:
        file.seek(0)
    inflated = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith(
        "sharedstrings.xml"))
    if inflated > _limits.inflated_bytes or shared > _limits.shared_strings_bytes:
        raise _refuse(_l("The XLSX file unpacks to %(size)d MB, more than the %(max)d MB this "
                         "application reads. Remove empty rows and columns, or save it as "
                         "CSV UTF-8.", size=inflated >> 20,
                         max=_limits.inflated_bytes >> 20))


def _open_xlsx(file, columns) -> Table:
    from openpyxl import load_workbook  # only XLSX uploads pay for the import

    _check_zip(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        # One column more than allowed, so a wider header is seen and refused.
        rows = workbook.worksheets[0].iter_rows(values_only=True,
                                                max_col=_limits.columns + 1)
        header = _normalise_header(next(rows, ()))
    except Exception:  # openpyxl raises zip, XML, key and value errors for broken files
        raise _damaged_xlsx() from None
    try:
        if not any(header):
            raise _refuse(_l("The first row of the first sheet must be the header."), row=1)
        _check_header(header, columns)
    except FileRefused:
        workbook.close()
        raise

    def numbered():
        number = 1
        try:
            for number, cells in enumerate(rows, start=2):
                yield number, cells
        except Exception:
            raise _refuse(_l("The XLSX file cannot be read after row %(row)d (it may be "
                             "damaged). Open it in Excel and save it again.", row=number),
                          row=number + 1) from None

    return Table(header, numbered(), workbook.close, flag_extra_cells=False)


def _check_utf8(file) -> int:
    """Refuse a file that is not UTF-8 text; return its longest line in bytes (a line
    holds at least as many bytes as characters)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, longest, open_line = 1, 0, 0  # open_line: bytes of the line the chunk ended in
    for chunk in iter(lambda: file.read(CHUNK), b""):
        bad = chunk.find(b"\x00")  # UTF-16 "Unicode text" and binary files
        try:
            if bad >= 0:
                raise UnicodeDecodeError("utf-8", chunk, bad, bad + 1, "NUL byte")
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line += chunk.count(b"\n", 0, max(exc.start, 0))
            raise _refuse(_l("The file is not UTF-8 text (first problem in row %(row)d). In "
                             "Excel choose Save As, file type \"CSV UTF-8 (Comma delimited)\".",
                             row=line), row=line) from None
        lines = chunk.split(b"\n")
        line += len(lines) - 1
        if len(lines) > 1:
            longest = max(longest, open_line + len(lines[0]),
                          max(map(len, lines[1:-1]), default=0))
            open_line = 0
        open_line += len(lines[-1])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _refuse(_l("The file is not UTF-8 text (it ends in the middle of a character). "
                         "In Excel choose Save As, file type \"CSV UTF-8 (Comma delimited)\"."),
                      row=line) from None
    file.seek(0)
    return max(longest, open_line)


def _read_csv_header(text, columns) -> tuple[list, str]:
    """The header row's cells as written (empty ones right of it included) and the
    delimiter; raises ``FileRefused`` for a header that does not pass."""
    first = text.readline(_limits.line_chars + 1)
    if len(first) > _limits.line_chars:
        raise _refuse(_l("The header row is longer than %(max)d characters.",
                         max=_limits.line_chars), row=1)
    # Excel in an Indonesian locale writes ";" because "," is the decimal separator.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    cells = next(_csv_rows([first], delimiter), [])
    _check_header(_normalise_header(cells), columns)
    return cells, delimiter


def _open_csv(file, columns) -> Table:
    longest = _check_utf8(file)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")

    def release():
        text.detach()  # the caller owns ``file``; closing the wrapper would close it

    try:
        cells, delimiter = _read_csv_header(text, columns)
        header = _normalise_header(cells)
    except FileRefused:
        release()
        raise

    # When no line is too long, csv.reader reads them itself, without a loop in Python.
    lines = text if longest <= _limits.line_chars else _lines(text)
    return Table(header, enumerate(_csv_rows(lines, delimiter), start=2), release,
                 flag_extra_cells=True, text_cells=True)


@dataclass(frozen=True)
class CsvLayout:
    """Where a CSV file's columns lie, for a reader other than ours (PostgreSQL's COPY)."""
    delimiter: str
    width: int  # cells of the header row, empty ones right of it included
    named: int  # cells of the header row up to its last name: a row may hold no more
    position: dict  # each required column -> the index of its cell


def csv_layout(file, file_name: str, columns) -> CsvLayout | None:
    """The layout of a CSV file whose header passes; None for anything else (an XLSX, a
    PDF, a header that is refused or not UTF-8), which only our own reader reports on.
    Leaves ``file`` at its start."""
    if _sniff(file, file_name) != "csv":
        return None
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        cells, delimiter = _read_csv_header(text, columns)
    except (FileRefused, UnicodeDecodeError):
        return None
    finally:
        text.detach()
        file.seek(0)
    header = _normalise_header(cells)
    return CsvLayout(delimiter, len(cells), len(header),
                     {column: header.index(column) for column in columns})


def _lines(text):
    """The text's lines, none longer than a row may be (a one-line 300 MB file is
    refused before it is held in memory)."""
    limit = _limits.line_chars
    for line in iter(lambda: text.readline(limit + 1), ""):
        if len(line) > limit:
            raise _refuse(_l("A row of the file is longer than %(max)d characters.",
                             max=limit))
        yield line


def _csv_rows(lines, delimiter):
    """csv.reader, its errors (a field over csv's own size limit, a stray quote) as a refusal."""
    try:
        yield from csv.reader(lines, delimiter=delimiter)
    except csv.Error as exc:
        raise _refuse(_l("The CSV file is malformed: %(error)s", error=str(exc))) from None
