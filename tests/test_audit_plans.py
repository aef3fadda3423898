"""Issue 16: each filter of the auditor workspace reads about a page of audit events, not
the log, on a log of a hundred thousand events, also when the matching events are all
old (the walk down seq from the newest would pass nearly every row). PostgreSQL only:
its planner is the one production has, and the trigram index is PostgreSQL's. The pages'
own statements are run under EXPLAIN ANALYZE: no Seq Scan on audit_event, the index
meant for the filter in the plan, and few rows read; and the page shows the right events.
"""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

import pytest
from sqlalchemy import false, select, text

from models import AuditEvent
from reports.period import Period
from tests.factories import make_application
from tests.helpers import login
from tests.test_audit_workspace import _seqs
from tests.plans import plan_nodes, recorded

EVENTS = 100_000
FIRST = datetime(2026, 1, 1, tzinfo=timezone.utc)
STEP = timedelta(seconds=17)       # 5,082 events a day, 1 to 20 January
OLD = 2_000                        # the oldest events: the only ones of the plan.* actions
RARE_REASON = "Inspeksi khusus zamrud"
DAY = (FIRST + STEP * (EVENTS // 5) + timedelta(hours=7)).date()  # a WIB day long ago
MOST_READ = 2_000                  # of the log's EVENTS rows, by any one page


@pytest.fixture
def log(session, staff, backend):
    """A worker's case made by the verbs, then EVENTS events after it by INSERT ...
    SELECT (not a valid chain: the plans do not care, unique hashes from md5), the chain
    head moved past them so the pages' own events follow. Spread evenly: application and
    worker reads and verifications (a quarter say "verified"); only among the OLD first:
    plan.alpha and plan.beta, and one event whose reason is RARE_REASON."""
    if backend != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    application = make_application(session, staff["cw1"])
    session.commit()
    head = session.scalar(text("SELECT seq FROM audit_chain_head"))
    session.execute(text("""
        INSERT INTO audit_event (seq, occurred_at, actor_name, actor_roles, action,
                                 entity_type, entity_id, diff, reason, prev_hash, hash)
        SELECT :head + i, :first + i * :step, 'cw' || i % 7, 'caseworker',
               CASE WHEN i <= :old AND i % 10 = 0 THEN 'plan.alpha'
                    WHEN i <= :old AND i % 10 = 5 THEN 'plan.beta'
                    ELSE (ARRAY['application.view', 'application.view',
                                'application.verify', 'worker.view'])[i % 4 + 1] END,
               CASE WHEN i % 4 = 3 THEN 'worker' ELSE 'application' END,
               (1000000 + i % 5000)::text,
               CASE WHEN i % 4 = 2 THEN '{"state": ["submitted", "verified"]}'
                    ELSE '{"personal_data_read": [null, "record"]}' END,
               CASE WHEN i = :old / 2 THEN :rare WHEN i % 50 = 0 THEN 'Pemeriksaan rutin' END,
               md5('p' || i) || md5('q' || i), md5('h' || i) || md5('k' || i)
        FROM generate_series(1, :n) AS i"""),
        {"head": head, "first": FIRST, "step": STEP, "old": OLD, "rare": RARE_REASON,
         "n": EVENTS})
    session.execute(text("UPDATE audit_chain_head SET seq = :seq, hash = :hash"),
                    {"seq": head + EVENTS, "hash": session.scalar(text(
                        "SELECT hash FROM audit_event WHERE seq = :seq"),
                        {"seq": head + EVENTS})})
    session.execute(text("ANALYZE audit_event"))
    session.commit()
    return application


def _newest(session, *conditions, limit: int = 50) -> list[int]:
    """What a page should list: straight from the table (the oracle)."""
    return list(session.scalars(select(AuditEvent.seq).where(*conditions)
                                .order_by(AuditEvent.seq.desc()).limit(limit)))


def _assert_served(session, statements, index: str) -> int:
    """No sequential scan of audit_event, ``index`` used, and the rows its scans
    touched (kept or filtered out, each loop) few; returns how many."""
    read = plan_nodes(session, statements, ("audit_event",), analyze=True,
                      starts=("SELECT", "WITH"))
    scans = [n for n in read if n.get("Relation Name") == "audit_event"]
    assert scans, "the page read no audit events"
    assert not [n for n in scans if n["Node Type"] == "Seq Scan"], scans
    assert index in {n.get("Index Name") for n in read}, [
        (n["Node Type"], n.get("Index Name")) for n in read]
    touched = sum((n["Actual Rows"] + n.get("Rows Removed by Filter", 0)
                   + n.get("Rows Removed by Index Recheck", 0)) * n["Actual Loops"]
                  for n in scans)
    assert touched <= MOST_READ, (touched, [(n["Node Type"], n.get("Index Name"),
                                             n["Actual Rows"], n.get("Rows Removed by Filter"))
                                            for n in scans])
    return touched


def _page(client, session, path: str, index: str) -> str:
    with recorded(session) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    _assert_served(session, statements, index)
    return response.get_data(as_text=True)


def _cases(application) -> list[tuple[str, str, tuple]]:
    """(query, the index meant, the conditions of the events it lists). The plan.*
    events and RARE_REASON are rare and all old, DAY long ago; application.* and
    "verified" are everywhere, so the walk down seq fills a page at once."""
    period = Period(DAY, DAY)
    return [
        (f"/audit/?date_from={DAY}&date_to={DAY}", "pk_audit_event",
         (AuditEvent.occurred_at >= period.start, AuditEvent.occurred_at < period.end)),
        ("/audit/?action=plan.&action_match=prefix", "ix_audit_event_action_seq",
         (AuditEvent.action.startswith("plan."),)),
        ("/audit/?action=plan.alpha&action_match=exact", "ix_audit_event_action_seq",
         (AuditEvent.action == "plan.alpha",)),
        ("/audit/?action=application.&action_match=prefix", "ix_audit_event_action_seq",
         (AuditEvent.action.startswith("application."),)),
        ("/audit/?text=zzqxv", "ix_audit_event_text_trgm", (false(),)),
        (f"/audit/?text={quote_plus(RARE_REASON.upper())}", "ix_audit_event_text_trgm",
         (AuditEvent.reason == RARE_REASON,)),
        ("/audit/?text=verified", "pk_audit_event", (AuditEvent.diff.contains("verified"),)),
        (f"/audit/worker/{application.worker_id}", "ix_audit_event_entity",
         (AuditEvent.entity_type.in_(("worker", "application")),
          AuditEvent.entity_id.in_((str(application.worker_id), str(application.id))))),
    ]


def test_each_filter_reads_about_a_page_of_events(client, session, log):
    """Its first page and the next, newest first by seq as before."""
    login(client, "audit1")
    for path, index, conditions in _cases(log):
        html = _page(client, session, path, index)
        expected = _newest(session, *conditions)
        assert _seqs(html) == expected, path
        older = re.search(r'data-testid="next-page" href="([^"]+)"', html)
        if older:
            following = _page(client, session, older.group(1).replace("&amp;", "&"), index)
            assert _seqs(following) == _newest(session, *conditions,
                                               AuditEvent.seq < expected[-1]), path


def test_a_term_of_two_characters_is_refused(client, session):
    """The trigram index needs three; a shorter term would read the whole log."""
    login(client, "audit1")
    html = client.get("/audit/?text=zz").get_data(as_text=True)
    assert "is-invalid" in html and _seqs(html) == []
