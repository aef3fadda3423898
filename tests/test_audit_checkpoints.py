"""Signed checkpoints catch what the hash chain alone cannot: a cut tail with a
repaired head, and a chain recomputed from start to end."""
import json
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, text

from models import AuditCheckpoint, AuditEvent, clock
from tests.helpers import csrf_token, login, tamper
from workflows.actor import Actor
from workflows.audit import record
from workflows.audit.chain import HASHED_FIELDS, event_hash
from workflows.audit.checkpoints import create_checkpoint, load_key, public_key_hex


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
    tamper(session, "DELETE FROM audit_checkpoint")
    session.commit()
    result = _cli(app, "verify", "--checkpoints", str(signing[1]))
    assert result.exit_code == 1 and f"seq {keep.seq}" in result.output


def _recompute_chain(session) -> None:
    """What someone with the database in hand can do: rewrite seq 2 and every hash after."""
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


def test_a_recomputed_chain_is_detected(app, session, staff, signing):
    _signed_log(app, session, staff, signing)
    _recompute_chain(session)
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


def test_verify_reads_the_local_export_file_by_default(app, session, staff, signing):
    last = _signed_log(app, session, staff, signing)
    keep = session.execute(select(AuditEvent).where(AuditEvent.seq == last - 3)).scalar_one()
    tamper(session, "DELETE FROM audit_event WHERE seq > :s", s=keep.seq)
    tamper(session, "DELETE FROM audit_checkpoint")  # the stored evidence is gone too
    session.execute(text("UPDATE audit_chain_head SET seq = :s, hash = :h"),
                    {"s": keep.seq, "h": keep.hash})
    session.commit()
    result = _cli(app, "verify")
    assert result.exit_code == 1 and "tail removed" in result.output, result.output


def test_checkpoints_resigned_by_a_forger_fail_against_the_pinned_key(app, session, staff,
                                                                     signing, monkeypatch):
    key, export = signing
    _signed_log(app, session, staff, signing)
    office = public_key_hex(load_key(key))
    key.unlink()  # the private key is kept off this host, as the README advises
    export.unlink()  # and whoever rewrote the database removed the local export too
    _recompute_chain(session)
    tamper(session, "DELETE FROM audit_checkpoint")
    create_checkpoint(session, Ed25519PrivateKey.generate(), actor=Actor.system("forger"),
                      export_file=key.parent / "forger.jsonl")
    session.commit()
    unpinned = _cli(app, "verify")
    assert unpinned.exit_code == 0 and "WARNING: no trusted public key" in unpinned.output
    monkeypatch.setitem(app.config, "AUDIT_PUBLIC_KEY", office)
    pinned = _cli(app, "verify")
    assert pinned.exit_code == 1 and "signature is not valid" in pinned.output, pinned.output


def test_verify_warns_while_nothing_is_signed(app, session, staff, signing):
    record(session, staff["audit1"], "test.event")
    session.commit()
    result = _cli(app, "verify")
    assert result.exit_code == 0 and "WARNING: no signed checkpoint yet" in result.output


def test_verify_counts_the_events_no_checkpoint_covers_yet(app, session, staff, signing):
    _signed_log(app, session, staff, signing)
    for _ in range(3):
        record(session, staff["audit1"], "test.event")
    session.commit()
    result = _cli(app, "verify")
    # the checkpoint's own event and the three after it
    assert result.exit_code == 0 and "NOTE: 4 event(s) after the last signed checkpoint" in \
        result.output, result.output


def _checkpoint_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditCheckpoint))


def test_the_pages_sign_the_head_every_n_events(app, client, session, staff, signing,
                                                monkeypatch):
    assert _cli(app, "keygen").exit_code == 0
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_EVERY_EVENTS", 3)
    for _ in range(2):
        login(client, "cw1")  # each sign-in writes one event
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _checkpoint_count(session) >= 1
    newest = session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
                             .limit(1)).scalar_one()
    assert json.loads(signing[1].read_text().splitlines()[-1])["seq"] == newest.seq
    assert _cli(app, "verify").exit_code == 0


def test_a_quiet_log_is_signed_once_an_hour_has_passed(app, session, staff, signing,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_EVERY_EVENTS", 500)
    _signed_log(app, session, staff, signing)
    assert _cli(app, "checkpoint", "--if-due").output.strip() == "no checkpoint due"
    record(session, staff["audit1"], "test.event")
    session.commit()
    assert _cli(app, "checkpoint", "--if-due").output.strip() == "no checkpoint due"
    with clock.pinned(datetime(2026, 7, 10, 3, 1, tzinfo=timezone.utc)):
        signed = _cli(app, "checkpoint", "--if-due")
    assert signed.exit_code == 0 and signed.output.startswith("checkpoint seq")
    assert _cli(app, "checkpoint", "--if-due").output.strip() == "no checkpoint due"
