"""The refund ledger page (menu "Kepesertaan"): lines and totals per year for every
role that reads cases, the refund form for caseworkers only, an XLSX export with a
stated purpose and the audit chain head."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent, RefundLine
from tests.factories import enrol, make_budget
from tests.helpers import csrf_token, login
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.exits import record_death

PREMIUM = 16_800
PURPOSE = "Rekonsiliasi pengembalian iuran dengan BPJS Cabang Bekasi"


@pytest.fixture
def ledger(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, full_name="Almarhum Sutarno")
    batch = generate_contributions(session, first_month=date(2026, 1, 1), months=6,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-WEB-1", sp2d_date=date(2026, 1, 10),
                   invoice_number="INV-WEB-1", actor=staff["cw1"])
    record_death(session, member, date_of_death=date(2026, 4, 15), note="", actor=staff["cw1"])
    session.commit()
    return member, session.execute(select(RefundLine).order_by(RefundLine.month)
                                   ).scalars().all()


@pytest.mark.parametrize("user,forms", [("cw1", True), ("head", False), ("audit1", False)])
def test_each_reader_sees_the_lines_and_only_caseworkers_the_form(client, session, ledger,
                                                                  user, forms):
    member, lines = ledger
    login(client, user)
    response = client.get("/refunds/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Buku pengembalian iuran" in html and "Almarhum Sutarno" in html
    assert "2026-05" in html and "2026-06" in html and "SP2D-WEB-1" in html
    total = re.search(r'data-testid="refund-total-2026">(.*?)</tr>', html, re.S).group(1)
    assert "Rp33.600" in total  # two months owed
    assert ('data-testid="refund-form-' in html) is forms
    assert session.execute(select(AuditEvent).where(
        AuditEvent.action == "refunds.list", AuditEvent.actor_name == user,
        AuditEvent.entity_id == str(member.id))).scalars().first() is not None


def test_the_admin_does_not_see_the_ledger(client, ledger):
    login(client, "admin1")
    assert client.get("/refunds/").status_code == 403


def test_a_refund_is_recorded_from_the_page_once(client, session, ledger):
    _member, lines = ledger
    login(client, "cw2")
    token = csrf_token(client, "/refunds/")
    form = {"csrf_token": token, "amount": "16.800", "received_on": "2026-07-01",
            "bpjs_reference": "TRF-0701"}
    too_much = client.post(f"/refunds/{lines[0].id}/refund", data={**form, "amount": "20.000"})
    assert too_much.status_code == 422
    assert "tidak dapat mengembalikan lebih" in too_much.get_data(as_text=True)
    done = client.post(f"/refunds/{lines[0].id}/refund", data=form, follow_redirects=True)
    assert "Pengembalian iuran 2026-05" in done.get_data(as_text=True)
    again = client.post(f"/refunds/{lines[0].id}/refund", data=form)
    assert again.status_code == 409 and "sudah dicatat" in again.get_data(as_text=True)
    session.expire_all()
    line = session.get(RefundLine, lines[0].id)
    assert (line.status, line.refunded_amount, line.bpjs_reference) == (
        "refunded", PREMIUM, "TRF-0701")
    html = client.get("/refunds/?status=owed").get_data(as_text=True)
    assert "2026-06" in html and f'data-testid="refund-line-{lines[0].id}"' not in html
    assert client.post("/refunds/999999/refund", data=form).status_code == 404


def test_the_auditor_cannot_record_a_refund(client, session, ledger):
    _member, lines = ledger
    login(client, "audit1")
    response = client.post(f"/refunds/{lines[0].id}/refund", data={
        "csrf_token": csrf_token(client, "/refunds/"), "amount": "16800",
        "received_on": "2026-07-01", "bpjs_reference": "X"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(RefundLine, lines[0].id).status == "owed"


def test_the_export_needs_a_purpose_and_carries_the_chain_head(client, session, ledger):
    login(client, "head")
    token = csrf_token(client, "/refunds/")
    assert client.post("/refunds/export.xlsx", data={"csrf_token": token}).status_code == 422
    response = client.post("/refunds/export.xlsx", data={"csrf_token": token,
                                                         "purpose": PURPOSE})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    lines, totals, info = (list(ws.values) for ws in book.worksheets)
    assert [(row[1], row[3], row[4]) for row in lines[1:]] == [
        ("Almarhum Sutarno", "2026-05", PREMIUM), ("Almarhum Sutarno", "2026-06", PREMIUM)]
    assert totals[1][:4] == (2026, 2, PREMIUM * 2, PREMIUM * 2)
    facts = {row[0]: row[1] for row in info}
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "refunds.export")).scalar_one()
    assert event.reason == PURPOSE
    values = [str(value) for value in facts.values()]
    assert str(event.seq - 1) in values and event.prev_hash in values  # the head it was made at
