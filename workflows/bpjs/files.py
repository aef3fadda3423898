"""The bytes of a registration batch: CSV and XLSX, built once and reproducible.

What BPJS received must be provable later: the batch stores both files with
their SHA-256, and building them again from the same rows and date gives the
same bytes. For the XLSX that means fixing what openpyxl would take from the
clock (the document's creation and modification times, the ZIP entries' times).
"""
import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.xml.functions import tostring

from workflows.bpjs.columns import EXPORT_COLUMNS, NUMBER_COLUMNS

CREATOR = "SIGAP Disnaker Kota Bekasi"
_TEXT = "@"  # Excel's Text format: NIK, phone and codes keep their leading digits


def build_csv(rows: list[tuple]) -> bytes:
    """UTF-8 (no BOM: a machine reads it first), header, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def build_xlsx(rows: list[tuple], *, title: str, day: date) -> bytes:
    """The first (only) sheet holds the header and the rows; text columns are Text cells."""
    stamp = datetime(day.year, day.month, day.day)
    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = CREATOR
    properties.title = title
    properties.created = properties.modified = stamp
    sheet = workbook.create_sheet(title=title[:31])
    text_columns = [column not in NUMBER_COLUMNS for column in EXPORT_COLUMNS]
    sheet.append([_cell(sheet, name, True) for name in EXPORT_COLUMNS])
    for row in rows:
        sheet.append([_cell(sheet, value, is_text)
                      for value, is_text in zip(row, text_columns)])
    raw = io.BytesIO()
    workbook.save(raw)
    properties.modified = stamp  # openpyxl stamps "now" while saving
    return _reproducible(raw.getvalue(), tostring(properties.to_tree()), stamp)


def _cell(sheet, value, is_text: bool) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if is_text:
        cell.data_type = "s"  # a string, never a formula, whatever its first character
        cell.number_format = _TEXT
    return cell


def _reproducible(raw: bytes, core_xml: bytes, stamp: datetime) -> bytes:
    """Rewrite the ZIP with fixed entry times, permissions and document properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = core_xml if entry.filename == "docProps/core.xml" else \
                source.read(entry.filename)
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            target.writestr(fixed, data)
    return out.getvalue()
