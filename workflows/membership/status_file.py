"""Reading a BPJS membership status file: ``nik, kpj, status, dibayar_sampai``.

The columns live with the other BPJS interchange columns (workflows/bpjs/columns.py).
``dibayar_sampai`` is the month BPJS shows contributions paid through: YYYY-MM as the
contract says, and also a day (YYYY-MM-DD, DD/MM/YYYY, an Excel date cell), which
counts as its month. Every cell problem and a NIK given twice are per-row problems;
reading goes on so the report names all of them.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime

from reports.contributions import month_index, month_of
from workflows.bpjs.columns import ACTIVE, INACTIVE, STATUS_COLUMNS
from workflows.contributions.bill import parse_kpj
from workflows.imports import values
from workflows.imports.rows import RowsByNik, read_rows
from workflows.messages import lazy_gettext as _l

PROGRESS_EVERY = 5_000
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_EARLIEST, _LATEST = 2000, 2100


@dataclass(frozen=True, slots=True)
class StatusRow:
    row: int
    nik: str
    kpj: str
    status: str
    paid_through: date | None  # first day of the month


def parse_status(value) -> str:
    text = "" if value is None else str(value).strip().upper().replace(" ", "")
    if text not in (ACTIVE, INACTIVE):
        raise values.CellError(_l("status must be AKTIF or NONAKTIF."))
    return text


def parse_paid_through(value) -> date | None:
    """The month (its first day); empty is None (nothing paid at BPJS)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (datetime, date)):
        day = value.date() if isinstance(value, datetime) else value
    else:
        text = str(value).strip()
        match = _MONTH.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise values.CellError(_l("%(value)s is not a month that exists.", value=text))
            day = date(year, month, 1)
        else:
            try:
                day = values.parse_date(value)
            except values.CellError:
                raise values.CellError(_l("dibayar_sampai must be the month paid through, "
                                          "written YYYY-MM, e.g. 2026-03.")) from None
    if not _EARLIEST <= day.year <= _LATEST:
        raise values.CellError(_l("dibayar_sampai must lie between %(first)d and %(last)d.",
                                  first=_EARLIEST, last=_LATEST))
    return month_of(month_index(day))


def _parse(number: int, cells: dict, problems) -> StatusRow | None:
    parsed, bad = {}, False
    for column, parse in (("nik", values.parse_nik), ("kpj", parse_kpj),
                          ("status", parse_status), ("dibayar_sampai", parse_paid_through)):
        try:
            parsed[column] = parse(cells.get(column))
        except values.CellError as exc:
            problems.add(number, column, cells.get(column), exc.message)
            bad = True
    if not bad and parsed["status"] == ACTIVE and parsed["dibayar_sampai"] is None:
        problems.add(number, "dibayar_sampai", None, _l(
            "An AKTIF row needs the month paid through (dibayar_sampai)."))
        bad = True
    if None in cells:
        problems.add(number, None, cells[None][0], _l(
            "This row has more values than the header has columns (a comma inside a value "
            "must be in quotes)."))
        bad = True
    if bad:
        return None
    return StatusRow(number, parsed["nik"], parsed["kpj"], parsed["status"],
                     parsed["dibayar_sampai"])


def read_status_file(file, file_name: str, problems, progress=None
                     ) -> tuple[list[StatusRow], int]:
    """``(well-formed rows, rows read)``; every problem goes to ``problems``."""
    found = RowsByNik(problems)

    def read_row(number: int, cells: dict) -> None:
        parsed = _parse(number, cells, problems)
        found.add(number, parsed.nik if parsed else None, parsed)

    rows = read_rows(file, file_name, STATUS_COLUMNS, problems, read_row, progress,
                     every=PROGRESS_EVERY)
    return found.rows, rows


def check_status_file(file, file_name: str, problems) -> int:
    """The whole file read and every cell checked, without the database."""
    return read_status_file(file, file_name, problems)[1]
