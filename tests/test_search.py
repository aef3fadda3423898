"""The top bar's search goes from what a caseworker has in hand (NIK, KK number,
application number, KPJ, part of a name) to the case in one step; a list of people
found is an audited read with the term masked."""
import json
import re

import pytest
from sqlalchemy import select

from models import AuditEvent
from tests.factories import enrol, make_application, make_budget, make_submitted
from tests.helpers import events_since, head_seq, login
from workflows.audit.access import READ_MARK
from workflows.intake import open_application


def _case_of(response) -> int:
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/cases/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _listed(html: str) -> list[int]:
    table = html.split('data-testid="search-results"', 1)[1].split("</table>", 1)[0]
    return sorted({int(i) for i in re.findall(r'href="/cases/(\d+)"', table)})


def test_a_nik_opens_the_workers_newest_case_typed_with_spaces_too(client, session, staff):
    first = make_application(session, staff["cw1"], year=2026)
    newest = open_application(session, first.worker, program_year=2027, intake_channel="walk_in",
                              actor=staff["cw1"])
    make_application(session, staff["cw1"])  # someone else
    session.commit()
    login(client, "cw2")
    nik = first.worker.nik
    assert _case_of(client.get("/search/", query_string={"q": nik})) == newest.id
    spaced = f" {nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]} "
    assert _case_of(client.get("/search/", query_string={"q": spaced})) == newest.id


def test_a_kk_number_lists_the_family_and_opens_a_single_member(client, session, staff):
    kk = "3275010101777001"
    one = make_application(session, staff["cw1"], kk_number=kk)
    other = make_application(session, staff["cw1"], kk_number=kk)
    alone = make_application(session, staff["cw1"], kk_number="3275010101777002")
    session.commit()
    login(client, "cw1")
    page = client.get("/search/", query_string={"q": kk})
    assert page.status_code == 200
    assert _listed(page.get_data(as_text=True)) == sorted([one.id, other.id])
    assert _case_of(client.get("/search/", query_string={"q": alone.worker.kk_number})) == \
        alone.id


def test_an_application_number_and_a_kpj_open_the_case(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    (enrolled,) = enrol(session, staff, 1)
    draft = make_application(session, staff["cw1"])
    session.commit()
    login(client, "audit1")  # auditors read: they may search
    assert _case_of(client.get("/search/", query_string={"q": str(draft.id)})) == draft.id
    assert _case_of(client.get("/search/", query_string={"q": enrolled.kpj})) == enrolled.id
    # a number no key can hold is no application (and no server error)
    none = client.get("/search/", query_string={"q": "9" * 15})
    assert none.status_code == 200 and 'data-testid="search-none"' in none.get_data(as_text=True)


def test_a_name_is_found_by_any_part_in_any_case(client, session, staff):
    siti = make_application(session, staff["cw1"], full_name="Siti Aminah")
    make_application(session, staff["cw1"], full_name="Budi Santoso")
    sari = make_application(session, staff["cw1"], full_name="Sari Amini")
    session.commit()
    login(client, "head")
    assert _case_of(client.get("/search/", query_string={"q": "AMINAH"})) == siti.id
    page = client.get("/search/", query_string={"q": "  amin "}).get_data(as_text=True)
    assert _listed(page) == sorted([siti.id, sari.id])
    assert "Budi Santoso" not in page
    # LIKE's wildcards are searched for as typed, not as wildcards
    wildcard = client.get("/search/", query_string={"q": "a%i"}).get_data(as_text=True)
    assert 'data-testid="search-none"' in wildcard


def test_the_list_is_a_read_of_each_row_with_the_term_masked(client, session, staff):
    kk = "3275010101777003"
    apps = [make_application(session, staff["cw1"], kk_number=kk) for _ in range(2)]
    session.commit()
    login(client, "cw2")
    seq = head_seq(session)
    assert client.get("/search/", query_string={"q": kk}).status_code == 200
    events = events_since(session, seq)
    assert sorted((e.action, e.entity_type, e.entity_id, e.actor_name) for e in events) == \
        sorted(("application.search", "application", str(a.id), "cw2") for a in apps)
    for event in events:
        diff = {key: new for key, (_old, new) in json.loads(event.diff).items()}
        assert diff[READ_MARK] == "record" and diff["search"].startswith("hmac:")
        assert kk not in event.diff
    seq = head_seq(session)
    assert client.get("/search/", query_string={"q": "Tidak Ada Orangnya"}).status_code == 200
    assert events_since(session, seq) == []  # nothing shown, nothing read


def test_one_worker_found_is_read_by_the_case_page_it_opens(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    seq = head_seq(session)
    response = client.get("/search/", query_string={"q": application.worker.nik},
                          follow_redirects=True)
    assert response.status_code == 200
    assert [(e.action, e.entity_id) for e in events_since(session, seq)] == [
        ("application.view", str(application.id))]


def test_nothing_found_says_so_and_keeps_the_query_in_the_box(client, session, staff):
    login(client, "cw1")
    page = client.get("/search/", query_string={"q": "3275019999999999"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="search-none"' in html
    box = re.search(r'<input type="search" name="q"[^>]*>', html, re.S).group(0)
    assert 'value="3275019999999999"' in box


@pytest.mark.parametrize("query", ["x" * 101, "ab", "1" * 101])
def test_too_long_or_too_short_is_refused_with_a_message(client, session, staff, query):
    make_application(session, staff["cw1"], full_name="ab" * 3)
    session.commit()
    login(client, "cw1")
    seq = head_seq(session)
    page = client.get("/search/", query_string={"q": query})
    assert page.status_code == 422
    assert 'data-testid="search-problem"' in page.get_data(as_text=True)
    assert events_since(session, seq) == []


def test_only_roles_that_open_cases_search(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    anonymous = client.get("/search/", query_string={"q": application.worker.nik})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    login(client, "admin1")
    assert 'data-testid="search-box"' not in client.get("/").get_data(as_text=True)
    assert client.get("/search/", query_string={"q": application.worker.nik}).status_code == 403
    assert client.get(f"/search/worker/{application.worker_id}").status_code == 403
    assert session.scalar(select(AuditEvent.seq).where(
        AuditEvent.action == "application.search")) is None
    other = client.application.test_client()
    login(other, "cw1")
    assert 'data-testid="search-box"' in other.get("/").get_data(as_text=True)


def test_a_workers_link_opens_their_newest_case(client, session, staff):
    first = make_application(session, staff["cw1"], year=2026)
    newest = open_application(session, first.worker, program_year=2027, intake_channel="walk_in",
                              actor=staff["cw1"])
    session.commit()
    login(client, "audit1")
    assert _case_of(client.get(f"/search/worker/{first.worker_id}")) == newest.id
    assert client.get("/search/worker/999999").status_code == 404


def test_application_and_worker_lists_and_details_link_to_the_case(client, session, staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    case = f'href="/cases/{application.id}"'
    for page in ("/applications/", f"/applications/details/?id={application.id}"):
        assert case in client.get(page).get_data(as_text=True), page
    worker = f'href="/search/worker/{application.worker_id}"'
    for page in ("/workers/", f"/workers/details/?id={application.worker_id}"):
        assert worker in client.get(page).get_data(as_text=True), page
    assert _case_of(client.get(f"/search/worker/{application.worker_id}")) == application.id
