"""The auditor workspace (/audit/...): filters, entity histories, who accessed a worker,
the chain's state and who may build the evidence pack (its contents and offline checks:
tests/test_evidence_pack.py), all read-only except the pack's own event."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from caseapp.extensions import limiter
from caseapp.reports.service import generate
from models import AuditChainHead, AuditEvent, Decree, Document, Job, clock
from reports.audit_trail import EventFilter, search_events
from tests.bpjs_factories import approved, budget, new_batch
from tests.factories import DOCUMENT_DIR, make_application, make_submitted
from tests.helpers import csrf_token, events_since, head_seq, job_result, login, tamper
from workflows.actor import Actor
from workflows.audit import record, record_many
from workflows.bpjs.registration import batch_file
from workflows.documents import read_document

PURPOSE = "Pemeriksaan Inspektorat atas kasus ini"
PAGES = ("/audit/", "/audit/event/1", "/audit/entity/app_user/1", "/audit/worker",
         "/audit/chain", "/audit/evidence-pack")


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', html)]


def _get(client, path, **params) -> str:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _checkpoint(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "keygen"]).exit_code == 0
    result = runner.invoke(args=["audit", "checkpoint", "--as", "audit1"])
    assert result.exit_code == 0, result.output


def test_each_filter_narrows_the_events(client, session, staff):
    # 17:30 UTC on 1 March is already 2 March in Bekasi (WIB, UTC+7).
    system = Actor.system("uji-filter")
    with clock.pinned(datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc)):
        by_cw = record(session, staff["cw1"], "test.filter.a", entity_type="worker",
                       entity_id="990001", reason="jarum_50% di sini")
        by_audit = record(session, staff["audit1"], "test.filter.ab", entity_type="worker",
                          entity_id="990002", diff={"catatan": [None, "ada JARUM_50% juga"]})
        by_system = record(session, system, "test.filter.b", entity_type="application",
                           entity_id="990001")
    later = record(session, staff["cw1"], "test.filter.a", reason="hari ini")
    session.commit()
    login(client, "audit1")
    cases = [({"action": "test.filter."}, [later, by_system, by_audit, by_cw]),
             ({"action": "test.filter.a"}, [later, by_audit, by_cw]),
             ({"action": "test.filter.a", "action_match": "exact"}, [later, by_cw]),
             ({"action": "test.filter%"}, []),
             ({"action": "test.", "actor": "cw1"}, [later, by_cw]),
             ({"action": "test.", "actor": "system:uji-filter"}, [by_system]),
             ({"entity_type": "worker", "entity_id": "990001"}, [by_cw]),
             ({"action": "test.", "entity_type": "worker"}, [by_audit, by_cw]),
             ({"action": "test.", "date_from": "2026-03-02", "date_to": "2026-03-02"},
              [by_system, by_audit, by_cw]),
             ({"action": "test.", "date_to": "2026-03-01"}, []),
             ({"action": "test.", "date_from": "2026-03-03"}, [later]),
             ({"text": "JARUM_50%"}, [by_audit, by_cw]),
             ({"text": "jarum_50%", "actor": "audit1"}, [by_audit])]
    for params, expected in cases:
        assert _seqs(_get(client, "/audit/", **params)) == [e.seq for e in expected], params
    invalid = _get(client, "/audit/", entity_id="990001")  # an id needs its type
    assert _seqs(invalid) == [] and "is-invalid" in invalid


def test_pages_are_keyset_paged_newest_first(client, session, staff):
    record_many(session, staff["cw1"], [{"action": "test.page", "entity_type": "worker",
                                         "entity_id": str(n)} for n in range(53)])
    session.commit()
    seqs = list(session.execute(select(AuditEvent.seq).where(AuditEvent.action == "test.page")
                                .order_by(AuditEvent.seq.desc())).scalars())
    pages, after = [], None
    while True:
        page = search_events(session, EventFilter(action="test.page", action_exact=True),
                             after=after, page_size=20)
        pages.append([e.seq for e in page.events])
        if page.next_after is None:
            break
        after = page.next_after
    assert [len(p) for p in pages] == [20, 20, 13] and sum(pages, []) == seqs
    login(client, "audit1")
    first = _get(client, "/audit/", action="test.page", action_match="exact")
    assert _seqs(first) == seqs[:50]
    link = re.search(r'data-testid="next-page" href="([^"]+)"', first).group(1)
    assert "action=test.page" in link and f"after={seqs[49]}" in link
    assert _seqs(client.get(link.replace("&amp;", "&")).get_data(as_text=True)) == seqs[50:]


def test_entity_history_is_oldest_first_with_field_diffs(client, session, staff):
    application = make_submitted(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    events = _get(client, "/audit/", entity_type="application",
                  entity_id=str(application.id))
    history_url = f"/audit/entity/application/{application.id}"
    assert f'href="{history_url}"' in events
    html = _get(client, history_url)
    expected = list(session.execute(select(AuditEvent.seq).where(
        AuditEvent.entity_type == "application", AuditEvent.entity_id == str(application.id))
        .order_by(AuditEvent.seq)).scalars())
    assert _seqs(html) == expected and len(expected) >= 3
    submit = session.execute(select(AuditEvent).where(
        AuditEvent.action == "application.submit",
        AuditEvent.entity_id == str(application.id))).scalar_one()
    row = html.split(f'<tr data-seq="{submit.seq}">', 1)[1].split("</tr>\n  <tr", 1)[0]
    assert re.search(r"<code>state</code></td>\s*<td[^>]*>draft</td>\s*<td[^>]*>submitted", row)
    detail = _get(client, f"/audit/event/{submit.seq}")
    assert submit.hash in detail and submit.prev_hash in detail and history_url in detail
    assert 'data-testid="event-intact"' in detail and "badge-success" in detail


def test_who_accessed_a_worker_lists_reads_changes_and_bulk_exports(client, session, staff):
    budget(session, staff)
    mine, other = approved(session, staff, 2)
    document = session.execute(select(Document).where(
        Document.application_id == mine.id)).scalars().first()
    read_document(session, document, storage_dir=DOCUMENT_DIR, actor=staff["audit1"])
    sk_number = session.get(Decree, mine.decree_id).sk_number
    session.commit()  # the report service ends its read transaction with a rollback
    generate(session, "decree", "csv", {"sk_number": sk_number}, actor=staff["head"],
             purpose="Rapat evaluasi program triwulan")
    batch = new_batch(session, staff)
    batch_file(session, batch, "csv", actor=staff["cw1"], purpose="Dikirim ke BPJS cabang")
    unrelated = make_application(session, staff["cw1"])
    session.commit()
    login(client, "audit1")
    token = csrf_token(client, "/audit/worker")
    response = client.post("/audit/worker", data={"csrf_token": token,
                                                  "worker": mine.worker.nik})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/audit/worker/{mine.worker_id}")
    html = _get(client, f"/audit/worker/{mine.worker_id}")
    assert mine.worker.nik not in html and mine.worker.full_name not in html
    kinds = dict(re.findall(r'<tr data-seq="(\d+)">.*?data-kind="(\w+)"', html, re.S))
    events = {e.seq: e for e in session.execute(select(AuditEvent).where(
        AuditEvent.seq.in_([int(s) for s in kinds]))).scalars()}
    seen = {(e.action, e.entity_type, e.entity_id, kinds[str(seq)], e.reason)
            for seq, e in events.items()}
    for expected in [("worker.register", "worker", str(mine.worker_id), "change", None),
                     ("application.open", "application", str(mine.id), "change", None),
                     ("document.upload", "document", str(document.id), "change", None),
                     ("document.read", "document", str(document.id), "read", None),
                     ("report.generate", "decree", str(mine.decree_id), "read",
                      "Rapat evaluasi program triwulan"),
                     ("bpjs.batch_download", "registration_batch", str(batch.id), "read",
                      "Dikirim ke BPJS cabang")]:
        assert expected in seen, expected
    assert not {str(other.id), str(unrelated.id)} & {
        e.entity_id for e in events.values() if e.entity_type == "application"}
    assert _seqs(html) == sorted(_seqs(html), reverse=True)
    unknown = client.post("/audit/worker", data={"csrf_token": token, "worker": "9" * 16})
    assert unknown.status_code == 404


def test_chain_status_without_a_checkpoint_and_verify_now(client, session, staff):
    record(session, staff["cw1"], "test.chain")
    session.commit()
    login(client, "audit1")
    head = session.execute(select(AuditChainHead.seq, AuditChainHead.hash)).one()
    html = _get(client, "/audit/chain")
    assert f"<strong>{head.seq}</strong>" in html and head.hash in html
    assert 'data-testid="no-checkpoint"' in html
    token = csrf_token(client, "/audit/chain")
    verified = client.post("/audit/chain/verify", data={"csrf_token": token})
    assert job_result(client, verified) == "/audit/chain"
    page = _get(client, "/audit/chain")
    assert "alert-success" in page and f"OK: rantai audit utuh, {head.seq + 2} peristiwa" in page
    # The walk changed nothing; the log holds only the job's own steps, by the auditor.
    steps = events_since(session, head.seq)
    assert [(e.action, e.actor_name) for e in steps] == [
        ("job.queued", "audit1"), ("job.started", "audit1"), ("job.finished", "audit1")]
    assert client.post("/audit/chain/verify").status_code == 400  # no CSRF token


def test_chain_status_with_a_checkpoint_and_a_tampered_chain(app, client, session, staff,
                                                             signing):
    for _ in range(3):
        record(session, staff["cw1"], "test.chain")
    session.commit()
    _checkpoint(app)
    checkpoint_seq = head_seq(session) - 1  # the checkpoint event itself follows the head it signed
    login(client, "audit1")
    html = _get(client, "/audit/chain")
    assert f"<dd class=\"col-7\">{checkpoint_seq}</dd>" in html
    assert 'data-testid="signature" data-ok="1" data-server-key="1"' in html
    assert 'data-testid="chain-matches" data-ok="1"' in html and "SHA256:" in html

    victim = checkpoint_seq - 1
    tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=victim)
    tamper(session, "UPDATE audit_event SET hash = :h WHERE seq = :s", h="f" * 64,
           s=checkpoint_seq)
    tamper(session, "UPDATE audit_checkpoint SET signature = :s", s="00" * 64)
    session.commit()
    signing[0].unlink()  # key not on this host: checked with the key stored with the checkpoint
    html = _get(client, "/audit/chain")
    assert 'data-testid="signature" data-ok="0" data-server-key="0"' in html
    assert 'data-testid="chain-matches" data-ok="0"' in html
    token = csrf_token(client, "/audit/chain")
    verdict = client.post("/audit/chain/verify", data={"csrf_token": token})
    assert job_result(client, verdict) == f"/audit/event/{victim}"  # straight to the bad event
    body = _get(client, f"/audit/event/{victim}")
    assert "alert-danger" in body and f"RUSAK pada seq {victim}" in body
    assert "badge-danger" in body


def _case_with_history(session, staff):
    application = make_submitted(session, staff["cw1"])
    record(session, staff["cw1"], "test.unrelated", entity_type="application", entity_id="0")
    return application


@pytest.mark.parametrize("username", ["cw1", "head", "admin1", "cwhead"])
def test_only_auditors_reach_the_workspace(client, session, staff, username):
    application = _case_with_history(session, staff)
    session.commit()
    login(client, username)
    for path in PAGES + (f"/audit/worker/{application.worker_id}",):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/reports/")
    for path in ("/audit/chain/verify", "/audit/evidence-pack", "/audit/worker"):
        assert client.post(path, data={"csrf_token": token, "application_id": application.id,
                                       "purpose": PURPOSE}).status_code == 403, path
    assert session.execute(select(AuditEvent).where(
        AuditEvent.action == "audit.evidence_pack")).first() is None
    assert session.execute(select(Job)).first() is None  # nothing queued for them either


def test_browsing_the_workspace_writes_nothing(client, session, staff):
    application = _case_with_history(session, staff)
    session.commit()
    login(client, "audit1")
    before = head_seq(session)
    for path in PAGES + (f"/audit/worker/{application.worker_id}",
                         f"/audit/entity/application/{application.id}"):
        _get(client, path)
    assert head_seq(session) == before


def test_verify_now_is_rate_limited(app, client, monkeypatch):
    """Each walk reads the whole chain; a few per minute keep the server for everyone."""
    monkeypatch.setitem(app.config, "AUDIT_VERIFY_RATE_LIMIT", "2 per minute")
    login(client, "audit1")
    token = csrf_token(client, "/audit/chain")
    limiter.reset()
    try:
        codes = [client.post("/audit/chain/verify", data={"csrf_token": token}).status_code
                 for _ in range(3)]
    finally:
        limiter.reset()
    assert codes == [302, 302, 429]
