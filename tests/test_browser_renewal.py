"""A participant of 2026 renewed into 2027 in Debian's Chromium, through the year: the
caseworker's re-check on the Q4 worklist (15 October), the head's proposal and signed
decree for 2027 (10 December, when December is also billed), and the January
contribution month (5 January), all under the same KPJ. The clock is pinned to each
day in turn; the server runs in this process and reads the same clock."""
from datetime import date

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from models import Application, clock
from tests.browser_helpers import ARTIFACTS, click_and_load, served, sign_in
from tests.factories import PASSWORD, enrol, make_budget
from tests.renewal_factories import dtsen_update

pytestmark = pytest.mark.browser


@pytest.fixture
def renewal_server(backend, tmp_path):
    participant = {}

    def populate(session, staff):
        with clock.pinned(date(2026, 1, 5)):
            make_budget(session, staff["admin1"], places=2)
            member = enrol(session, staff, coverage_start=date(2026, 2, 1))[0]
        with clock.pinned(date(2026, 10, 1)):
            dtsen_update(session, staff, [(member.worker, 2)])
            make_budget(session, staff["admin1"], year=2027, places=2)
        participant.update(id=member.id, kpj=member.kpj, name=member.worker.full_name)

    with served(backend, tmp_path, "renewal", populate) as (app, url):
        yield app, url, participant


def test_a_renewal_from_the_q4_worklist_to_the_january_contribution_month(page,
                                                                         renewal_server):
    app, url, participant = renewal_server
    page.on("dialog", lambda dialog: dialog.accept())
    ARTIFACTS.mkdir(exist_ok=True)
    with clock.pinned(date(2026, 10, 15)):
        sign_in(page, url, "cw1", PASSWORD)
        page.goto(url + "/renewal/")
        assert page.inner_text("[data-figure=unchecked]") == "1"
        click_and_load(page, "[data-testid=recheck]")
        assert page.inner_text("[data-figure=ready]") == "1"
        page.screenshot(path=str(ARTIFACTS / "renewal-worklist.png"), full_page=True)
        click_and_load(page, "nav button:has-text('Keluar')")
    with clock.pinned(date(2026, 12, 10)):
        sign_in(page, url, "head", PASSWORD)
        page.goto(url + "/approval/")  # December: the ranking of 2027
        row = page.locator("[data-testid=ranking] tbody tr", has_text=participant["name"])
        assert "peserta lanjutan" in row.inner_text()
        row.locator("input[type=checkbox]").check()
        click_and_load(page, "[data-testid=propose-batch]")
        page.fill("#sk_number", "500.15.1/Kep.901-Disnaker/XII/2026")
        click_and_load(page, "[data-testid=sign-decree]")
        assert "1 dilanjutkan dengan KPJ-nya" in page.inner_text(".alert-success")
        click_and_load(page, "nav button:has-text('Keluar')")
        sign_in(page, url, "cw1", PASSWORD)
        page.goto(url + "/contributions-payments/")
        page.fill("#month", "2026-12")
        click_and_load(page, "[data-testid=generate]")
        click_and_load(page, "nav button:has-text('Keluar')")
    with clock.pinned(date(2027, 1, 5)):
        sign_in(page, url, "cw1", PASSWORD)
        page.goto(url + "/contributions-payments/")
        assert page.input_value("#month") == "2027-01"
        click_and_load(page, "[data-testid=generate]")
        assert "1 peserta" in page.inner_text(".alert-success")
        with app.app_context():
            renewal = db.session.execute(select(Application).where(
                Application.renews_id == participant["id"])).scalar_one()
            renewal_id = renewal.id
        page.goto(f"{url}/cases/{renewal_id}")
        card = page.inner_text("[data-testid=participation]")
        assert participant["kpj"] in card and "Januari 2027" in card
        assert "2027-01" in page.inner_text("[data-testid=contributions]")
        page.goto(f"{url}/cases/{participant['id']}")
        assert "2026-12" in page.inner_text("[data-testid=contributions]")
        assert f"#{renewal_id}" in page.inner_text("[data-testid=continued-by]")
        page.screenshot(path=str(ARTIFACTS / "renewal-previous-year.png"), full_page=True)
