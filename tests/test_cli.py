"""Command-line verbs act under a named user or a system actor and leave events."""
from collections import Counter

from sqlalchemy import func, select

from models import Application, AuditCheckpoint, AuditEvent, User
from workflows.role_grants import pending


def _last_event(session, action):
    return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()


def test_users_create_as_a_named_admin(app, session):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "Kabid.Baru", "--role", "head", "--role", "caseworker",
        "--full-name", "Kabid Baru", "--password", "Mulai-Kerja-2026", "--as", "admin1"])
    assert result.exit_code == 0, result.output
    user = session.execute(select(User).where(User.username == "kabid.baru")).scalar_one()
    # Acting as a person, case roles wait for a head's confirmation (workflows/role_grants.py)
    assert user.role_names == () and user.must_change_password
    assert sorted(g.role for g in pending(session, user)) == ["caseworker", "head"]
    assert "caseworker, head" in result.output
    event = _last_event(session, "user.create")
    assert event.actor_name == "admin1" and event.ip == "cli" and event.request_id.startswith("cli-")


def test_users_create_without_as_is_a_system_actor_and_refuses_duplicates(app, session):
    runner = app.test_cli_runner()
    args = ["users", "create", "auditor2", "--role", "auditor", "--password", "Periksa-Semua-26"]
    assert runner.invoke(args=args).exit_code == 0
    assert _last_event(session, "user.create").actor_name == "system:cli-users"
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "auditor2" in again.output
    assert session.scalar(select(func.count()).select_from(User)
                          .where(User.username == "auditor2")) == 1


def test_users_create_refuses_unknown_role_and_unknown_actor(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "x1", "--role", "mayor",
                               "--password", "Apa-Saja-2026"]).exit_code == 2
    result = runner.invoke(args=["users", "create", "x1", "--role", "auditor",
                                 "--password", "Apa-Saja-2026", "--as", "siapa"])
    assert result.exit_code == 1 and "siapa" in result.output


def test_demo_seed_spreads_applications_over_states_once(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--workers", "40", "--force"])
    assert result.exit_code == 0, result.output
    states = Counter(session.execute(select(Application.state)).scalars())
    assert sum(states.values()) == 40
    assert {"draft", "submitted", "verified"} <= set(states)
    for username in ("petugas1", "petugas2", "kadis", "auditor", "admin"):
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        assert not user.must_change_password
    seq = session.scalar(select(func.max(AuditEvent.seq)))
    again = runner.invoke(args=["demo", "seed", "--force"])
    assert again.exit_code == 0 and session.scalar(select(func.max(AuditEvent.seq))) == seq
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_seed_refuses_outside_demo_mode(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1 and "CASEAPP_DEMO" in result.output


def test_refdata_load_is_idempotent(app, session):
    result = app.test_cli_runner().invoke(args=["refdata", "load"])
    assert result.exit_code == 0 and "0 rows" in result.output


def test_demo_seed_signs_a_first_checkpoint_that_verifies(app, session, signing, tmp_path,
                                                          monkeypatch):
    key, export = signing
    monkeypatch.setitem(app.config, "DOCUMENT_DIR", str(tmp_path / "documents"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--force", "--workers", "4"])
    assert result.exit_code == 0, result.output
    checkpoint = session.execute(select(AuditCheckpoint)).scalar_one()
    assert checkpoint.seq == _last_event(session, "audit.checkpoint").seq - 1
    assert key.exists() and len(export.read_text().splitlines()) == 1
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "1 checkpoint(s)" in verify.output, verify.output
