"""Issue 16: the head's ranking at twenty thousand verified applications reads one page
of it, whichever page: the same statements as for a hundred and fifty cases, none
returning more rows than a page, the ranks read off ix_application_ranking and no
table of applications, workers or evaluations scanned; the budget page reads the job
worker's count instead of the tables. PostgreSQL only: its planner is the one
production has (tests/test_lookup_plans.py says why ANALYZE runs in the test's
transaction and no enable_seqscan)."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from tests.factories import make_budget
from tests.helpers import login
from models import clock
from tests.plans import plan_nodes, recorded
from workflows.home_figures import refresh_home_figures

CASES = 20_000
BIG = ("application", "worker", "eligibility_evaluation")


def _verified(session, staff, first: int, count: int) -> None:
    """``count`` more verified applications of 2026, made on the server: workers spread
    over the kelurahan, some with a priority factor, each with an evaluation whose desil
    the triggers copy onto the case (so the bulk insert tests them too). Each worker has
    rejected applications of the two years before, so the cases awaiting a decision are
    a third of the table, as in a city's (every row ranked would rightly be scanned)."""
    session.execute(text("""
        INSERT INTO worker (nik, kk_number, full_name, birth_place, birth_date, sex, address,
                            rt, rw, kelurahan_code, category, occupation, monthly_income,
                            female_head_of_household, disability, created_at)
        SELECT '3279' || lpad(i::text, 12, '0'), '3278' || lpad(i::text, 12, '0'),
               'Pekerja ' || i, 'Bekasi', DATE '1990-01-01' + i % 28, 'P', 'Jl. Uji', '001',
               '002', k.codes[1 + i % array_length(k.codes, 1)],
               (ARRAY['pedagang', 'pekerja_lepas', 'wiraswasta'])[1 + i % 3], 'PKL', 1000000,
               i % 7 = 0, i % 11 = 0, now()
        FROM generate_series(:first, :first + :n - 1) AS i,
             (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan) AS k"""),
        {"first": first, "n": count})
    session.execute(text("""
        INSERT INTO application (worker_id, program_year, state, intake_channel,
                                 taken_in_by_id, created_at, submitted_at, state_changed_at)
        SELECT w.id, y.year, CASE WHEN y.year = 2026 THEN 'verified' ELSE 'rejected' END,
               'walk_in', :taker, now(),
               TIMESTAMP '2026-01-05' + (w.id % 5000) * INTERVAL '1 minute', now()
        FROM worker w, (VALUES (2024), (2025), (2026)) AS y (year) WHERE w.nik LIKE '3279%'
          AND NOT EXISTS (SELECT 1 FROM application a WHERE a.worker_id = w.id)"""),
        {"taker": staff["cw1"].user_id})
    session.execute(text("""
        INSERT INTO eligibility_evaluation (application_id, policy_version_id, eligible, desil,
                                            results, evaluated_at)
        SELECT a.id, (SELECT min(id) FROM policy_version), true, 1 + a.id % 4,
               '{"rules": []}', now()
        FROM application a WHERE a.state = 'verified'
          AND NOT EXISTS (SELECT 1 FROM eligibility_evaluation e WHERE e.application_id = a.id)
    """))
    for table in BIG:
        session.execute(text(f"ANALYZE {table}"))
    session.commit()


@pytest.fixture
def head(client, session, staff, backend):
    """A head signed in, with money and places for 100 new participants."""
    if backend != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    make_budget(session, staff["admin1"], places=100)
    session.commit()
    login(client, "head")
    return client


@contextmanager
def fetched(session):
    """The rows each statement on the test's connection returned."""
    counts = []

    def count(conn, cursor, statement, parameters, context, executemany):
        counts.append(cursor.rowcount)

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(connection, "after_cursor_execute", count)


def _ranks(html: str) -> list[int]:
    return [int(r) for r in re.findall(r'<td>(\d+)</td><td><a href="/cases/', html)]


def test_a_deep_page_holds_its_own_ranks_and_no_statement_returns_more(head, session, staff):
    from caseapp.approval.views import PAGE_SIZE  # once the app exists (caseapp.admin's cycle)
    _verified(session, staff, 0, CASES)
    for number in (1, 2, CASES // PAGE_SIZE):
        with fetched(session) as rows:
            html = head.get(f"/approval/?year=2026&page={number}").get_data(as_text=True)
        first = (number - 1) * PAGE_SIZE + 1
        assert _ranks(html) == list(range(first, first + PAGE_SIZE))
        assert max(rows) <= PAGE_SIZE, rows
        # 100 places: the line falls after rank 100 (every case is verified and
        # decidable), at the foot of page 1.
        assert ('data-testid="cut-off"' in html) == (number == 1)
    with fetched(session) as rows:  # the head asks for the line's page
        html = head.get("/approval/?year=2026&page=line").get_data(as_text=True)
    assert _ranks(html)[-1] == 100 and 'data-testid="cut-off"' in html
    assert max(rows) <= PAGE_SIZE


def test_the_statements_do_not_grow_with_the_ranking(head, session, staff):
    """150 cases or 20,150, the line within both."""
    counts = []
    for first, count in ((0, 150), (150, CASES)):
        _verified(session, staff, first, count)
        with recorded(session) as statements:
            assert head.get("/approval/?year=2026&page=2").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 30, counts


def test_the_page_reads_the_ranking_index_and_scans_no_big_table(head, session, staff):
    """Page 2: a deep page may rightly sort instead while the table is unvacuumed (here,
    after the rolled-back rows of earlier tests); at a million rows the index serves
    every page (README: Scale)."""
    _verified(session, staff, 0, CASES)
    with recorded(session) as statements:
        assert head.get("/approval/?year=2026&page=2").status_code == 200
    nodes = plan_nodes(session, statements)
    scans = [(n["Relation Name"], n.get("Filter")) for n in nodes
             if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG]
    assert not scans, scans
    # The page's ranks read in order off the index (counted by a window as they come),
    # stopping at the page's last: no sort of the ranking.
    pages = [_read_under(n) for n in nodes if n["Node Type"] == "Limit"]
    assert ["Limit", "WindowAgg", "ix_application_ranking"] in pages, pages


def _read_under(limit: dict) -> list[str]:
    """The chain of first children under a Limit node down to the relation read."""
    chain, node = [], limit
    while True:
        chain.append(node.get("Index Name") or node["Node Type"])
        if "Scan" in node["Node Type"] or not node.get("Plans"):
            return chain
        node = node["Plans"][0]


def test_the_budget_page_reads_the_counted_figures_not_the_tables(head, session, staff):
    _verified(session, staff, 0, CASES)
    refresh_home_figures(session, clock.today())  # the job worker's count
    session.commit()
    with recorded(session) as statements:
        html = head.get("/budget/?year=2026").get_data(as_text=True)
    # a fixed number however many cases: the year's row, the stored figures, the
    # year-close card's few counts (each off an index), the session's own
    assert 'data-testid="figures-as-of"' in html and len(statements) <= 20, statements
    assert not [n for n in plan_nodes(session, statements) if n["Node Type"] == "Seq Scan"
                and n.get("Relation Name") in BIG]

