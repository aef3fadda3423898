"""Issue 16: the home page's figures over the whole city (or a partner's whole area) come
from the job worker's count of the last minutes, which the page dates; without a fresh
count they are counted for the page as before. One's own work stays counted live, and on
PostgreSQL no statement of a home page reads the application or worker table whole."""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from caseapp.i18n import wib
from caseapp.jobs.periodic import count_home_figures
from models import Decree, HomeFigures, clock
from reports.home_figures import city_figures
from tests.factories import enrol, make_budget, make_submitted
from tests.helpers import csrf_token, events_since, head_seq, login
from tests.plans import plan_nodes, recorded
from tests.test_partners import ELSEWHERE, HOME, make_partner
from workflows.home_figures import refresh_home_figures


def _panel(html: str, testid: str) -> str:
    """A panel's text, tags removed."""
    panel = html.split(f'data-testid="{testid}"', 1)[1].split("</div></div></div>", 1)[0]
    return re.sub(r"<[^>]+>", "", panel)


def _home(client, username: str) -> str:
    login(client, username)
    html = client.get("/").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    return html


def test_the_refresh_stores_what_counting_now_gives_and_records_no_event(session, staff):
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 2)
    make_submitted(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    seq = head_seq(session)
    stored = refresh_home_figures(session, clock.today())
    figures = json.loads(stored.figures)
    assert figures == city_figures(session, 2026)
    assert (stored.year, stored.chain_seq) == (2026, seq)
    assert clock.now() - timedelta(seconds=5) < stored.computed_at <= clock.now()
    assert figures["stages"] == figures["states"] == {"enrolled": 2, "submitted": 1}
    assert figures["scopes"]["kelurahan"][HOME]["stages"] == {"enrolled": 2}
    assert figures["scopes"]["kecamatan"]["327507"]["states"] == {"submitted": 1}
    session.commit()  # derived figures: the audit guard wants no event for them
    assert events_since(session, seq) == []
    make_submitted(session, staff["cw1"])
    again = refresh_home_figures(session, clock.today())
    assert json.loads(again.figures)["stages"] == {"enrolled": 2, "submitted": 2}
    assert session.scalar(select(func.count()).select_from(HomeFigures)) == 1


def test_the_page_shows_the_stored_figures_and_says_as_of_when(client, session, staff):
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 1)
    make_submitted(session, staff["cw1"])
    stored = refresh_home_figures(session, clock.today())
    enrol(session, staff, 1)  # after the count: in the live figures only
    make_submitted(session, staff["cw1"])
    session.commit()
    when = wib(stored.computed_at)
    html = _home(client, "audit1")
    assert "Diajukan: 1" in _panel(html, "panel-stages")
    assert "Diajukan: 1" in _panel(html, "panel-auditor")
    assert re.search(r"<td>Bekasi Timur</td><td>(<a[^>]*>)?1<", html)  # coverage
    assert html.count('data-testid="figures-as-of"') == 3 and html.count(when) == 3
    # A caseworker's own intake is counted live beside the stored stages and queue.
    html = _home(client, "cw2")
    assert "Diajukan: 1" in _panel(html, "panel-stages") and when in html
    assert re.search(r'intake=others[^>]*>1</a>', html)  # waiting for verification
    assert when in _panel(html, "panel-caseworker")
    html = _home(client, "cw1")
    # the four-eyes rule: one's own submissions are not one's to verify
    assert "Menunggu verifikasi oleh Anda atau rekan: 0" in _panel(html, "panel-caseworker")
    assert "Diajukan: 2" in _panel(html, "panel-caseworker")  # live


@pytest.mark.parametrize("count", ["none", "too old"])
def test_without_a_fresh_count_the_page_counts_for_itself(client, session, staff, count):
    make_submitted(session, staff["cw1"])
    if count == "too old":
        refresh_home_figures(session, clock.today())
    make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "head")
    with clock.pinned(clock.now() + timedelta(minutes=16)):  # past the default 15
        html = client.get("/").get_data(as_text=True)
    assert "Diajukan: 2" in _panel(html, "panel-stages")
    assert 'data-testid="figures-as-of"' not in html


def test_a_partner_sees_its_areas_stored_counts_and_its_own_work_live(client, session,
                                                                        staff):
    make_partner(session, "kel_uji", "kelurahan", HOME)
    make_submitted(session, staff["cw1"], kelurahan_code=HOME)
    make_submitted(session, staff["cw1"], kelurahan_code=ELSEWHERE)
    stored = refresh_home_figures(session, clock.today())
    make_submitted(session, staff["cw1"], kelurahan_code=HOME)
    session.commit()
    html = _home(client, "kel_uji")
    assert "Diajukan: 1" in _panel(html, "panel-stages")
    assert "Diajukan: 1" in _panel(html, "panel-partner")
    assert wib(stored.computed_at) in _panel(html, "panel-partner")
    ageing = html.split('data-testid="partner-ageing"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>(<a[^>]*>)?2(</a>)?</td>", ageing)  # submitted 0-7 days: live


def test_the_job_worker_counts_them_every_five_minutes_without_an_event(app, session):
    huey = app.extensions["caseapp_jobs"].huey

    def due(minute):
        moment = datetime(2026, 7, 10, 3, minute, tzinfo=timezone.utc)
        return "scheduled-home-figures" in [task.name for task in huey.read_periodic(moment)]

    assert due(5) and due(10) and not due(7)
    seq = head_seq(session)
    count_home_figures(app)
    stored = session.get(HomeFigures, 2026)
    assert stored is not None and stored.chain_seq == seq
    assert events_since(session, seq) == []


def test_flask_home_figures_refresh(app, session):
    result = app.test_cli_runner().invoke(args=["home-figures", "refresh"])
    assert result.exit_code == 0, result.output
    stored = session.get(HomeFigures, 2026)
    assert f"home figures of 2026 counted at {wib(stored.computed_at)}" in result.output


# One application in 20 per state, roughly as a city holds them in July.
STATE_CYCLE = ("draft", "submitted", "submitted", "returned", "verified", "waitlisted",
               "approved", "approved", "submitted_to_bpjs", "enrolled", "enrolled", "enrolled",
               "enrolled", "enrolled", "enrolled", "enrolled", "enrolled", "terminated",
               "rejected", "declined")
WORKERS = 20_000


def _fill_city(session, staff, decree: int) -> None:
    """WORKERS workers over the 56 kelurahan with an application each in every state
    (cw1 took in one in a hundred, cw2 the rest) and the budget ledger of those holding
    a place, made on the server by INSERT ... SELECT, then ANALYZEd."""
    now = clock.now()
    session.execute(text("""
        INSERT INTO worker (nik, kk_number, full_name, birth_place, birth_date, sex, address,
                            rt, rw, kelurahan_code, category, occupation, monthly_income,
                            created_at)
        SELECT '3271' || lpad(i::text, 12, '0'), '3272' || lpad(i::text, 12, '0'),
               'Warga ' || i, 'Bekasi', DATE '1990-01-01' + i % 28, 'P', 'Jl. Uji', '001',
               '002', k.codes[1 + i % cardinality(k.codes)], 'pedagang', 'PKL', 1000000, :now
        FROM generate_series(0, :n - 1) AS i,
             (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan) AS k"""),
        {"n": WORKERS, "now": now})
    holding = "('approved', 'submitted_to_bpjs', 'enrolled', 'terminated')"
    session.execute(text(f"""
        INSERT INTO application (worker_id, program_year, state, intake_channel, taken_in_by_id,
                                 created_at, submitted_at, state_changed_at, decree_id,
                                 approved_by_id, approved_at, commitment, kpj, coverage_start,
                                 exit_reason, exit_month)
        SELECT w.id, 2026, s.state, 'walk_in',
               CASE WHEN w.id % 100 = 0 THEN :mine ELSE :others END, :now,
               CASE WHEN s.state <> 'draft' THEN :now - (w.id % 60) * interval '1 day' END, :now,
               CASE WHEN s.state IN {holding} OR s.state = 'waitlisted' THEN :decree END,
               CASE WHEN s.state IN {holding} THEN :head END,
               CASE WHEN s.state IN {holding} THEN :now END,
               CASE WHEN s.state IN {holding} THEN 201600 END,
               CASE WHEN s.state IN ('enrolled', 'terminated')
                    THEN '8' || lpad(w.id::text, 10, '0') END,
               CASE WHEN s.state IN ('enrolled', 'terminated') THEN DATE '2026-02-01' END,
               CASE WHEN s.state = 'terminated' THEN 'pindah_domisili' END,
               CASE WHEN s.state = 'terminated' THEN DATE '2026-05-01' END
        FROM worker w, LATERAL (SELECT (CAST(:states AS text[]))[1 + w.id % 20] AS state) s
        WHERE w.nik LIKE '3271%'"""),
        {"mine": staff["cw1"].user_id, "others": staff["cw2"].user_id, "now": now,
         "decree": decree, "head": staff["head"].user_id, "states": list(STATE_CYCLE)})
    session.execute(text("""
        INSERT INTO budget_ledger (fiscal_year, application_id, decree_id, kind, amount, places,
                                   months, created_at)
        SELECT 2026, id, decree_id, 'commit', commitment, 1, 12,
               TIMESTAMPTZ '2026-01-05 03:00+00' + (id % 180) * interval '1 day'
        FROM application WHERE kpj LIKE '8%'"""))
    for table in ("worker", "application", "budget_ledger"):
        session.execute(text(f"ANALYZE {table}"))


HOME_PAGE_USERS = ("head", "audit1", "admin1", "cw1", "kel_uji", "kec_uji")


def _statements(client, session, username: str) -> list:
    login(client, username)
    client.get("/")  # the first page after signing in may touch the session row
    with recorded(session) as statements:
        assert client.get("/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    return statements


def test_home_pages_with_a_fresh_count_read_no_big_table_whole(client, session, staff,
                                                                backend):
    """Head, auditor and admin read the stored figures, a caseworker and partners their
    own work by index: no Seq Scan on application or worker in any statement, and as many
    statements with twenty thousand applications as with one."""
    if backend != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    make_partner(session, "kel_uji", "kelurahan", HOME)
    make_partner(session, "kec_uji", "kecamatan", "327501")
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 1)
    refresh_home_figures(session, clock.today())
    session.commit()
    few = {user: len(_statements(client, session, user)) for user in HOME_PAGE_USERS}
    _fill_city(session, staff, session.scalar(select(func.max(Decree.id))))
    refresh_home_figures(session, clock.today())
    session.commit()
    for user in HOME_PAGE_USERS:
        statements = _statements(client, session, user)
        assert len(statements) == few[user] <= 12, (user, [s[:120] for s, _ in statements])
        scans = [(n["Relation Name"], n.get("Filter")) for n in plan_nodes(session, statements)
                 if n["Node Type"] == "Seq Scan" and n["Relation Name"] in ("application",
                                                                          "worker")]
        assert not scans, (user, scans)


def test_a_caseworkers_own_waiting_applications_are_aged_from_the_index_alone(
        client, session, staff, backend):
    """"My intake"'s ageing reads one person's submitted applications by index (migration
    0029), not the whole city's queue filtered by who took them in."""
    if backend != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    make_budget(session, staff["admin1"], places=5)
    enrol(session, staff, 1)
    _fill_city(session, staff, session.scalar(select(func.max(Decree.id))))
    refresh_home_figures(session, clock.today())
    session.commit()
    ageing = [(s, p) for s, p in _statements(client, session, "cw1")
              if "sum(CASE" in s and "taken_in_by_id" in s]
    assert len(ageing) == 1
    reads = [n for n in plan_nodes(session, ageing) if n.get("Relation Name") == "application"]
    assert [(n["Node Type"], "taken_in_by_id" in n.get("Index Cond", "")) for n in reads] == \
        [("Index Only Scan", True)], reads
