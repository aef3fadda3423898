"""`flask backup create|restore` on real committed databases: a backup of real cases,
documents and a signed checkpoint comes back whole into another installation, where
`flask audit verify` passes; a damaged or mismatched backup is refused and nothing in
the target changes."""
import hashlib
import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp import MIGRATIONS_DIR, create_app
from caseapp.extensions import db
from models import AuditEvent, clock
from tests.conftest import build_app
from tests.conftest_config import FIXTURE_DAY, TEST_CONFIG, app_config
from tests.databases import ThrowawayDatabase
from tests.db_snapshot import Snapshots
from tests.factories import make_application, png_bytes, staff_actors
from workflows.audit.checkpoints import load_key, public_key_hex
from workflows.documents import store_document

SIGNING_KEY = Path(TEST_CONFIG["AUDIT_SIGNING_KEY"])


def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=[str(a) for a in args], input=input)


def _paths(folder: Path) -> dict:
    return {"DOCUMENT_DIR": str(folder / "documents"),
            "AUDIT_CHECKPOINT_FILE": str(folder / "checkpoints.jsonl")}


@contextmanager
def _installation(backend, folder: Path, label: str, *, migrated=True):
    """An app on its own committed database, document store and checkpoint file."""
    folder.mkdir(parents=True, exist_ok=True)
    database = ThrowawayDatabase(backend, folder, label)
    config = _paths(folder)
    app = build_app(database.url, **config) if migrated else \
        create_app(app_config(DATABASE_URL=database.url, **config))
    try:
        yield app
    finally:
        db.state(app).engine.dispose()
        database.drop()


def _add_case(app, sizes) -> None:
    """An application with a document per size, as a caseworker takes it in."""
    with app.app_context():
        cw1 = staff_actors(db.session)["cw1"]
        application = make_application(db.session, cw1)
        for code, size in zip(("ktp", "kk", "pernyataan_penghasilan"), sizes):
            store_document(db.session, application, document_type=code,
                           original_name=f"{code}.png", data=png_bytes(size),
                           storage_dir=Path(app.config["DOCUMENT_DIR"]), actor=cw1)
        db.session.commit()


def _sign(app) -> None:
    result = _cli(app, "audit", "checkpoint", "--as", "audit1")
    assert result.exit_code == 0, result.output


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def _log(app) -> list[tuple]:
    with Session(bind=db.state(app).engine) as session:
        return [tuple(row) for row in session.execute(
            select(AuditEvent.seq, AuditEvent.hash, AuditEvent.action, AuditEvent.entity_id,
                   AuditEvent.diff).order_by(AuditEvent.seq))]


def _tables(app) -> dict:
    """Every table but the audit log, row by row (tests/db_snapshot.py)."""
    with Session(bind=db.state(app).engine) as session:
        return Snapshots(session).take()


def _state(app) -> tuple:
    """What a restore would change: tables, audit log, documents, checkpoint file."""
    checkpoints = Path(app.config["AUDIT_CHECKPOINT_FILE"])
    return (_tables(app), _log(app), _files(Path(app.config["DOCUMENT_DIR"])),
            checkpoints.read_bytes() if checkpoints.exists() else None)


@pytest.fixture(scope="module")
def source(backend, tmp_path_factory):
    """An installation with cases, documents and a signed checkpoint (and events after
    it), and one backup of it made by admin1: (app, backup folder, state at backup)."""
    folder = tmp_path_factory.mktemp("source")
    with clock.pinned(FIXTURE_DAY), _installation(backend, folder, "bksrc") as app:
        _add_case(app, [(24, 16), (30, 20), (12, 40)])
        _sign(app)
        _add_case(app, [(8, 8)])  # after the checkpoint: not yet covered by one
        state = _state(app)
        result = _cli(app, "backup", "create", "--to", folder / "backups", "--as", "admin1")
        assert result.exit_code == 0, result.output
        [backup] = (folder / "backups").iterdir()
        assert f"backup written to {backup}" in result.output
        yield app, backup, state


@pytest.fixture(scope="module")
def target(backend, tmp_path_factory):
    """Another working installation, with its own case, documents and checkpoint."""
    with clock.pinned(FIXTURE_DAY), \
            _installation(backend, tmp_path_factory.mktemp("target"), "bktgt") as app:
        _add_case(app, [(50, 50)])
        _sign(app)
        yield app


def _copy(backup: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(backup, tmp_path / backup.name))


def _manifest(backup: Path) -> dict:
    return json.loads((backup / "manifest.json").read_text())


def _rewrite(backup: Path, manifest: dict) -> None:
    (backup / "manifest.json").write_text(json.dumps(manifest))


def _relist(backup: Path, name: str) -> None:
    """Change the manifest to agree with a changed file, as a careful forger would."""
    manifest = _manifest(backup)
    data = (backup / name).read_bytes()
    for item in manifest["files"]:
        if item["path"] == name:
            item.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    _rewrite(backup, manifest)


def _head_revision() -> str:
    return ScriptDirectory(MIGRATIONS_DIR).get_current_head()


def test_the_backup_is_complete_private_and_recorded(source, backend):
    app, backup, (_tables_then, log, documents, checkpoints) = source
    manifest = _manifest(backup)
    database = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[backend]
    assert manifest["backend"] == backend and manifest["alembic_revision"] == _head_revision()
    assert manifest["audit_head"] == {"seq": log[-1][0], "hash": log[-1][1]}
    assert _files(backup) == {"manifest.json": _files(backup)["manifest.json"],
                              **{item["path"]: item["sha256"] for item in manifest["files"]}}
    assert {p for p in _files(backup) if p.startswith("documents/")} == \
        {f"documents/{name}" for name in documents}
    assert (backup / "audit-checkpoints.jsonl").read_bytes() == checkpoints
    public = public_key_hex(load_key(SIGNING_KEY))
    assert (backup / "audit-public-key.txt").read_text().strip() == public
    assert database in _files(backup)
    # private: folders 0700, files 0600; and never the private signing key
    assert all((p.stat().st_mode & 0o777) == (0o700 if p.is_dir() else 0o600)
               for p in [backup, *backup.rglob("*")])
    private = load_key(SIGNING_KEY).private_bytes(serialization.Encoding.Raw,
                                                  serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())
    for path in backup.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert private not in data and b"PRIVATE KEY" not in data, path
    # the live log records the backup after the snapshot, naming its manifest
    event = _log(app)[-1]
    assert event[0] == log[-1][0] + 1 and event[2:4] == ("backup.create", backup.name)
    digest = hashlib.sha256((backup / "manifest.json").read_bytes()).hexdigest()
    assert json.loads(event[4])["manifest_sha256"] == [None, digest]


def test_only_an_admin_or_the_system_makes_backups(source, tmp_path):
    app, _backup, _state_then = source
    result = _cli(app, "backup", "create", "--to", tmp_path / "none", "--as", "cw1")
    assert result.exit_code == 1 and "may not make backups" in result.output
    assert not (tmp_path / "none").exists()


def _restored_matches(app, source) -> None:
    _source_app, backup, (tables, log, documents, checkpoints) = source
    assert _tables(app) == tables
    restored = _log(app)
    assert restored[:-1] == log  # the backup's log, then the restore's own event
    assert restored[-1][2:4] == ("backup.restore", backup.name)
    assert _files(Path(app.config["DOCUMENT_DIR"])) == documents
    assert Path(app.config["AUDIT_CHECKPOINT_FILE"]).read_bytes() == checkpoints
    verify = _cli(app, "audit", "verify")
    assert verify.exit_code == 0 and "1 checkpoint(s)" in verify.output, verify.output


def test_a_backup_restores_into_a_fresh_installation(source, backend, tmp_path):
    with clock.pinned(FIXTURE_DAY), \
            _installation(backend, tmp_path, "bkfresh", migrated=False) as fresh:
        result = _cli(fresh, "backup", "restore", source[1], "--yes")
        assert result.exit_code == 0, result.output
        assert "OK: audit chain intact" in result.output
        assert "flask audit verify passes" in result.output
        _restored_matches(fresh, source)
        replaced = json.loads(_log(fresh)[-1][4])
        assert replaced["replaced_head_seq"] == [None, None]


def test_a_backup_replaces_a_working_installation(source, backend, tmp_path):
    with clock.pinned(FIXTURE_DAY), _installation(backend, tmp_path, "bkover") as other:
        _add_case(other, [(60, 60), (61, 61)])  # documents the backup does not hold
        _sign(other)
        head = _log(other)[-1]
        result = _cli(other, "backup", "restore", source[1], input="y\n")
        assert result.exit_code == 0, result.output
        assert f"its audit log up to seq {head[0]}" in result.output
        _restored_matches(other, source)
        replaced = json.loads(_log(other)[-1][4])
        assert replaced["replaced_head_seq"] == [head[0], None]
        assert replaced["replaced_head_hash"] == [head[1], None]


def _flip_a_byte(backup: Path, name: str) -> None:
    path = backup / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _first_document(backup: Path) -> str:
    return sorted(p for p in _files(backup) if p.startswith("documents/"))[0]


def _tampered_document(backup):
    _flip_a_byte(backup, _first_document(backup))


def _tampered_database(backup):
    _flip_a_byte(backup, next(p for p in _files(backup) if p.startswith("database.")))


def _missing_document(backup):
    (backup / _first_document(backup)).unlink()


def _extra_document(backup):
    (backup / "documents" / "tambahan.png").write_bytes(png_bytes())


def _climbing_name(backup):
    manifest = _manifest(backup)
    victim = _first_document(backup)
    for item in manifest["files"]:
        if item["path"] == victim:
            item["path"] = f"documents/../../{victim.split('/')[-1]}"
    _rewrite(backup, manifest)


def _unknown_revision(backup):
    manifest = _manifest(backup)
    manifest["alembic_revision"] = "9999"
    _rewrite(backup, manifest)


def _another_key(backup):
    key = Ed25519PrivateKey.generate()
    (backup / "audit-public-key.txt").write_text(public_key_hex(key) + "\n")
    _relist(backup, "audit-public-key.txt")


@pytest.mark.parametrize("damage,why", [
    (_tampered_document, "SHA-256 does not match"),
    (_tampered_database, "SHA-256 does not match"),
    (_missing_document, "listed in the manifest but missing"),
    (_extra_document, "not in the manifest: documents/tambahan.png"),
    (_climbing_name, "unsafe file name"),
    (_unknown_revision, "revision '9999' is unknown"),
    (_another_key, "signed with key"),
])
def test_a_damaged_or_mismatched_backup_changes_nothing(source, target, tmp_path, damage,
                                                        why):
    backup = _copy(source[1], tmp_path)
    damage(backup)
    before = _state(target)
    result = _cli(target, "backup", "restore", backup, "--yes")
    assert result.exit_code == 1 and "nothing was changed" in result.output, result.output
    assert why in result.output, result.output
    assert _state(target) == before


def test_a_backup_of_the_other_backend_changes_nothing(backend, target, tmp_path):
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[backend]
    with clock.pinned(FIXTURE_DAY), _installation(other, tmp_path, "bkother") as elsewhere:
        made = _cli(elsewhere, "backup", "create", "--to", tmp_path / "backups")
        assert made.exit_code == 0, made.output
    [backup] = (tmp_path / "backups").iterdir()
    before = _state(target)
    result = _cli(target, "backup", "restore", backup, "--yes")
    assert result.exit_code == 1, result.output
    assert f"a backup of a {other} database; this installation runs {backend}" in result.output
    assert _state(target) == before


def test_declining_the_question_changes_nothing(source, target):
    before = _state(target)
    result = _cli(target, "backup", "restore", source[1], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert _state(target) == before


def test_a_forged_checkpoint_file_fails_the_restore_loudly(source, backend, tmp_path):
    """A checkpoint file rewritten with its manifest entry passes the manifest check, but
    not the verification a restore ends with."""
    backup = _copy(source[1], tmp_path)
    line = json.loads((backup / "audit-checkpoints.jsonl").read_text())
    line["head_hash"] = "0" * 64
    (backup / "audit-checkpoints.jsonl").write_text(json.dumps(line) + "\n")
    _relist(backup, "audit-checkpoints.jsonl")
    with clock.pinned(FIXTURE_DAY), \
            _installation(backend, tmp_path, "bkforged", migrated=False) as fresh:
        result = _cli(fresh, "backup", "restore", backup, "--yes")
        assert result.exit_code == 1, result.output
        assert "BROKEN" in result.output and "does NOT pass" in result.output


def test_postgres_refuses_a_target_at_another_revision(backend, source, tmp_path):
    if backend != "postgresql":
        pytest.skip("pg_restore --clean: SQLite's restore replaces the whole file")
    previous = ScriptDirectory(MIGRATIONS_DIR).get_revision(_head_revision()).down_revision
    with _installation(backend, tmp_path, "bkolder", migrated=False) as older:
        with older.app_context():
            flask_migrate.upgrade(revision=previous)
        before = _state(older)
        result = _cli(older, "backup", "restore", source[1], "--yes")
        assert result.exit_code == 1 and "nothing was changed" in result.output
        assert f"a schema at revision {previous}" in result.output, result.output
        assert _state(older) == before


def test_a_backup_of_an_earlier_release_is_restored_and_upgraded(backend, tmp_path):
    previous = ScriptDirectory(MIGRATIONS_DIR).get_revision(_head_revision()).down_revision
    with clock.pinned(FIXTURE_DAY):
        with _installation(backend, tmp_path / "old", "bkold", migrated=False) as old:
            with old.app_context():
                flask_migrate.upgrade(revision=previous)
            made = _cli(old, "backup", "create", "--to", tmp_path / "backups")
            assert made.exit_code == 0, made.output
        [backup] = (tmp_path / "backups").iterdir()
        assert _manifest(backup)["alembic_revision"] == previous
        with _installation(backend, tmp_path / "new", "bknew", migrated=False) as new:
            result = _cli(new, "backup", "restore", backup, "--yes")
            assert result.exit_code == 0, result.output
            with new.app_context(), db.engine.connect() as connection:
                assert connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version").scalar() == _head_revision()
