"""The audit core: every write leaves a chained event, and tampering is named."""
import json

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from models import AuditCheckpoint, AuditEvent, UmkRate, Worker, clock
from tests.factories import make_worker
from tests.helpers import tamper
from workflows.audit import record, verify_chain
from workflows.audit.chain import event_hash
from workflows.audit.guard import AuditBypassRefused


def _events(session, action=None):
    stmt = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return session.execute(stmt).scalars().all()


def test_events_form_a_gap_free_hash_chain(session, staff):
    before = session.scalar(select(func.max(AuditEvent.seq)))
    make_worker(session, staff["cw1"])
    make_worker(session, staff["cw1"])
    session.commit()
    events = _events(session)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for previous, current in zip(events, events[1:]):
        assert current.prev_hash == previous.hash
    assert events[-1].seq == before + 2
    verdict = verify_chain(session)
    assert verdict.ok and verdict.events == len(events) and verdict.head_seq == events[-1].seq


def test_event_carries_actor_roles_ip_request_and_masked_diff(session, staff):
    worker = make_worker(session, staff["cw1"], full_name="Siti Aminah")
    session.commit()
    event = _events(session, "worker.register")[-1]
    assert (event.actor_name, event.actor_roles, event.ip, event.request_id) == (
        "cw1", "caseworker", "127.0.0.1", "test")
    assert (event.entity_type, event.entity_id) == ("worker", str(worker.id))
    diff = json.loads(event.diff)
    assert diff["category"] == [None, "pedagang"]
    assert diff["nik"][1].startswith("hmac:") and worker.nik not in event.diff
    assert "Siti Aminah" not in event.diff


def test_orm_bulk_update_and_delete_are_refused(session, staff):
    make_worker(session, staff["cw1"])
    session.commit()
    with pytest.raises(AuditBypassRefused):
        session.execute(update(Worker).values(occupation="lain"))
    session.rollback()
    with pytest.raises(AuditBypassRefused):
        session.execute(update(AuditEvent).values(reason="x"))


def test_commit_without_audit_event_is_refused(session):
    session.get(UmkRate, 2026).amount = 1
    with pytest.raises(AuditBypassRefused):
        session.commit()
    session.rollback()
    assert session.get(UmkRate, 2026).amount == 5_999_443


def test_failed_audit_write_rolls_back_the_business_change(session, staff, monkeypatch):
    import workflows.audit.recorder as record_module

    def broken(fields):
        raise RuntimeError("disk full")

    monkeypatch.setattr(record_module, "event_hash", broken)
    count = session.scalar(select(func.count()).select_from(Worker))
    with pytest.raises(RuntimeError):
        make_worker(session, staff["cw1"])
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Worker)) == count


_tamper = tamper


def _chain_with_events(session, staff, n=4):
    for _ in range(n):
        record(session, staff["audit1"], "test.event", reason="isi")
    session.flush()
    return session.scalar(select(func.max(AuditEvent.seq)))


def _forged_fields(seq: int, prev_hash: str) -> dict:
    """A row as a forger who knows the hashing would write it: its own hash is right."""
    fields = {"seq": seq, "occurred_at": clock.now(), "actor_id": None, "actor_name": "palsu",
              "actor_roles": "", "ip": None, "request_id": None, "action": "forged",
              "entity_type": None, "entity_id": None, "diff": "{}", "reason": None,
              "prev_hash": prev_hash}
    return {**fields, "hash": event_hash(fields)}


_COLUMNS = ("seq", "occurred_at", "actor_name", "actor_roles", "action", "diff", "prev_hash",
            "hash")
_INSERT = (f"INSERT INTO audit_event ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join(':' + c for c in _COLUMNS)})")


def _insert_forged(session, fields: dict) -> None:
    _tamper(session, _INSERT, **{column: fields[column] for column in _COLUMNS})


@pytest.mark.parametrize("scenario", ["edit", "delete", "reorder", "forge", "forge_in_place",
                                      "truncate"])
def test_tampering_is_detected_and_named(session, staff, scenario):
    last = _chain_with_events(session, staff)
    target = last - 2
    if scenario == "edit":
        _tamper(session, "UPDATE audit_event SET reason = 'diubah' WHERE seq = :s", s=target)
        expected = target
    elif scenario == "delete":
        _tamper(session, "DELETE FROM audit_event WHERE seq = :s", s=target)
        expected = target
    elif scenario == "reorder":  # two whole rows swap places
        parked = last + 1000
        _tamper(session, "UPDATE audit_event SET seq = :p WHERE seq = :s", p=parked, s=target)
        _tamper(session, "UPDATE audit_event SET seq = :t WHERE seq = :s", t=target, s=target + 1)
        _tamper(session, "UPDATE audit_event SET seq = :t WHERE seq = :p", t=target + 1, p=parked)
        expected = target
    elif scenario == "forge":  # appended with a right hash, the head left alone
        head = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == last)).scalar()
        fields = _forged_fields(last + 1, head)
        _insert_forged(session, fields)
        expected = last + 1
    elif scenario == "forge_in_place":  # a row replaced, its own hash recomputed
        prev = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == target - 1)
                               ).scalar()
        fields = _forged_fields(target, prev)
        _tamper(session, "DELETE FROM audit_event WHERE seq = :s", s=target)
        _insert_forged(session, fields)
        expected = target + 1
    else:
        _tamper(session, "DELETE FROM audit_event WHERE seq = :s", s=last)
        expected = last
    verdict = verify_chain(session)
    assert not verdict.ok
    assert verdict.first_bad_seq == expected
    assert f"seq {expected}" in verdict.line()


def test_cli_verify_prints_verdict_and_exit_code(app, session, staff):
    last = _chain_with_events(session, staff, 2)
    session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("OK") or ok.output.startswith("Baik")
    _tamper(session, "UPDATE audit_event SET action = 'x' WHERE seq = :s", s=last - 1)
    session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert f"seq {last - 1}" in bad.output and len(bad.output.strip().splitlines()) == 1


@pytest.mark.parametrize("sql", ["UPDATE audit_event SET reason = 'x' WHERE seq = 1",
                                 "DELETE FROM audit_event WHERE seq = 1",
                                 "UPDATE audit_checkpoint SET signature = 'x'",
                                 "DELETE FROM audit_checkpoint"])
def test_the_database_refuses_changes_to_the_log(session, staff, sql):
    record(session, staff["audit1"], "test.event")
    session.add(AuditCheckpoint(seq=1, head_hash="0" * 64, signed_at=clock.now(),
                                public_key="0" * 64, signature="0" * 128))
    session.commit()
    with pytest.raises(DBAPIError) as refused:
        with session.begin_nested():
            session.execute(text(sql))
    assert "append-only" in str(refused.value)


@pytest.mark.parametrize("sql", ["UPDATE audit_chain_head SET seq = seq - 1",
                                 "UPDATE audit_chain_head SET seq = seq - 1, hash = "
                                 "(SELECT hash FROM audit_event WHERE seq = 1)",
                                 # another first digit (one hash in 16 starts with f)
                                 "UPDATE audit_chain_head SET hash = CASE WHEN hash LIKE 'f%' "
                                 "THEN '0' ELSE 'f' END || substr(hash, 2)",
                                 "DELETE FROM audit_chain_head"])
def test_the_chain_head_only_moves_forward(session, staff, sql):
    """Cutting the tail needs the head moved back: the database refuses that."""
    _chain_with_events(session, staff)
    session.commit()
    with pytest.raises(DBAPIError) as refused:
        with session.begin_nested():
            session.execute(text(sql))
    assert "only moves forward" in str(refused.value)
    record(session, staff["audit1"], "test.event")  # appending still moves it on
    session.commit()
    assert verify_chain(session).ok


def test_postgresql_refuses_truncate(session, backend):
    if backend != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(DBAPIError) as refused:
        with session.begin_nested():
            session.execute(text("TRUNCATE audit_event"))
    assert "append-only" in str(refused.value)
