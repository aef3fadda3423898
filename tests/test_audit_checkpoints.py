"""Signed checkpoints catch what the hash chain alone cannot: a cut tail with a
repaired head, and a chain recomputed from start to end."""
import json

from sqlalchemy import select, text

from models import AuditEvent
from tests.helpers import tamper
from workflows.audit import record
from workflows.audit.chain import HASHED_FIELDS, event_hash


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def _signed_log(app, session, staff, signing, events=4):
    for _ in range(events):
        record(session, staff["audit1"], "test.event", reason="isi")
    session.commit()
    assert _cli(app, "keygen").exit_code == 0
    result = _cli(app, "checkpoint", "--as", "audit1")
    assert result.exit_code == 0, result.output
    return session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))


def test_keygen_refuses_to_overwrite_and_checkpoint_verifies(app, session, staff, signing):
    key, export = signing
    _signed_log(app, session, staff, signing)
    assert key.stat().st_mode & 0o077 == 0
    assert _cli(app, "keygen").exit_code == 1
    line = json.loads(export.read_text().splitlines()[-1])
    assert set(line) == {"seq", "head_hash", "signed_at", "public_key", "signature"}
    ok = _cli(app, "verify", "--checkpoints", str(export))
    assert ok.exit_code == 0 and "checkpoint" in ok.output


def test_a_cut_tail_with_a_repaired_head_is_detected(app, session, staff, signing):
    last = _signed_log(app, session, staff, signing)
    keep = session.execute(select(AuditEvent).where(AuditEvent.seq == last - 3)).scalar_one()
    tamper(session, "DELETE FROM audit_event WHERE seq > :s", s=keep.seq)
    session.execute(text("UPDATE audit_chain_head SET seq = :s, hash = :h"),
                    {"s": keep.seq, "h": keep.hash})
    session.execute(text("DELETE FROM audit_checkpoint"))
    session.commit()
    result = _cli(app, "verify", "--checkpoints", str(signing[1]))
    assert result.exit_code == 1 and f"seq {keep.seq}" in result.output


def test_a_recomputed_chain_is_detected(app, session, staff, signing):
    _signed_log(app, session, staff, signing)
    rows = session.execute(select(*[getattr(AuditEvent, f) for f in HASHED_FIELDS])
                           .order_by(AuditEvent.seq)).all()
    prev = "0" * 64
    for row in rows:
        fields = row._asdict()
        if fields["seq"] == 2:
            fields["reason"] = "ditulis ulang"
        fields["prev_hash"] = prev
        prev = event_hash(fields)
        tamper(session, "UPDATE audit_event SET reason = :r, prev_hash = :p, hash = :h "
                        "WHERE seq = :s", r=fields["reason"], p=fields["prev_hash"], h=prev,
               s=fields["seq"])
    session.execute(text("UPDATE audit_chain_head SET hash = :h"), {"h": prev})
    session.commit()
    result = _cli(app, "verify")
    assert result.exit_code == 1, result.output
    assert "seq" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_forged_checkpoint_line_is_detected(app, session, staff, signing):
    _signed_log(app, session, staff, signing)
    line = json.loads(signing[1].read_text().splitlines()[-1])
    line["signature"] = "00" * 64
    forged = signing[1].parent / "forged.jsonl"
    forged.write_text(json.dumps(line) + "\n")
    result = _cli(app, "verify", "--checkpoints", str(forged))
    assert result.exit_code == 1 and "seq" in result.output
