"""A caseworker in Debian's Chromium finds a case in one step: a NIK typed into the top
bar's search opens the case, and a count on the home page opens the list of those
cases, whose row opens the case."""
import pytest

from tests.browser_helpers import ARTIFACTS, click_and_load, served, sign_in
from tests.factories import PASSWORD, make_application, make_submitted

pytestmark = pytest.mark.browser


@pytest.fixture
def search_server(backend, tmp_path):
    found = {}

    def populate(session, staff):
        draft = make_application(session, staff["cw1"], full_name="Dewi Lestari")
        waiting = make_submitted(session, staff["cw2"], full_name="Eko Prasetyo")
        found.update(draft=draft.id, nik=draft.worker.nik, waiting=waiting.id)

    with served(backend, tmp_path, "search", populate) as (_app, url):
        yield url, found


def test_a_nik_in_the_top_bar_and_a_home_count_lead_to_the_case(page, search_server):
    url, found = search_server
    sign_in(page, url, "cw1", PASSWORD)
    page.fill("[data-testid=search-box]", found["nik"])
    with page.expect_navigation():
        page.press("[data-testid=search-box]", "Enter")
    assert page.url == f"{url}/cases/{found['draft']}"
    assert "Dewi Lestari" in page.inner_text("body")

    page.goto(url + "/")
    # "Waiting for verification by you or a colleague": cw2's submitted case
    click_and_load(page, "[data-testid=panel-caseworker] a.count-link[href*='intake=others']")
    assert "/cases/?state=submitted&intake=others" in page.url
    rows = page.locator("[data-testid=worklist-row]")
    assert rows.count() == 1 and "Eko Prasetyo" in rows.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "worklist-from-count.png"), full_page=True)
    with page.expect_navigation():
        rows.locator("a").click()
    assert page.url == f"{url}/cases/{found['waiting']}"
