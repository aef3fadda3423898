"""A missing reference row is a configuration error shown to caseworkers and the admin,
never a silent "not eligible"; the last published UMK stands in only where the policy
version says so."""
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from models import Application, EligibilityEvaluation, PolicyVersion, clock
from reports.configuration import Gap, reference_gaps
from tests.factories import add_documents, load_dtsen, make_application, make_budget
from tests.helpers import login
from workflows.audit import record_change
from workflows.errors import MissingReference
from workflows.reference_data import INITIAL_POLICY
from workflows.verification import submit_application


def _policy(session, staff, *, fallback: bool, effective_from=date(2026, 6, 1)):
    policy = PolicyVersion(**{**INITIAL_POLICY, "name": f"Uji fallback={fallback}",
                              "effective_from": effective_from, "umk_fallback": fallback})
    session.add(policy)
    record_change(session, staff["admin1"], "policy.create", policy, created=True)
    session.flush()
    return policy


def _draft_for(session, staff, year):
    application = make_application(session, staff["cw1"], year=year)
    add_documents(session, application, staff["cw1"])
    load_dtsen(session, staff["cw1"], [(application.worker, 2)])
    return application


def test_a_missing_umk_refuses_the_submission_and_changes_nothing(session, staff):
    policy = _policy(session, staff, fallback=False)
    application = _draft_for(session, staff, 2027)  # no UMK 2027 entered
    savepoint = session.begin_nested()
    with pytest.raises(MissingReference, match=f"UMK of Kota Bekasi for 2027.*{policy.id}"):
        submit_application(session, application, actor=staff["cw1"])
    savepoint.rollback()  # what the page does with a refusal
    assert session.get(Application, application.id).state == "draft"
    assert session.scalar(select(func.count()).select_from(EligibilityEvaluation).where(
        EligibilityEvaluation.application_id == application.id)) == 0


def test_where_the_policy_says_so_the_last_published_umk_stands_in(client, session, staff):
    _policy(session, staff, fallback=True)
    application = _draft_for(session, staff, 2027)
    submit_application(session, application, actor=staff["cw1"])
    evaluation = session.execute(select(EligibilityEvaluation).where(
        EligibilityEvaluation.application_id == application.id)).scalar_one()
    income = next(r for r in json.loads(evaluation.results)["rules"] if r["rule"] == "income")
    assert (income["expected"], income["umk_year"], income["umk_stands_in"]) == (
        5_999_443, 2026, True)
    assert evaluation.eligible
    session.commit()
    login(client, "cw2")
    page = client.get(f"/cases/{application.id}").get_data(as_text=True)
    assert "UMK 2026, UMK terakhir yang terbit, dipakai sementara" in page


def test_the_years_own_umk_is_used_and_named(session, staff):
    application = _draft_for(session, staff, 2026)
    submit_application(session, application, actor=staff["cw1"])
    evaluation = session.execute(select(EligibilityEvaluation).where(
        EligibilityEvaluation.application_id == application.id)).scalar_one()
    income = next(r for r in json.loads(evaluation.results)["rules"] if r["rule"] == "income")
    assert (income["umk_year"], income["umk_stands_in"]) == (2026, False)


@pytest.mark.day(date(2026, 10, 1))
def test_gaps_of_this_year_and_in_the_last_quarter_of_the_next(session, staff):
    assert reference_gaps(session, clock.today()) == [
        Gap("budget_year", 2026, True), Gap("budget_year", 2027, True),
        Gap("umk_fallback", 2027, False)]
    make_budget(session, staff["admin1"], year=2026)
    with clock.pinned(date(2026, 9, 30)):
        assert reference_gaps(session, clock.today()) == []
    _policy(session, staff, fallback=False, effective_from=date(2026, 9, 1))
    assert Gap("umk", 2027, True) in reference_gaps(session, clock.today())


@pytest.mark.day(date(2026, 12, 4))
def test_the_home_page_lists_the_gaps_for_caseworkers_and_the_admin(client, session, staff):
    make_budget(session, staff["admin1"], year=2026)
    session.commit()
    for user, link in (("cw1", False), ("admin1", True), ("audit1", None)):
        client = client.application.test_client()
        login(client, user)
        page = client.get("/").get_data(as_text=True)
        if link is None:
            assert 'data-testid="panel-configuration"' not in page
            continue
        assert 'data-gap="budget_year-2027"' in page and 'data-gap="umk_fallback-2027"' in page
        assert ('href="/budget_years/"' in page) is link
