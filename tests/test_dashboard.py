"""The home page shows each role its work: worklist ageing, budget burn, coverage, stages."""
import re
from datetime import date, timedelta

from models import clock
from reports.dashboard import (budget_burn, coverage_by_kecamatan, subject_requests_due,
                               worklist_ageing)
from tests.factories import enrol, make_budget, make_submitted, make_verified, make_worker
from tests.helpers import csrf_token, login
from tests.subject_factories import make_request
from workflows.approval import approve_batch


def test_worklist_ageing_buckets(session, staff):
    ages = (1, 10, 20, 45, 45)
    for days in ages:
        application = make_submitted(session, staff["cw1"])
        application.submitted_at -= timedelta(days=days)
    make_submitted(session, staff["cw2"])
    session.flush()
    assert worklist_ageing(session) == [2, 1, 1, 2]
    assert worklist_ageing(session, taken_in_by=staff["cw2"].user_id) == [1, 0, 0, 0]


def test_budget_burn_and_coverage(session, staff):
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 2)
    burn = budget_burn(session, 2026)
    assert len(burn) == 12 and burn[-1].committed == 2 * 16_800 * 12
    assert [m.committed for m in burn] == sorted(m.committed for m in burn)
    coverage = dict((name, (places, enrolled)) for _code, name, places, enrolled
                    in coverage_by_kecamatan(session, 2026))
    assert coverage["Bekasi Timur"] == (2, 2) and len(coverage) == 12


def test_a_december_decree_for_next_year_burns_from_its_january(session, staff):
    make_budget(session, staff["admin1"], year=2027, places=1)
    case = make_verified(session, staff["cw1"], staff["cw2"], year=2027)
    with clock.pinned(date(2026, 12, 10)):
        approve_batch(session, fiscal_year=2027, application_ids=[case.id], sk_number="SK-27",
                      sk_date=date(2026, 12, 10), actor=staff["head"])
    burn = budget_burn(session, 2027)
    assert burn[0].committed == 16_800 * 12 == burn[-1].committed


def test_each_role_sees_its_panels(client, session, staff):
    make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="worklist-ageing"' in html and 'data-testid="panel-budget"' not in html
    assert re.search(r'Diajukan: <strong><a class="count-link" href="[^"]+">\d+</a></strong>', html)
    client.post("/auth/logout", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login(client, "head")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-budget"' in html and 'data-testid="coverage"' in html


def test_open_and_overdue_data_subject_requests_on_the_home_page(client, session, staff):
    assert subject_requests_due(session) == (0, 0)
    late = make_request(session, staff["cw1"], make_worker(session, staff["cw1"]),
                        channel="letter", received_at=clock.now() - timedelta(hours=80))
    make_request(session, staff["cw1"], make_worker(session, staff["cw1"]))
    assert late.is_overdue(clock.now())
    session.commit()
    assert subject_requests_due(session) == (2, 1)
    login(client, "cw1")
    html = client.get("/").get_data(as_text=True)
    panel = html.split('data-testid="panel-privacy"', 1)[1].split("</div></div></div>", 1)[0]
    assert "Terbuka: 2," in panel and "jam: 1<" in panel and "border-danger" in html
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "admin1")
    assert 'data-testid="panel-privacy"' not in client.get("/").get_data(as_text=True)
