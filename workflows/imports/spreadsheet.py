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
"""
import codecs
import csv
import hashlib
import io
import tempfile
from collections import namedtuple

from workflows.messages import lazy_gettext as _l

CHUNK = 1 << 20
Problem = namedtuple("Problem", "row column value message")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


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
    return ["" if c is None else str(c).strip().lower() for c in cells]


def _check_header(header: list[str], columns) -> None:
    problems = [Problem(1, name, name, _l("Column %(column)s appears more than once.",
                                          column=name))
                for i, name in enumerate(header) if name and name in header[:i]]
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

    def __init__(self, header: list[str], rows, closer, *, flag_extra_cells: bool):
        self.header = header
        self._rows = rows
        self._closer = closer
        # Only CSV: there a surplus cell means the columns have shifted; an XLSX
        # cell is a cell, and notes right of the table are harmless.
        self._flag_extra = flag_extra_cells

    def __iter__(self):
        header, width, flag_extra = self.header, len(self.header), self._flag_extra
        for number, cells in self._rows:
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


def open_table(file, file_name: str, columns) -> Table:
    """Check type, encoding and header of ``file`` (binary, seekable) and open it."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head:
        raise _refuse(_l("The file is empty."))
    if head.startswith(_ZIP):
        return _open_xlsx(file, columns)
    if head.startswith(b"%PDF"):
        raise _refuse(_l("%(name)s is a PDF document, not a table. Upload a CSV UTF-8 or "
                         "XLSX file.", name=file_name))
    if head.startswith(_OLE2):
        raise _refuse(_l("%(name)s is in the old Excel 97-2003 format. Save it as Excel "
                         "Workbook (.xlsx) or as CSV UTF-8.", name=file_name))
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise _refuse(_l("%(name)s is not a readable XLSX file (it may be damaged). Open it "
                         "in Excel and save it again.", name=file_name))
    return _open_csv(file, columns)


def _damaged_xlsx() -> FileRefused:
    return _refuse(_l("The XLSX file cannot be read (it may be damaged). Open it in Excel "
                      "and save it again, or save it as CSV UTF-8."))


def _open_xlsx(file, columns) -> Table:
    from openpyxl import load_workbook  # only XLSX uploads pay for the import

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
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


def _check_utf8(file) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
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
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _refuse(_l("The file is not UTF-8 text (it ends in the middle of a character). "
                         "In Excel choose Save As, file type \"CSV UTF-8 (Comma delimited)\"."),
                      row=line) from None
    file.seek(0)


def _open_csv(file, columns) -> Table:
    _check_utf8(file)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    first = text.readline()
    # Excel in an Indonesian locale writes ";" because "," is the decimal separator.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = _normalise_header(next(csv.reader([first], delimiter=delimiter), []))

    def release():
        text.detach()  # the caller owns ``file``; closing the wrapper would close it

    try:
        _check_header(header, columns)
    except FileRefused:
        release()
        raise

    def numbered():
        try:
            yield from enumerate(csv.reader(text, delimiter=delimiter), start=2)
        except csv.Error as exc:
            raise _refuse(_l("The CSV file is malformed: %(error)s", error=str(exc))) from None

    return Table(header, numbered(), release, flag_extra_cells=True)
