"""A NIK already registered is refused at intake with the worker's application named
and a link to it, rather than sending the caseworker to look for it."""
import re

import pytest

from tests.factories import make_application, make_worker
from tests.helpers import login
from tests.test_cases_web import INTAKE, _intake
from workflows.intake import AlreadyRegistered, open_application, register_worker


def test_the_intake_page_links_the_existing_application(client, session, staff):
    login(client, "cw1")
    created = _intake(client)
    application_id = int(created.headers["Location"].rsplit("/", 1)[1])
    again = _intake(client, program_year="2027", full_name="Siti Lain")
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "Siti Aminah" in html and str(application_id) in html
    link = re.search(r'<a[^>]*data-testid="open-existing"[^>]*>', html).group(0)
    assert f'href="/cases/{application_id}"' in link
    assert client.get(f"/cases/{application_id}").status_code == 200


def test_the_refusal_names_the_newest_application_or_none(session, staff):
    first = make_application(session, staff["cw1"], year=2026)
    newest = open_application(session, first.worker, program_year=2027,
                              intake_channel="walk_in", actor=staff["cw1"])
    fields = {**{k: v for k, v in INTAKE.items() if k not in ("intake_channel", "program_year")},
              "monthly_income": 1_800_000, "birth_date": first.worker.birth_date,
              "nik": first.worker.nik, "sex": first.worker.sex}
    with pytest.raises(AlreadyRegistered) as refused:
        register_worker(session, actor=staff["cw1"], **fields)
    assert refused.value.application_id == newest.id and refused.value.status == 409
    assert f"{newest.id} (2027)" in str(refused.value.message)
    lone = make_worker(session, staff["cw1"])
    with pytest.raises(AlreadyRegistered) as refused:
        register_worker(session, actor=staff["cw1"], **{
            **fields, "nik": lone.nik, "birth_date": lone.birth_date, "sex": lone.sex})
    assert refused.value.application_id is None
