"""The head's pages: ranking, a proposal and its signed decree, the budget."""
import re

from sqlalchemy import select

from models import Application, BudgetYear, Decree
from tests.factories import make_budget, make_verified
from tests.helpers import csrf_token, login


def _approve(client, data):
    """Propose the cases, then enter the signed decree; the last answer."""
    sign = {k: data.pop(k) for k in ("sk_number", "sk_date") if k in data}
    proposed = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026", **data})
    if proposed.status_code != 302:
        return proposed
    page = proposed.headers["Location"]
    return client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                             "sk_date": "2026-07-01", **sign})


def test_head_approves_ticked_cases_and_sees_the_decree_and_budget(client, session, staff):
    make_budget(session, staff["admin1"], places=1)
    first = make_verified(session, staff["cw1"], staff["cw2"], desil=1)
    second = make_verified(session, staff["cw1"], staff["cw2"], desil=2)
    session.commit()
    login(client, "head")
    page = client.get("/approval/?year=2026").get_data(as_text=True)
    assert page.index(f">{first.id}</a>") < page.index(f">{second.id}</a>")
    response = _approve(client, {"sk_number": "500.15.1/Kep.1-Disnaker/VII/2026",
                                 "application_id": [str(first.id), str(second.id)]})
    assert response.status_code == 302
    decree = session.execute(select(Decree)).scalar_one()
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 disetujui, 1 dalam daftar tunggu" in html and "utuh" in html
    session.expire_all()
    assert session.get(Application, first.id).state == "approved"
    budget = client.get("/budget/?year=2026").get_data(as_text=True)
    assert "Rp100.800" in budget and decree.sk_number in budget
    assert re.search(r"Bekasi Timur", budget)


def test_refusals_show_the_ranking_again_with_the_reason(client, session, staff):
    make_budget(session, staff["admin1"], places=3)
    application = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    empty_sk = _approve(client, {"sk_number": "", "application_id": [str(application.id)]})
    assert empty_sk.status_code == 422
    proposal = session.execute(select(Decree)).scalar_one()
    page = f"/approval/decrees/{proposal.id}"
    bad_date = client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                                 "sk_number": "SK-9", "sk_date": "kemarin"})
    assert bad_date.status_code == 422 and "Tanggal SK" in bad_date.get_data(as_text=True)
    assert 'data-testid="sign-decree"' in bad_date.get_data(as_text=True)  # the form stays
    signed = client.post(f"{page}/sign", data={"csrf_token": csrf_token(client, page),
                                               "sk_number": "SK-9", "sk_date": "2026-07-01"})
    assert signed.status_code == 302
    case_page = client.get(f"/cases/{application.id}").get_data(as_text=True)
    assert f'href="{page}" data-testid="case-decree">SK SK-9</a>' in case_page  # not "#1"
    again = _approve(client, {"sk_number": "SK-10", "scope": "all"})
    assert again.status_code == 422  # nothing verified is left to approve
    session.expire_all()
    assert session.get(BudgetYear, 2026).places_used == 1


def test_auditor_sees_but_cannot_approve(client, session, staff):
    make_budget(session, staff["admin1"])
    application = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "audit1")
    assert client.get("/approval/").status_code == 200
    assert _approve(client, {"sk_number": "SK-X", "application_id": [str(application.id)]}
                    ).status_code == 403
    session.expire_all()
    assert session.get(Application, application.id).state == "verified"


def test_admin_budget_year_cannot_go_below_commitments(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    application = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    _approve(client, {"sk_number": "SK-1", "application_id": [str(application.id)]})
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "admin1")
    token = csrf_token(client, "/budget_years/")
    response = client.post("/budget_years/edit/?id=2026", data={
        "csrf_token": token, "fiscal_year": "2026", "dpa_reference": "DPA", "appropriation": "1000",
        "quota": "2", "premium_per_month": "16800", "coverage_months": "12", "status": "open"})
    assert "tidak boleh kurang" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(BudgetYear, 2026).appropriation == 16_800 * 12 * 2
    negative = client.post("/budget_years/new/", data={
        "csrf_token": token, "fiscal_year": "2027", "dpa_reference": "DPA", "appropriation": "-5",
        "quota": "2", "premium_per_month": "", "coverage_months": "12", "status": "open"})
    assert negative.status_code == 200 and session.get(BudgetYear, 2027) is None
    # The premium left empty, as its label allows: JKK + JKM on the year's UMK.
    created = client.post("/budget_years/new/", data={
        "csrf_token": token, "fiscal_year": "2027", "dpa_reference": "DPA 2027",
        "appropriation": str(16_800 * 12 * 2), "quota": "2", "premium_per_month": "",
        "coverage_months": "12"})
    assert created.status_code == 302, created.get_data(as_text=True)[-400:]
    assert session.get(BudgetYear, 2027).premium_per_month > 0


def test_head_declines_on_the_case_page(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    application = make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    page = f"/cases/{application.id}"
    token = csrf_token(client, page)
    assert client.post(f"{page}/decline", data={"csrf_token": token, "reason": ""}
                       ).status_code == 422
    assert client.post(f"{page}/decline", data={"csrf_token": token, "reason": "Pindah domisili"}
                       ).status_code == 302
    session.expire_all()
    assert session.get(Application, application.id).state == "declined"
