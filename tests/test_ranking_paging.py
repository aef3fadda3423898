"""The ranking a page at a time (issue 16): the pages together are the ranking, in its
order and with consecutive ranks, whichever page is asked for; the budget's cut-off is
one line, at the rank where a proposal of every verified application stops, and every
page says where it is. A reserve and a restricted case keep their places and take none
of the money."""
import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from models import Application, Decree
from tests.factories import load_dtsen, make_budget, make_submitted, make_verified
from tests.helpers import csrf_token, login
from tests.subject_factories import make_request
from workflows.approval import approve_batch
from workflows.audit.recorder import diff_of
from workflows.budget import revise_budget_year
from workflows.eligibility import reevaluate_application
from workflows.verification import verify_application
from workflows.ranking import ranking

PAGE = 3
_ROW_OR_LINE = re.compile(r'data-testid="cut-off"|<td>(\d+)</td><td><a href="/cases/(\d+)">')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("caseapp.approval.views.PAGE_SIZE", PAGE)


def _page(client, number) -> tuple[str, list]:
    """The page's html, and its rows as (rank, application id) with "line" where the
    cut-off is drawn."""
    html = client.get(f"/approval/?year=2026&page={number}").get_data(as_text=True)
    found = [(int(m[1]), int(m[2])) if m[1] else "line" for m in _ROW_OR_LINE.finditer(html)]
    return html, found


def _crowd(session, staff) -> Application:
    """A reserve of an earlier decree and eight verified cases, one of them restricted;
    money and places left for five new participants. The restricted case."""
    make_budget(session, staff["admin1"], places=1)
    on_top = [make_verified(session, staff["cw1"], staff["cw2"], desil=1) for _ in range(2)]
    approve_batch(session, fiscal_year=2026, application_ids=[a.id for a in on_top],
                  sk_number="SK-UJI-HALAMAN", sk_date=date(2026, 7, 1), actor=staff["head"])
    revise_budget_year(session, 2026, appropriation=16_800 * 12 * 6, quota=6,
                       reason="APBD-Perubahan", actor=staff["admin1"])
    cases = [make_verified(session, staff["cw1"], staff["cw2"], desil=d)
             for d in (2, 4, 3, 2, 5, 1, 3, 4)]
    make_request(session, staff["cw1"], cases[5].worker, kind="restriction")
    session.commit()
    return cases[5]


def test_the_pages_are_the_ranking_and_the_line_is_where_the_proposal_stops(
        client, session, staff, small_pages):
    restricted = _crowd(session, staff)
    order = ranking(session, 2026)
    assert [c.state for c in order].count("waitlisted") == 1 and len(order) == 9
    login(client, "head")
    rows, htmls = [], []
    for number in (1, 2, 3):
        html, found = _page(client, number)
        htmls.append(html)
        assert len([r for r in found if r != "line"]) == PAGE  # nine cases: three full pages
        rows += found
    cases = [r for r in rows if r != "line"]
    assert cases == [(c.rank, c.application_id) for c in order]  # all of it, in order
    assert [rank for rank, _ in cases] == list(range(1, 10))
    # Past the last page: the last page.
    assert _page(client, 99)[1] == _page(client, 3)[1]
    # One line, after the fifth case a proposal would take: not the reserve, not the
    # restricted case.
    assert rows.count("line") == 1
    line = rows[rows.index("line") - 1][0]
    taken = [c for c in order if c.state == "verified" and not c.restricted]
    assert line == taken[4].rank
    assert restricted.id in {c.application_id for c in order if c.rank < line}
    shown_on = -(-line // PAGE)
    for number, html in enumerate(htmls, start=1):
        summary = re.search(r'data-testid="cut-off-summary">(.*?)</p>', html, re.S).group(1)
        assert "Rp100.800" in summary  # six months of a new participant
        assert bool(re.search(rf"\b{line}\b", summary)) == (number == shown_on)
        link = 'href="/approval/?year=2026&amp;page=line" data-testid="cut-off-page"'
        assert (link in summary) == (number != shown_on)
    assert _page(client, "line")[1] == _page(client, shown_on)[1]
    # The proposal of every verified application stops at the same rank.
    proposed = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026", "scope": "all"})
    assert proposed.status_code == 302
    snapshot = json.loads(session.execute(
        select(Decree).where(Decree.status == "proposed")).scalar_one().snapshot)
    assert [e["application"] for e in snapshot["approved"]] == \
        [c.application_id for c in taken[:5]]


def test_a_refused_proposal_shows_its_own_page_again(client, session, staff, small_pages):
    _crowd(session, staff)
    login(client, "head")
    html, found = _page(client, 2)
    ids = [str(i) for _, i in (r for r in found if r != "line")]
    refused = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026", "page": "2",
        "scope": "selected", "application_id": ids + ["999999"]})
    assert refused.status_code == 409
    again = [r for r in _ROW_OR_LINE.findall(refused.get_data(as_text=True)) if r[0]]
    assert [i for _, i in again] == ids


def test_a_case_carries_its_latest_desil_and_its_workers_factors(session, staff):
    """The copies the ranking sorts on (migration 0028's triggers) follow a new
    evaluation and a corrected worker, on both databases."""
    application = make_submitted(session, staff["cw1"], desil=4)
    load_dtsen(session, staff["cw1"], [(application.worker, 1)])
    reevaluate_application(session, application, actor=staff["cw2"], reason="DTSEN baru")
    verify_application(session, application, actor=staff["cw2"])
    application.worker.disability = True
    session.flush()
    assert session.execute(select(Application.desil, Application.female_head_of_household,
                                  Application.disability)
                           .where(Application.id == application.id)).one() == (1, False, True)
    case, = ranking(session, 2026)
    assert (case.desil, case.disability) == (1, True) and "desil 1" in case.reason



def test_the_copies_stay_out_of_audit_diffs(session, staff):
    """They are the database's copies, not facts of the case: no event lists them (a
    disability is health data), even once a flush has loaded them onto the object."""
    application = make_submitted(session, staff["cw1"], desil=4)
    session.refresh(application)
    assert application.desil == 4
    application.desil, application.disability = 2, True  # as a trigger would
    assert diff_of(application) == {}
    assert not {"desil", "disability", "female_head_of_household"} & diff_of(
        application, created=True).keys()
