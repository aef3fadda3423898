"""The case page's end-of-membership form with the real reasons (in Bahasa Indonesia),
the date of death and the other payer, clear refusals, and the exit's facts and refund
lines shown afterwards."""
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, MembershipExit
from tests.factories import enrol, make_budget
from tests.helpers import csrf_token, login
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment


@pytest.fixture
def member(session, staff):
    make_budget(session, staff["admin1"], places=2)
    (member,) = enrol(session, staff, full_name="Bapak Rasidi")
    batch = generate_contributions(session, first_month=date(2026, 1, 1), months=6,
                                   actor=staff["cw1"])
    record_payment(session, batch, sp2d_number="SP2D-KASUS-1", sp2d_date=date(2026, 1, 10),
                   invoice_number="INV-KASUS-1", actor=staff["cw1"])
    session.commit()
    return member


def _post(client, member, **data):
    page = f"/cases/{member.id}"
    return client.post(f"{page}/terminate", data={"csrf_token": csrf_token(client, page),
                                                  **data})


def test_the_form_offers_the_real_reasons(client, member):
    login(client, "cw1")
    html = client.get(f"/cases/{member.id}").get_data(as_text=True)
    for label in ("Meninggal dunia", "NIK nonaktif di Dukcapil", "Nonaktif di BPJS",
                  "Melanjutkan sebagai peserta mandiri", "Kini dibayar pihak lain",
                  "Pemerintah Provinsi Jawa Barat",
                  "Tanggal meninggal (sesuai akta kematian"):
        assert label in html, label
    assert 'name="date_of_death"' in html and 'name="other_payer"' in html
    assert 'value="desil_naik"' not in html  # ended from the desil list, with the desil seen
    assert "tidak dapat dibatalkan" in html  # the confirmation before the step


def test_the_head_and_the_auditor_get_no_form_and_cannot_post(app, client, member):
    for user in ("head", "audit1"):
        client = app.test_client()
        login(client, user)
        assert 'data-testid="terminate-form"' not in client.get(
            f"/cases/{member.id}").get_data(as_text=True)
        response = _post(client, member, exit_reason="meninggal", date_of_death="2026-04-15")
        assert response.status_code == 403, user


@pytest.mark.parametrize("data,text", [
    ({"exit_reason": "meninggal"}, "Isi tanggal meninggal"),
    ({"exit_reason": "meninggal", "date_of_death": "2026-07-11"}, "tidak boleh di masa depan"),
    ({"exit_reason": "meninggal", "date_of_death": "15/04/2026"}, "Isi tanggal meninggal"),
    ({"exit_reason": "pembayar_lain", "effective_month": "2026-09"},
     "Pilih siapa yang kini membayar iuran"),
    ({"exit_reason": "nik_nonaktif"}, "Pilih bulan"),
])
def test_what_is_missing_is_said(client, session, member, data, text):
    login(client, "cw1")
    response = _post(client, member, **data)
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Application, member.id).state == "enrolled"


def test_a_death_is_recorded_and_its_refund_lines_shown(client, session, member):
    login(client, "cw2")
    done = _post(client, member, exit_reason="meninggal", date_of_death="2026-04-15",
                 effective_month="2026-12", note="Akta kematian 0001")  # the month is ignored
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "BPJS wajib mengembalikan Rp33.600" in html
    assert "Tanggal meninggal" in html and "15 April 2026" in html
    assert "Mei 2026" in html  # the first month not owed
    lines = html.split('data-testid="case-refund-lines"')[1].split("</table>")[0]
    assert "2026-05" in lines and "2026-06" in lines and "2026-04" not in lines
    again = _post(client, member, exit_reason="meninggal", date_of_death="2026-04-15")
    assert again.status_code == 409 and "sudah berakhir" in again.get_data(as_text=True)
    session.expire_all()
    facts = session.execute(select(MembershipExit)).scalar_one()
    assert (facts.date_of_death, facts.exit_month, facts.note) == (
        date(2026, 4, 15), date(2026, 5, 1), "Akta kematian 0001")


def test_another_payer_is_kept_and_shown(client, session, member):
    login(client, "cw1")
    done = _post(client, member, exit_reason="pembayar_lain", other_payer="APBN",
                 effective_month="2026-08")
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Kini dibayar oleh" in html and "APBN (pemerintah pusat)" in html
    assert 'data-testid="case-refund-lines"' not in html  # August on was never paid
