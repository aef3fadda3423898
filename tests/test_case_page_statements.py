"""Issue 16: the case page is the busiest page of a caseworker's day. Its statements are
counted: the worker, kelurahan, kecamatan and decree come with the case, and what its
cards and the steps' guards both ask (the latest evaluation, a standing restriction, the
duplicate flags) is
asked once (reports/remembered.py), while a verb outside the page asks every time."""
from sqlalchemy import select

from models import EligibilityEvaluation
from reports.evaluations import latest_evaluation
from reports.remembered import reads_remembered
from tests.factories import make_submitted
from tests.helpers import login
from tests.plans import recorded

CASE_PAGE_STATEMENTS = 14  # a submitted case, for a caseworker who may verify it


def _reading(statements, table: str) -> list[str]:
    return [s for s, _ in statements if s.lstrip().upper().startswith("SELECT")
            and (f"FROM {table}" in s or f"JOIN {table}" in s)]


def test_the_case_page_asks_each_thing_once(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "cw2")
    client.get(f"/cases/{application.id}")  # the first page after signing in may touch the session
    with recorded(session) as statements:
        assert client.get(f"/cases/{application.id}").status_code == 200
    assert len(_reading(statements, "eligibility_evaluation")) == 1
    assert len(_reading(statements, "data_subject_request")) == 1
    assert len(_reading(statements, "duplicate_flag")) == 1  # the card's list, the guard's
    assert len(_reading(statements, "kelurahan")) == 1  # joined to the case, not lazy-loaded
    assert _reading(statements, "application_transition") == []  # the printed file's only
    # No KPJ yet: no contribution months, claims or renewal to look for.
    assert _reading(statements, "contribution_month") == [] and _reading(statements, "claim") == []
    assert len(_reading(statements, "application")) == 1
    sent = [s for s, _ in statements if s.lstrip().upper().startswith(("SELECT", "INSERT",
                                                                       "UPDATE"))]
    assert len(sent) <= CASE_PAGE_STATEMENTS, [s[:100] for s in sent]


def test_reads_are_remembered_only_inside_the_block(session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    with recorded(session) as outside:
        latest_evaluation(session, application)
        latest_evaluation(session, application)
    with recorded(session) as inside, reads_remembered(session):
        first = latest_evaluation(session, application)
        assert latest_evaluation(session, application) is first
    assert len(_reading(outside, "eligibility_evaluation")) == 2
    assert len(_reading(inside, "eligibility_evaluation")) == 1
    assert first == session.scalars(select(EligibilityEvaluation).where(
        EligibilityEvaluation.application_id == application.id)
        .order_by(EligibilityEvaluation.id.desc())).first()


def test_a_write_in_the_block_forgets_what_was_read(session, staff):
    """A flush inside the block (which the case page never does) drops the answers, and
    a nested block leaves the outer one's answers as they were."""
    application = make_submitted(session, staff["cw1"])
    session.commit()
    with recorded(session) as statements, reads_remembered(session):
        latest_evaluation(session, application)
        with reads_remembered(session):
            latest_evaluation(session, application)
        latest_evaluation(session, application)  # the outer block's answer
        application.worker.phone = "081234567890"
        session.flush()
        latest_evaluation(session, application)  # asked again after the write
    assert len(_reading(statements, "eligibility_evaluation")) == 3
