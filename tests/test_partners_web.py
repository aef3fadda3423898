"""A partner's pages show its scope only: the worklist, the case page (404 outside),
the top-bar search, the admin lists of applications and workers, the home page's counts,
and intake outside the scope is refused; the admin sets the scope in the Users admin."""
import json
import re

from sqlalchemy import select

from models import Application, AuditEvent, PartnerScope, User
from tests.factories import make_application, make_submitted
from tests.helpers import csrf_token, login
from tests.test_partners import ELSEWHERE, HOME, make_partner


def _world(session, staff):
    partner = make_partner(session, "kel_bekasijaya", "kelurahan", HOME)
    inside = make_submitted(session, staff["cw1"], kelurahan_code=HOME, full_name="Warga Dalam")
    outside = make_submitted(session, staff["cw1"], kelurahan_code=ELSEWHERE,
                             full_name="Warga Luar")
    session.commit()
    return partner, inside, outside


def _case_links(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/cases/(\d+)"', html)}


def test_the_partners_pages_show_its_kelurahan_only(client, session, staff):
    partner, inside, outside = _world(session, staff)
    login(client, "kel_bekasijaya")
    worklist = client.get("/cases/?state=submitted").get_data(as_text=True)
    assert inside.id in _case_links(worklist) and outside.id not in _case_links(worklist)
    assert client.get(f"/cases/{inside.id}").status_code == 200
    assert client.get(f"/cases/{outside.id}").status_code == 404
    assert client.get(f"/cases/{outside.id}/documents/1").status_code == 404
    # Both names hold "Warga"; the partner finds one worker, so the search opens the case.
    found = client.get("/search/?q=Warga")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/cases/{inside.id}")
    by_nik = client.get(f"/search/?q={outside.worker.nik}")
    assert by_nik.status_code == 200 and "Warga Luar" not in by_nik.get_data(as_text=True)
    assert client.get(f"/search/worker/{outside.worker_id}").status_code == 404
    listing = client.get("/applications/").get_data(as_text=True)
    assert f"/cases/{inside.id}\"" in listing and f"/cases/{outside.id}\"" not in listing
    workers = client.get("/workers/").get_data(as_text=True)
    assert "Warga Dalam" in workers and "Warga Luar" not in workers
    details = client.get(f"/applications/details/?id={outside.id}")
    assert details.status_code == 302  # Flask-Admin's "no such record": back to the list
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-partner"' in home


def test_the_home_page_counts_only_the_partners_scope(client, session, staff):
    _world(session, staff)
    for _ in range(2):
        make_submitted(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    session.commit()
    login(client, "kel_bekasijaya")
    stages = client.get("/").get_data(as_text=True).split('data-testid="panel-stages"')[1]
    stages = stages.split("</ul>")[0]
    assert ">1</a>" in stages and ">3</a>" not in stages


def test_intake_outside_the_scope_is_refused_on_the_page(client, session, staff):
    _world(session, staff)
    login(client, "kel_bekasijaya")
    form = client.get("/cases/new").get_data(as_text=True)
    assert f'value="{HOME}"' in form and f'value="{ELSEWHERE}"' not in form
    assert 'name="intake_channel"' not in form
    data = {"nik": "3275010108900777", "kk_number": "3275010101999777",
            "full_name": "Pekerja Mitra", "birth_place": "Bekasi", "birth_date": "1990-08-01",
            "sex": "L", "address": "Jl. Uji 2", "rt": "001", "rw": "002", "phone": "",
            "category": "pedagang", "occupation": "PKL", "monthly_income": "2000000",
            "program_year": "2026", "csrf_token": csrf_token(client, "/cases/new")}
    refused = client.post("/cases/new", data={**data, "kelurahan_code": ELSEWHERE})
    assert refused.status_code in (403, 200) and session.scalar(select(Application.id).join(
        Application.worker).where(Application.worker.has(full_name="Pekerja Mitra"))) is None
    done = client.post("/cases/new", data={**data, "kelurahan_code": HOME})
    assert done.status_code == 302
    made = session.execute(select(Application).where(
        Application.worker.has(full_name="Pekerja Mitra"))).scalar_one()
    assert made.intake_channel == "kelurahan"


def test_a_partner_cannot_verify_on_the_case_page(client, session, staff):
    _partner, inside, _outside = _world(session, staff)
    login(client, "kel_bekasijaya")
    page = f"/cases/{inside.id}"
    html = client.get(page).get_data(as_text=True)
    assert f'action="{page}/verify"' not in html
    response = client.post(page + "/verify", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 403
    assert session.get(Application, inside.id).state == "submitted"


def test_the_admin_sets_a_partners_scope_in_the_users_admin(client, session, staff):
    partner = make_partner(session, "mitra_dishub", None)
    session.commit()
    login(client, "admin1")
    page = f"/users/edit/?id={partner.user_id}"
    form = client.get(page).get_data(as_text=True)
    assert 'value="office:dishub"' in form and f'value="kelurahan:{HOME}"' in form
    data = {"full_name": "Mitra Dishub", "active": "y", "roles": ["partner"],
            "csrf_token": csrf_token(client, page)}
    client.post(page, data={**data, "partner_scope": ""})  # refused: a partner needs one
    assert session.get(PartnerScope, partner.user_id) is None
    client.post(page, data={**data, "partner_scope": "office:dishub"})
    assert session.get(PartnerScope, partner.user_id).office == "dishub"
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "partner.scope")
                            .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert json.loads(event.diff)["scope"] == [None, "office:dishub"]
    assert event.actor_id == session.scalar(select(User.id).where(User.username == "admin1"))
    listing = client.get("/users/").get_data(as_text=True)
    assert "Dinas Perhubungan" in listing


def test_caseworker_names_the_partner_office_at_intake(client, session, staff):
    dishub = make_partner(session, "mitra_dishub", "office", "dishub")
    walk_in = make_application(session, staff["cw1"], full_name="Datang Sendiri")
    session.commit()
    login(client, "cw1")
    data = {"nik": "3275010108900778", "kk_number": "3275010101999778",
            "full_name": "Pengemudi Ojek", "birth_place": "Bekasi", "birth_date": "1990-08-01",
            "sex": "L", "address": "Jl. Uji 3", "rt": "001", "rw": "002", "phone": "",
            "kelurahan_code": ELSEWHERE, "category": "pekerja_lepas", "occupation": "ojek",
            "monthly_income": "2000000", "program_year": "2026", "intake_channel": "partner",
            "partner_office": "dishub", "csrf_token": csrf_token(client, "/cases/new")}
    assert client.post("/cases/new", data=data).status_code == 302
    client.get("/auth/logout")
    client = client.application.test_client()
    login(client, "mitra_dishub")
    listing = client.get("/cases/?state=draft").get_data(as_text=True)
    assert "Pengemudi Ojek" in listing and "Datang Sendiri" not in listing
    assert client.get(f"/cases/{walk_in.id}").status_code == 404
    made = session.execute(select(Application).where(
        Application.worker.has(full_name="Pengemudi Ojek"))).scalar_one()
    assert made.taken_in_by_id != dishub.user_id and made.intake_channel == "partner"


def test_the_budget_page_shows_the_kelurahan_quotas(app, client, session, staff):
    from models import BudgetQuota
    from tests.factories import make_budget
    from tests.report_helpers import translated
    make_budget(session, staff["admin1"], places=10)
    session.add(BudgetQuota(fiscal_year=2026, dimension="kelurahan", key=HOME, quota=3, used=1))
    session.commit()
    login(client, "head")
    html = client.get("/budget/?year=2026").get_data(as_text=True)
    table = html.split('data-testid="kelurahan-quotas"')[1].split("</table>")[0]
    assert translated(app, "Quota per kelurahan") in html
    assert f"Bekasijaya ({HOME})" in table and ">3<" in table and ">2<" in table
