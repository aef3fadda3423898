"""The ranking as a head uses it (issue 14 item 3): nothing ticked at first, the cases
this head may not decide shown without a box and with the reason, a refused proposal
shown again with its ticks."""
import re

from sqlalchemy import func, select

from models import Decree
from tests.factories import make_budget, make_verified
from tests.helpers import csrf_token, login
from tests.report_helpers import translated
from workflows.approval import send_back_application
from workflows.proposal import frozen_lists

_BOX = re.compile(r'<input type="checkbox" name="application_id" value="(\d+)"([^>]*)>')


def _boxes(html: str) -> dict[int, bool]:
    """Application id -> ticked, for every box of the ranking."""
    return {int(i): " checked" in rest for i, rest in _BOX.findall(html)}


def test_nothing_is_ticked_and_the_heads_own_cases_have_no_box(app, client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    other = make_verified(session, staff["cw1"], staff["cw2"])
    taken_in = make_verified(session, staff["cwhead"], staff["cw2"])
    verified = make_verified(session, staff["cw1"], staff["cwhead"])
    session.commit()
    login(client, "cwhead")  # a caseworker who is also a head
    html = client.get("/approval/?year=2026").get_data(as_text=True)
    assert _boxes(html) == {other.id: False}
    for application, reason in ((taken_in, "You took in this application"),
                                (verified, "You verified this application")):
        row = re.search(rf'<tr class="text-muted" data-own="{application.id}">.*?</tr>', html,
                        re.S)
        assert row and translated(app, reason) in row.group(0)
    # The box carries the estimate the proposal would commit: July to December.
    assert re.search(rf'value="{other.id}"[^>]*data-amount="{16_800 * 6}"', html)
    assert 'data-testid="select-controls"' in html and "js/ranking.js" in html
    # "All verified applications" takes only the cases this head may decide.
    proposed = client.post("/approval/propose", data={
        "csrf_token": csrf_token(client, "/approval/"), "year": "2026", "scope": "all"})
    assert proposed.status_code == 302
    assert frozen_lists(session.execute(select(Decree)).scalar_one()) == ([other.id], [])


def test_the_auditor_sees_the_ranking_without_boxes_or_controls(client, session, staff):
    make_budget(session, staff["admin1"])
    make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "audit1")
    html = client.get("/approval/?year=2026").get_data(as_text=True)
    assert _boxes(html) == {} and 'data-testid="select-controls"' not in html


def test_a_refused_proposal_shows_the_ranking_again_with_its_ticks(app, client, session,
                                                                    staff):
    make_budget(session, staff["admin1"], places=5)
    first, second, third, unticked = (make_verified(session, staff["cw1"], staff["cw2"])
                                      for _ in range(4))
    session.commit()
    login(client, "head")
    token = csrf_token(client, "/approval/")
    # Another head sends the second back while this head is ticking.
    send_back_application(session, second, reason="KK perlu dicek ulang",
                          actor=staff["cwhead"])
    session.commit()
    refused = client.post("/approval/propose", data={
        "csrf_token": token, "year": "2026", "scope": "selected",
        "application_id": [str(first.id), str(second.id), str(third.id)]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert translated(app, "Only verified or waitlisted applications of %(year)d can be "
                      "decided; not: %(ids)s.", year=2026, ids=str(second.id)) in html
    assert _boxes(html) == {first.id: True, third.id: True, unticked.id: False}
    assert session.scalar(select(func.count()).select_from(Decree)) == 0
