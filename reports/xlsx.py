"""Spreadsheet and CSV exports of report tables.

Cells are typed (numbers as numbers, dates as dates) so the figures can be
summed and filtered, and text that a spreadsheet would run as a formula (a
leading = + - @, or tab / carriage return) is neutralised with a leading
apostrophe (OWASP "CSV injection"): a worker's name typed as ``=HYPERLINK(...)``
stays text. openpyxl's write-only mode streams rows, so a long table is never
held in memory as cells.
"""
import csv
import io
from datetime import date, datetime, timezone

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.clock import JAKARTA
from reports.tables import Sheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})
_FORMATS = {"int": "#,##0", "money": "#,##0", "decimal": "0.00", "date": "yyyy-mm-dd",
            "datetime": "yyyy-mm-dd hh:mm:ss", "percent": "0.0%"}


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _local(moment: datetime) -> datetime:
    """Spreadsheets have no time zones: write Jakarta wall-clock time (WIB)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(JAKARTA).replace(tzinfo=None)


def typed(value, kind: str):
    """The Python value a cell of ``kind`` gets (None stays an empty cell)."""
    if value is None or value == "":
        return None
    if kind in ("int", "money"):
        return int(value)
    if kind in ("percent", "decimal"):
        return float(value)
    if kind == "datetime" and isinstance(value, datetime):
        return _local(value)
    if kind == "date" and isinstance(value, datetime):
        return _local(value).date()
    if kind == "date" and isinstance(value, date):
        return value
    return neutralise(str(value))


def _title(text: str, used: set[str]) -> str:
    base = str(text).translate(_BAD_TITLE).strip()[:28] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base[:25]} ({n})", n + 1
    used.add(title.lower())
    return title


def write_xlsx(sheets: list[Sheet], info: list[tuple[str, object]]) -> bytes:
    """One worksheet per table, then a sheet with what the export is (``info``)."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets + [Sheet("Info", [], [])]:
        ws = book.create_sheet(_title(sheet.title, used))
        if sheet.title == "Info" and not sheet.columns:
            ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 34, 90
            for label, value in info:
                ws.append([neutralise(str(label)), typed(value, _kind_of(value))])
            continue
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=neutralise(str(column.label)))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, value, column.kind) for value, column in zip(row, sheet.columns)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int):
        return "int"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "text"


def _cell(ws, value, kind: str):
    value = typed(value, kind)
    if value is None or kind == "text":
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = _FORMATS[kind]
    return cell


def write_csv(sheet: Sheet) -> bytes:
    """One table as CSV (UTF-8 with BOM so spreadsheets detect it), same neutralising."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(c.label)) for c in sheet.columns])
    for row in sheet.rows:
        values = []
        for value, column in zip(row, sheet.columns):
            value = typed(value, column.kind)
            values.append("" if value is None else
                          value.isoformat(sep=" ") if isinstance(value, datetime) else value)
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
