"""The lists' search box (issue 16), on both databases: a NIK is an exact lookup, a part
of a NIK no longer matches by substring (README: type the whole NIK or the name), and a
name is still found by any part of 3 letters or more."""
import re

from tests.factories import make_application
from tests.helpers import login


def _rows(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/search/worker/(\d+)"', page)}


def test_the_workers_list_finds_a_nik_exactly_and_no_longer_a_part_of_it(client, session,
                                                                          staff):
    one = make_application(session, staff["cw1"], full_name="Siti Aminah")
    other = make_application(session, staff["cw1"], full_name="Budi Santoso")
    session.commit()
    login(client, "cw1")
    nik = one.worker.nik
    assert _rows(client.get(f"/workers/?search={nik}").get_data(as_text=True)) == {one.worker_id}
    assert _rows(client.get(f"/workers/?search={nik[:10]}").get_data(as_text=True)) == set()
    assert _rows(client.get("/workers/?search=AMIN").get_data(as_text=True)) == {one.worker_id}
    by_number = client.get(f"/workers/?search={other.id}").get_data(as_text=True)
    assert _rows(by_number) == {other.worker_id}


def test_the_applications_list_finds_a_nik_a_number_and_a_name(client, session, staff):
    one = make_application(session, staff["cw1"], full_name="Siti Aminah")
    make_application(session, staff["cw1"], full_name="Budi Santoso")
    session.commit()
    login(client, "cw1")
    for term in (one.worker.nik, str(one.id), "aminah"):
        page = client.get(f"/applications/?search={term}").get_data(as_text=True)
        assert set(map(int, re.findall(r'href="/cases/(\d+)" data-testid="case-link"', page))) \
            == {one.id}, term
    short = client.get("/applications/?search=am")
    assert short.status_code == 200
