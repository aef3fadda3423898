"""BPJS status files and paid months for the membership status tests (participants
come from tests.factories.enrol)."""
import io
from datetime import date

from openpyxl import Workbook

from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment

HEADER = ("nik", "kpj", "status", "dibayar_sampai")


def status_csv(rows, header=HEADER) -> io.BytesIO:
    """A BPJS status file from (nik, kpj, status, dibayar_sampai) tuples."""
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row)
                                  for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def status_xlsx(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def row_of(application, status: str = "AKTIF", paid_through: str | None = "2026-06") -> tuple:
    return (application.worker.nik, application.kpj, status, paid_through)


_sp2d = iter(range(1, 10_000))


def pay(session, staff, first: date, months: int = 1, *, day: date = date(2026, 3, 10)):
    """Generate a block of months for every covered participant and record it paid."""
    batch = generate_contributions(session, first_month=first, months=months,
                                   actor=staff["cw1"])
    n = next(_sp2d)
    return record_payment(session, batch, sp2d_number=f"SP2D-M{n}", sp2d_date=day,
                          invoice_number=f"INV-M{n}", actor=staff["cw1"])


def generate(session, staff, first: date, months: int = 1):
    return generate_contributions(session, first_month=first, months=months,
                                  actor=staff["cw1"])
