"""The ranking in Debian's Chromium (issue 14 item 3): a head who is also a caseworker
finds nothing ticked and their own case without a box, ticks the cases of one category
with two clicks, is refused because another head sent one back meanwhile and keeps the
rest of the ticks, and approves with one more click and the signed decree's number."""
import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from models import Application, Decree
from tests.browser_helpers import ARTIFACTS, click_and_load, served, sign_in
from tests.factories import PASSWORD, make_budget, make_verified, staff_actors
from workflows.approval import send_back_application

pytestmark = pytest.mark.browser
SK = "500.15.1/Kep.0710-Disnaker/VII/2026"


@pytest.fixture
def ranking_server(backend, tmp_path):
    ids = {}

    def populate(session, staff):
        make_budget(session, staff["admin1"], places=3)
        ids["own"] = make_verified(session, staff["cwhead"], staff["cw2"]).id
        ids["traders"] = [make_verified(session, staff["cw1"], staff["cw2"]).id
                          for _ in range(3)]
        ids["self_employed"] = [make_verified(session, staff["cw1"], staff["cw2"],
                                              category="wiraswasta").id for _ in range(2)]

    with served(backend, tmp_path, "ranking", populate) as (app, url):
        yield app, url, ids


def _ticked(page) -> set[int]:
    return {int(v) for v in page.eval_on_selector_all(
        "input[name=application_id]:checked", "boxes => boxes.map(b => b.value)")}


def test_the_head_ticks_by_category_keeps_the_ticks_on_a_refusal_and_approves(
        page, ranking_server):
    app, url, ids = ranking_server
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before proposing
    sign_in(page, url, "cwhead", PASSWORD)
    page.goto(url + "/approval/?year=2026")
    assert _ticked(page) == set()
    own = page.locator(f"tr[data-own='{ids['own']}']")
    assert own.locator("input").count() == 0 and own.locator("[data-testid=own-case]").count()
    page.select_option("#select-category", "wiraswasta")
    page.click("[data-testid=select-filter]")
    assert _ticked(page) == set(ids["self_employed"])
    assert "Rp201.600" in page.inner_text("[data-testid=selected-total]")  # 2 x 6 months
    page.click("[data-testid=select-none]")
    assert _ticked(page) == set()
    page.click("[data-testid=select-all]")
    assert _ticked(page) == set(ids["traders"] + ids["self_employed"])
    total = page.locator("[data-testid=selected-total]")
    assert "text-danger" in total.get_attribute("class")  # five for three places
    page.click("[data-testid=select-budget]")
    assert _ticked(page) == set(ids["traders"])  # the top three ranks this head may decide
    assert "text-danger" not in total.get_attribute("class")
    page.select_option("#select-category", "wiraswasta")
    page.click("[data-testid=select-filter]")
    gone, kept = ids["self_employed"]
    with app.app_context():  # another head sends one back while this one decides
        send_back_application(db.session, db.session.get(Application, gone),
                              reason="KK perlu dicek ulang",
                              actor=staff_actors(db.session)["head"])
        db.session.commit()
    click_and_load(page, "[data-testid=propose-batch]")
    assert str(gone) in page.inner_text(".alert-danger")
    assert _ticked(page) == {kept}  # the ticks survive the refusal
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ranking-refused.png"), full_page=True)
    click_and_load(page, "[data-testid=propose-batch]")
    page.fill("#sk_number", SK)
    click_and_load(page, "[data-testid=sign-decree]")
    assert f"SK {SK}" in page.inner_text("[data-testid=decree-head]")
    with app.app_context():
        assert db.session.get(Application, kept).state == "approved"
        assert db.session.scalar(select(func.count()).select_from(Decree)) == 1
