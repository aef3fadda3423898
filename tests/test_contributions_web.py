"""The Contributions and payments pages (CSRF, roles, XHR upload) and the case card."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditEvent, BudgetYear, ContributionMonth, PaymentBatch
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import enrol
from tests.factories import make_budget
from tests.helpers import csrf_token, job_result, login

BASE = "/contributions-payments"


@pytest.fixture
def participants(session, staff):
    make_budget(session, staff["admin1"], places=2)
    apps = enrol(session, staff, 2)
    session.commit()
    return apps


def _token(client):
    return csrf_token(client, f"{BASE}/")


def _generate(client, month="2026-03", months="1"):
    return client.post(f"{BASE}/generate", data={"csrf_token": _token(client), "month": month,
                                                 "months": months})


def _pay(client, batch_id, sp2d="SP2D-WEB-1"):
    return client.post(f"{BASE}/batches/{batch_id}/pay", data={
        "csrf_token": _token(client), "sp2d_number": sp2d, "sp2d_date": "2026-03-12",
        "invoice_number": "INV-WEB-1"})


def _batches(session):
    session.expire_all()
    return session.execute(select(PaymentBatch).order_by(PaymentBatch.id)).scalars().all()


def test_caseworker_generates_pays_and_reconciles(client, session, participants):
    login(client, "cw1")
    index = client.get(f"{BASE}/").get_data(as_text=True)
    assert 'data-testid="generate-form"' in index
    response = _generate(client, months="3")
    [batch] = _batches(session)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"{BASE}/batches/{batch.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rp100.800" in page and 'data-testid="pay-form"' in page
    assert _pay(client, batch.id).status_code == 302
    batch = _batches(session)[0]
    assert (batch.status, batch.sp2d_number) == ("paid", "SP2D-WEB-1")
    assert session.get(BudgetYear, 2026).realised == 100_800
    listing = client.get(f"{BASE}/").get_data(as_text=True)
    assert "SP2D-WEB-1" in listing and "INV-WEB-1" in listing and "Rp100.800" in listing
    upload = client.post(f"{BASE}/batches/{batch.id}/reconcile", data={
        "csrf_token": _token(client),
        "file": (bill_csv(matching_rows(session, batch)), "tagihan.csv")},
        headers={"X-Requested-With": "XMLHttpRequest"}, content_type="multipart/form-data")
    result = job_result(client, upload)
    assert upload.status_code == 200 and f"/batches/{batch.id}?run=" in result
    assert _batches(session)[0].status == "reconciled"
    detail = client.get(result).get_data(as_text=True)
    assert 'data-testid="report-link"' in detail and 'data-testid="last-run"' in detail
    report = client.post(f"{BASE}/batches/{batch.id}/reconciliation.csv", data={
        "csrf_token": _token(client), "purpose": "Rekonsiliasi tagihan iuran BPJS"})
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.get_data(as_text=True).startswith("\ufeffselisih,keterangan,nik")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "contributions.report_download")) == 1


def test_a_rejected_bill_is_shown_with_its_report(client, session, participants):
    login(client, "cw1")
    _generate(client)
    batch = _batches(session)[0]
    _pay(client, batch.id)
    rows = matching_rows(session, batch)
    bad = [rows[0][:2] + ("2026-13",) + rows[0][3:]] + rows[1:]
    response = client.post(f"{BASE}/batches/{batch.id}/reconcile", data={
        "csrf_token": _token(client), "file": (bill_csv(bad), "tagihan.csv")},
        content_type="multipart/form-data")
    result = job_result(client, response)
    assert response.status_code == 302 and "run=" in result
    page = client.get(result).get_data(as_text=True)
    assert 'data-testid="last-run"' in page and "/imports/" in page and "report.csv" in page
    assert _batches(session)[0].status == "paid"


def test_forms_need_the_csrf_token_and_valid_input(client, session, participants):
    login(client, "cw1")
    no_token = client.post(f"{BASE}/generate", data={"month": "2026-03", "months": "1"})
    assert no_token.status_code == 400 and _batches(session) == []
    assert _generate(client, month="maret").status_code == 422
    assert _generate(client, months="2").status_code == 422
    assert _batches(session) == []
    _generate(client)
    batch_id = _batches(session)[0].id
    bad_date = client.post(f"{BASE}/batches/{batch_id}/pay", data={
        "csrf_token": _token(client), "sp2d_number": "X", "sp2d_date": "besok",
        "invoice_number": "Y"})
    assert bad_date.status_code == 422 and _batches(session)[0].status == "generated"
    assert _generate(client).status_code == 409  # the month exists: nothing new


@pytest.mark.parametrize("username", ["head", "audit1", "admin1"])
def test_other_roles_read_but_cannot_act(client, session, staff, participants, username):
    from workflows.contributions.generation import generate_contributions

    batch = generate_contributions(session, first_month=date(2026, 3, 1), months=1,
                                   actor=staff["cw1"])
    session.commit()
    login(client, username)
    listing = client.get(f"{BASE}/")
    assert listing.status_code == 200 and 'data-testid="generate-form"' not in \
        listing.get_data(as_text=True)
    detail = client.get(f"{BASE}/batches/{batch.id}").get_data(as_text=True)
    assert "Rp33.600" in detail and 'data-testid="pay-form"' not in detail
    assert _generate(client, month="2026-04").status_code == 403
    assert _pay(client, batch.id).status_code == 403
    assert client.get(f"{BASE}/lapse").status_code == 200
    assert [b.status for b in _batches(session)] == ["generated"]


def test_the_admin_never_reads_the_named_lapse_list(client, session, staff, participants):
    from workflows.contributions.generation import generate_contributions

    generate_contributions(session, first_month=date(2026, 1, 1), months=3, actor=staff["cw1"])
    session.commit()
    login(client, "admin1")
    assert "lapse-counts" in client.get(f"{BASE}/lapse").get_data(as_text=True)
    refused = client.post(f"{BASE}/lapse", data={"csrf_token": csrf_token(client, f"{BASE}/lapse"),
                                                 "purpose": "Ingin tahu saja, iseng"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403 and participants[0].worker.nik not in html
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "contributions.lapse_list")) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, session):
    response = client.get(f"{BASE}/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_lapse_list_and_case_card(client, session, staff, participants):
    from workflows.contributions.generation import generate_contributions
    from workflows.contributions.payment import record_payment

    paid, unpaid = participants
    batch = generate_contributions(session, first_month=date(2026, 1, 1), months=3,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-CARD", sp2d_date=date(2026, 1, 9),
                   invoice_number="INV", actor=staff["cw1"])
    session.execute(ContributionMonth.__table__.update().where(
        ContributionMonth.application_id == unpaid.id).values(status="due"))
    generate_contributions(session, first_month=date(2026, 4, 1), months=1, actor=staff["cw1"])
    session.commit()
    login(client, "cw2")
    counts = client.get(f"{BASE}/lapse").get_data(as_text=True)
    assert 'data-testid="lapse-counts"' in counts and unpaid.worker.nik not in counts
    token = csrf_token(client, f"{BASE}/lapse")
    no_purpose = client.post(f"{BASE}/lapse", data={"csrf_token": token})
    assert no_purpose.status_code == 422 and unpaid.worker.nik not in no_purpose.get_data(
        as_text=True)
    purpose = "Tindak lanjut tunggakan ke BPKAD"
    lapse = client.post(f"{BASE}/lapse", data={"csrf_token": token, "purpose": purpose})
    assert lapse.status_code == 200
    assert unpaid.worker.nik in lapse.get_data(as_text=True)  # nothing paid: lapsed
    assert unpaid.kpj in lapse.get_data(as_text=True)
    reads = session.execute(select(AuditEvent.entity_id, AuditEvent.reason).where(
        AuditEvent.action == "contributions.lapse_list")).all()
    assert (str(unpaid.id), purpose) in reads
    card = client.get(f"/cases/{paid.id}").get_data(as_text=True)
    assert 'data-testid="contributions"' in card
    assert '<strong data-testid="paid-through">2026-03</strong>' in card
    assert card.count("Rp16.800") == 4 and "2026-02" in card and "2026-04" in card
    other = client.get(f"/cases/{unpaid.id}").get_data(as_text=True)
    assert 'data-testid="paid-through">2026-03<' not in other
