"""Reading the BPJS contribution bill or receipt: ``nik, kpj, bulan, iuran, status``.

The column names are the contract (design.md); the BPJS template is not public,
so this is the one place to change when the branch office hands theirs over.
Every cell problem, a NIK and month that appear twice, and a month outside the
batch are per-row problems; reading goes on so the report names all of them.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime

from reports.contributions import month_index, month_of
from workflows.imports import values
from workflows.imports.rows import read_rows
from workflows.messages import lazy_gettext as _l

COLUMNS = ("nik", "kpj", "bulan", "iuran", "status")
STATUSES = ("LUNAS", "BELUM")
PROGRESS_EVERY = 5_000
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})(?:-01)?$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")  # 16.800, as Indonesians write it


@dataclass(frozen=True, slots=True)
class BillRow:
    kpj: str
    iuran: int
    status: str


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def parse_kpj(value) -> str:
    text = "".join(_text(value).split()).lstrip("'")
    if not text:
        raise values.CellError(_l("kpj is empty."))
    if not (text.isascii() and text.isdigit() and len(text) <= 20):
        raise values.CellError(_l("kpj must be the KPJ number: digits only, at most 20."))
    return text


def parse_month(value) -> int:
    """YYYY-MM (a date cell counts as its month); returned as a month index."""
    if isinstance(value, (datetime, date)):
        return month_index(value)
    text = _text(value)
    match = _MONTH.match(text)
    if not match:
        raise values.CellError(_l("bulan must be written YYYY-MM, e.g. 2026-03."))
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise values.CellError(_l("%(value)s is not a month that exists.", value=text))
    return month_index(date(year, month, 1))


def parse_iuran(value) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, (int, float)):
        amount = int(value) if float(value).is_integer() else None
    else:
        text = _text(value).replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(".", "")
        amount = int(text) if text.lstrip("-").isascii() and text.lstrip("-").isdigit() else None
    if amount is None or amount <= 0:
        raise values.CellError(_l("iuran must be whole rupiah above zero, e.g. 16800."))
    return amount


def parse_status(value) -> str:
    text = _text(value).upper()
    if text not in STATUSES:
        raise values.CellError(_l("status must be LUNAS or BELUM."))
    return text


_PARSERS = (("nik", values.parse_nik), ("kpj", parse_kpj), ("bulan", parse_month),
            ("iuran", parse_iuran), ("status", parse_status))


def read_bill(file, file_name: str, months: tuple[int, int], problems, progress=None
              ) -> tuple[dict[tuple[int, int], BillRow], int]:
    """``({(int NIK, month index): row}, rows read)``; problems go to ``problems``."""
    bill: dict[tuple[int, int], BillRow] = {}
    first_row: dict[tuple[int, int], int] = {}
    rows = read_rows(file, file_name, COLUMNS, problems,
                     lambda number, cells: _read_row(number, cells, months, bill, first_row,
                                                     problems),
                     progress, every=PROGRESS_EVERY)
    return bill, rows


def _read_row(number, cells, months, bill, first_row, problems) -> None:
    parsed = {}
    for column, parse in _PARSERS:
        try:
            parsed[column] = parse(cells.get(column))
        except values.CellError as exc:
            problems.add(number, column, cells.get(column), exc.message)
    if None in cells:
        problems.add(number, None, cells[None][0], _l(
            "This row has more values than the header has columns (a comma inside a value "
            "must be in quotes)."))
    month = parsed.get("bulan")
    if month is not None and not months[0] <= month <= months[1]:
        problems.add(number, "bulan", cells.get("bulan"), _l(
            "%(month)s is not a month of this batch (%(first)s to %(last)s); is this a file "
            "from another batch?", month=f"{month_of(month):%Y-%m}",
            first=f"{month_of(months[0]):%Y-%m}", last=f"{month_of(months[1]):%Y-%m}"))
        return
    if "nik" not in parsed or month is None:
        return
    key = (int(parsed["nik"]), month)
    first = first_row.setdefault(key, number)
    if first != number:
        problems.add(number, "nik", parsed["nik"], _l(
            "This NIK and month already appear in row %(row)d.", row=first))
        return
    if len(parsed) == len(_PARSERS):
        bill[key] = BillRow(parsed["kpj"], parsed["iuran"], parsed["status"])
