"""Issue 16: the budget page's places and rupiah per kecamatan and category come from the
job worker's count of the last minutes, which the page dates, and are what counting now
gives; without a fresh count they are counted for the page. The year's own figures
(committed, remaining) stay live. While the year runs, closing it waits only for its
end; the rest of what would hold a close back is listed once it is over."""
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from models import HomeFigures, clock
from reports.budget import holdings_by_area
from tests.factories import enrol, make_budget, make_verified
from tests.helpers import login
from workflows.home_figures import refresh_home_figures


def _bars(html: str) -> list[str]:
    """The labels of the page's bars: rupiah and places of each kecamatan and category."""
    return re.findall(r'font-size="11">([^<]+)</text>', html)


def test_the_page_shows_the_counted_figures_as_of_when_else_counts_them(client, session,
                                                                        staff):
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 2)
    make_verified(session, staff["cw1"], staff["cw2"], category="wiraswasta")
    session.commit()
    login(client, "head")
    counted_now = client.get("/budget/?year=2026").get_data(as_text=True)
    assert 'data-testid="figures-as-of"' not in counted_now
    assert _bars(counted_now) == ["Rp403.200 (2)", "Rp403.200 (2)"]  # Bekasi Timur, traders
    refresh_home_figures(session, clock.today())
    session.commit()
    stored = client.get("/budget/?year=2026").get_data(as_text=True)
    assert 'data-testid="figures-as-of"' in stored and _bars(stored) == _bars(counted_now)
    # A stale count (the worker stopped) is not shown: the page counts again.
    session.execute(update(HomeFigures).values(computed_at=clock.now() - timedelta(hours=1)))
    session.commit()
    stale = client.get("/budget/?year=2026").get_data(as_text=True)
    assert 'data-testid="figures-as-of"' not in stale and _bars(stale) == _bars(counted_now)


def test_the_stored_holdings_are_what_counting_now_gives(session, staff):
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 2)
    enrol(session, staff, 1, category="wiraswasta", kelurahan_code="3275071003")
    stored = json.loads(refresh_home_figures(session, clock.today()).figures)["budget"]
    assert stored == holdings_by_area(session, 2026)
    assert [row[2:] for row in stored["kecamatan"]] == [[1, 201_600], [2, 403_200]]
    assert stored["category"] == [["pedagang", 2, 403_200], ["wiraswasta", 1, 201_600]]


@pytest.mark.day(date(2027, 1, 4))
def test_once_the_year_is_over_the_close_lists_what_still_holds_it(client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    html = client.get("/budget/?year=2026").get_data(as_text=True)
    close = html.split('data-testid="year-close"')[1].split("</div></div>")[0]
    assert re.search(r"<li>1 ", close) and 'data-testid="close-year"' not in close
