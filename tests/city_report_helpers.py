"""A small city for the city reports' tests: participants in two kecamatan enrolled
through the verbs in any programme year, contribution blocks paid under an SP2D, and
the report generated as the service does it (figures, chain head, audit events)."""
import io
import itertools
from datetime import date

from openpyxl import load_workbook

from caseapp.extensions import db
from caseapp.reports.service import generate, parse_params
from models import Application
from tests.factories import kpj_of, make_verified
from workflows.approval import approve_batch
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.states import apply_transition

BEKASIJAYA = "3275011001"   # kecamatan Bekasi Timur (327501)
KRANJI = "3275021002"       # kecamatan Bekasi Barat (327502)
PURPOSE = "Daftar peserta untuk rapat evaluasi kelurahan"
_sk = itertools.count(1)


def members(session, staff, n, *, year=2026, coverage_start=None, sk_date=None, **fields):
    """``n`` workers enrolled in programme ``year`` under one SK (tests.factories.enrol is
    for 2026 only)."""
    verified = [make_verified(session, staff["cw1"], staff["cw2"], year=year, **fields)
                for _ in range(n)]
    approve_batch(session, fiscal_year=year, application_ids=[a.id for a in verified],
                  sk_number=f"SK-KOTA-{next(_sk)}-{verified[0].id}",
                  sk_date=sk_date or date(year, 1, 5), actor=staff["head"])
    enrolled = []
    for application in verified:
        application = session.get(Application, application.id)
        assert application.state == "approved", "the budget must hold every participant"
        apply_transition(session, application, "submit_to_bpjs", actor=staff["cw1"])
        application.kpj = kpj_of(application.id)
        application.coverage_start = coverage_start or date(year, 1, 1)
        apply_transition(session, application, "enrol", actor=staff["cw1"])
        enrolled.append(application)
    return enrolled


def paid_block(session, staff, first_month: date, months: int, sp2d: str, sp2d_date: date):
    batch = generate_contributions(session, first_month=first_month, months=months,
                                   actor=staff["cw1"])
    return record_payment(session, batch, sp2d_number=sp2d, sp2d_date=sp2d_date,
                          invoice_number=f"INV-{sp2d}", actor=staff["cw1"])


def make_report(app, staff, kind, fmt, raw, *, user="head", purpose=None):
    """The report as the job makes it, committed (the test's transaction keeps it)."""
    with app.test_request_context():
        result = generate(db.session, kind, fmt, parse_params(kind, raw), actor=staff[user],
                          purpose=purpose)
        db.session.commit()
    return result


def sheets(content: bytes) -> dict[int, list[tuple]]:
    """Each worksheet's rows (header first), by position; the Info sheet last."""
    book = load_workbook(io.BytesIO(content))
    return {i: list(ws.iter_rows(values_only=True)) for i, ws in enumerate(book.worksheets)}


def info(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {label: value for label, value in book.worksheets[-1].iter_rows(values_only=True)}
