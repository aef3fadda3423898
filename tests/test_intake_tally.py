"""Issue 16: a caseworker's own intake per state comes from the intake tally the
database's triggers keep (models/intake_tally.py). Whatever writes the applications (the
verbs one by one, a decree of many in one statement, a hand-made UPDATE or DELETE), the
tally's sums equal a count of the applications themselves; folding it keeps them."""
import re

from sqlalchemy import func, select, text

from caseapp.jobs.periodic import count_home_figures
from models import Application, HomeFigures, IntakeTally
from reports.dashboard import intake_counts, state_counts
from tests.factories import (enrol, make_application, make_budget, make_submitted,
                             make_verified)
from tests.helpers import login
from workflows.intake_tally import fold_intake_tally
from workflows.verification import reject_application, return_application


def _counted(session, staff) -> dict:
    return {name: state_counts(session, taken_in_by_id=staff[name].user_id)
            for name in ("cw1", "cw2")}


def _tallied(session, staff) -> dict:
    return {name: intake_counts(session, staff[name].user_id) for name in ("cw1", "cw2")}


def _cases(session, staff) -> None:
    """Cases of two caseworkers in several states, a decree of two among them."""
    make_budget(session, staff["admin1"], places=5)
    make_application(session, staff["cw1"])
    return_application(session, make_submitted(session, staff["cw1"]), actor=staff["cw2"],
                       reason="Foto KTP buram, mohon diunggah ulang.")
    reject_application(session, make_submitted(session, staff["cw2"]), actor=staff["cw1"],
                       reason="Bukan penduduk Kota Bekasi menurut KTP.")
    make_verified(session, staff["cw2"], staff["cw1"])
    enrol(session, staff, 2)  # taken in by cw1, approved together, enrolled one by one
    session.flush()


def test_the_tally_follows_every_verb(session, staff):
    _cases(session, staff)
    counted = _counted(session, staff)
    assert counted["cw1"] == {"draft": 1, "returned": 1, "enrolled": 2}
    assert counted["cw2"] == {"rejected": 1, "verified": 1}
    assert _tallied(session, staff) == counted


def test_any_write_path_moves_the_tally(session, staff):
    """Not only the verbs: a correction by hand in SQL, a removed row."""
    _cases(session, staff)
    cw1, cw2 = staff["cw1"].user_id, staff["cw2"].user_id
    session.execute(text("UPDATE application SET taken_in_by_id = :cw2 WHERE "
                         "taken_in_by_id = :cw1 AND state = 'enrolled'"), {"cw1": cw1, "cw2": cw2})
    draft = session.scalar(select(Application.id).where(Application.state == "draft"))
    for table, column in (("application_transition", "application_id"), ("application", "id")):
        session.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": draft})
    session.execute(text("UPDATE application SET state = 'submitted' WHERE state = 'rejected'"))
    counted = _counted(session, staff)
    assert counted == {"cw1": {"returned": 1}, "cw2": {"submitted": 1, "verified": 1,
                                                        "enrolled": 2}}
    assert _tallied(session, staff) == counted


def test_folding_keeps_the_sums_in_one_row_a_pair(session, staff):
    _cases(session, staff)
    before = _tallied(session, staff)
    rows = session.scalar(select(func.count()).select_from(IntakeTally))
    folded = fold_intake_tally(session)
    assert 0 < folded < rows
    assert _tallied(session, staff) == before
    pairs = session.execute(select(IntakeTally.taken_in_by_id, IntakeTally.state,
                                   func.count()).group_by(IntakeTally.taken_in_by_id,
                                                          IntakeTally.state)).all()
    assert {count for *_, count in pairs} == {1}
    # States left behind (all of cw1's submitted, verified, approved, ...) fold to nothing.
    assert session.scalar(select(func.count()).select_from(IntakeTally)) == sum(
        len(states) for states in before.values())
    assert fold_intake_tally(session) == 0  # nothing left to fold


def test_the_job_worker_folds_the_tally_after_the_figures(app, session, staff):
    _cases(session, staff)
    session.commit()
    before = _tallied(session, staff)
    count_home_figures(app)
    assert session.get(HomeFigures, 2026) is not None
    assert _tallied(session, staff) == before
    assert session.scalar(select(func.count()).select_from(IntakeTally)) == sum(
        len(states) for states in before.values())


def test_counted_again_after_what_the_triggers_do_not_see(app, session, staff):
    """A TRUNCATE, or a bulk load with the triggers off: `flask home-figures
    recount-intake` counts the tally again from the applications."""
    _cases(session, staff)
    session.execute(text("DELETE FROM intake_tally"))
    session.commit()
    assert _tallied(session, staff) == {"cw1": {}, "cw2": {}}
    result = app.test_cli_runner().invoke(args=["home-figures", "recount-intake"])
    assert result.exit_code == 0, result.output
    assert "intake tally counted again: 5 rows" in result.output
    assert _tallied(session, staff) == _counted(session, staff)


def test_the_home_page_shows_the_tallied_intake(client, session, staff):
    make_submitted(session, staff["cw1"])
    make_submitted(session, staff["cw1"])
    make_application(session, staff["cw1"])
    session.commit()
    login(client, "cw1")
    html = client.get("/").get_data(as_text=True)
    mine = html[html.index('data-testid="panel-caseworker"'):]
    assert re.search(r"Diajukan: <strong><a [^>]+>2</a></strong>", mine)
    assert re.search(r"Draf: <strong><a [^>]+>1</a></strong>", mine)
