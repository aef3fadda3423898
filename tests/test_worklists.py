"""The cases page's lists by state and "mine" (my drafts, returned to me, waiting for
BPJS, enrolled, in arrears), reached from the home page's counts, each row a link to
its case, paged by keyset."""
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from models import Application, clock
from reports.worklist import WorklistFilter, worklist_page
from tests.factories import (enrol, make_application, make_budget, make_submitted,
                             make_verified)
from tests.helpers import login
from workflows.approval import approve_batch
from workflows.contributions.generation import generate_contributions
from workflows.verification import return_application


def _ids(html: str) -> list[int]:
    table = html.split('data-testid="worklist"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'href="/cases/(\d+)"', table)]


@pytest.fixture
def cases(session, staff):
    """One case or two in each list, taken in by cw1 or cw2."""
    make_budget(session, staff["admin1"], places=5)
    paying, later = enrol(session, staff, 1) + enrol(session, staff, 1,
                                                     coverage_start=date(2026, 7, 1))
    # January for the one covered then; unpaid: in arrears by July
    generate_contributions(session, first_month=date(2026, 1, 1), months=1, actor=staff["cw1"])
    waiting = make_verified(session, staff["cw1"], staff["cw2"])
    approve_batch(session, fiscal_year=2026, application_ids=[waiting.id], sk_number="SK-WL-1",
                  sk_date=date(2026, 7, 1), actor=staff["head"])
    found = {
        "draft_cw1": make_application(session, staff["cw1"]),
        "draft_cw2": make_application(session, staff["cw2"]),
        "returned_cw1": make_submitted(session, staff["cw1"]),
        "returned_cw2": make_submitted(session, staff["cw2"]),
        "submitted_cw1": make_submitted(session, staff["cw1"]),
        "submitted_cw2": make_submitted(session, staff["cw2"]),
        "verified": make_verified(session, staff["cw1"], staff["cw2"]),
        "approved": session.get(Application, waiting.id),
        "enrolled_arrears": paying, "enrolled_paid_up": later,
    }
    return_application(session, found["returned_cw1"], actor=staff["cw2"], reason="Foto buram")
    return_application(session, found["returned_cw2"], actor=staff["cw1"], reason="Foto buram")
    session.commit()
    assert found["approved"].state == "approved"
    return {name: application.id for name, application in found.items()}


@pytest.mark.parametrize("query, expected", [
    ("state=draft&intake=mine", ["draft_cw1"]),
    ("state=returned&intake=mine", ["returned_cw1"]),
    ("state=submitted&intake=others", ["submitted_cw2"]),
    ("state=submitted", ["submitted_cw1", "submitted_cw2"]),
    ("state=waiting_bpjs", ["approved"]),
    ("state=enrolled", ["enrolled_arrears", "enrolled_paid_up"]),
    ("state=arrears", ["enrolled_arrears"]),
    ("state=verified&year=2026", ["verified"]),
    ("state=verified&year=2027", []),
])
def test_each_list_shows_its_cases_as_links(client, session, staff, cases, query, expected):
    login(client, "cw1")
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200
    assert sorted(_ids(response.get_data(as_text=True))) == sorted(cases[n] for n in expected)


def test_the_tabs_are_the_roles_own(client, session, staff):
    login(client, "cw1")
    tabs = client.get("/cases/").get_data(as_text=True).split(
        'data-testid="worklist-tabs"', 1)[1].split("</ul>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', tabs)
    assert "/cases/?state=draft&amp;intake=mine" in hrefs
    assert "/cases/?state=returned&amp;intake=mine" in hrefs
    assert "/cases/?state=arrears" in hrefs and "/cases/?state=waiting_bpjs" in hrefs
    other = client.application.test_client()
    login(other, "audit1")
    tabs = other.get("/cases/").get_data(as_text=True).split(
        'data-testid="worklist-tabs"', 1)[1].split("</ul>", 1)[0]
    assert "intake=mine" not in tabs and "state=enrolled" in tabs


def test_a_list_pages_by_cursor_in_the_order_of_its_states_age(session, staff):
    drafts = [make_application(session, staff["cw1"]) for _ in range(5)]
    for age, draft in zip((3, 1, 4, 1, 5), drafts):
        draft.state_changed_at = clock.now() - timedelta(days=age)
    session.flush()
    wanted = WorklistFilter(states=("draft",), taken_in_by=staff["cw1"].user_id)
    seen, cursor = [], None
    for _ in range(3):
        rows, cursor = worklist_page(session, wanted, after=cursor, page_size=2)
        seen += [r.application_id for r in rows]
        if cursor is None:
            break
    assert cursor is None
    by_age = sorted(drafts, key=lambda d: (d.state_changed_at, d.id))
    assert seen == [d.id for d in by_age]


def test_a_bad_filter_falls_back_to_the_verification_worklist(client, session, staff):
    submitted = make_submitted(session, staff["cw1"])
    make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    for query in ("state=nonsense", "state=draft&year=99999", "intake=everyone"):
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200
        assert _ids(response.get_data(as_text=True)) == [submitted.id]


def _count_links(html: str, panel: str) -> dict[str, str]:
    """The panel's count links: href -> the number shown."""
    part = html.split(f'data-testid="{panel}"', 1)[1].split("</div></div></div>", 1)[0]
    return {href.replace("&amp;", "&"): n for href, n in
            re.findall(r'<a class="count-link" href="([^"]+)">(\d+)</a>', part)}


def test_every_count_on_the_home_page_leads_to_those_cases(client, session, staff, cases):
    for role, panel in (("cw1", "panel-caseworker"), ("cw1", "panel-stages"),
                        ("head", "panel-head"), ("head", "panel-budget"),
                        ("audit1", "panel-auditor")):
        browser = client.application.test_client()
        login(browser, role)
        links = _count_links(browser.get("/").get_data(as_text=True), panel)
        assert links, (role, panel)
        for href, shown in links.items():
            assert urlsplit(href).path == "/cases/"
            listed = _ids(browser.get(href).get_data(as_text=True))
            assert len(listed) == int(shown), (role, href)


def test_my_intake_counts_link_to_my_cases_only(client, session, staff, cases):
    login(client, "cw1")
    links = _count_links(client.get("/").get_data(as_text=True), "panel-caseworker")
    assert links["/cases/?state=draft&intake=mine"] == "1"
    assert links["/cases/?state=submitted&intake=others"] == "1"
    assert _ids(client.get("/cases/?state=draft&intake=mine").get_data(as_text=True)) == [
        cases["draft_cw1"]]


def test_the_age_buckets_link_to_the_cases_of_that_age(client, session, staff):
    for days in (2, 10, 10, 40):
        application = make_submitted(session, staff["cw2"])
        application.submitted_at -= timedelta(days=days)
    session.commit()
    login(client, "cw1")
    table = client.get("/").get_data(as_text=True).split(
        'data-testid="worklist-ageing"', 1)[1].split("</table>", 1)[0]
    all_submitted = table.split("</tr>", 2)[1]  # the header, then this row
    assert [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(
        r"<td>(.*?)</td>", all_submitted)[1:]] == ["1", "2", "0", "1"]
    links = re.findall(r'<a class="count-link" href="([^"]+)">(\d+)</a>', table)
    assert len(links) == 3  # no link to an empty list (cw1 took none of them in)
    for href, shown in links:
        assert len(_ids(client.get(href.replace("&amp;", "&")).get_data(as_text=True))) == \
            int(shown)


def test_counts_are_plain_numbers_for_who_cannot_open_cases(client, session, staff):
    make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "admin1")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-stages"' in html and 'class="count-link"' not in html
    assert client.get("/cases/?state=submitted").status_code == 403
