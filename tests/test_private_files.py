"""The database, documents, keys and checkpoint file are the app user's alone."""
import stat

import flask_migrate

from caseapp import create_app
from caseapp.extensions import db
from tests.conftest_config import app_config
from workflows.actor import Actor
from workflows.audit import record
from workflows.audit.checkpoints import create_checkpoint, generate_key, load_key


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_0600_and_folders_0700_even_after_an_open_install(tmp_path):
    database, documents = tmp_path / "data" / "caseapp.db", tmp_path / "documents"
    checkpoints = tmp_path / "audit" / "checkpoints.jsonl"
    for folder in (database.parent, documents, checkpoints.parent):
        folder.mkdir(mode=0o755)
        folder.chmod(0o755)
    database.touch()
    database.chmod(0o644)  # as an older install left it
    app = create_app(app_config(DATABASE_URL=f"sqlite:///{database}", DOCUMENT_DIR=str(documents),
                                AUDIT_CHECKPOINT_FILE=str(checkpoints)))
    key = tmp_path / "audit" / "key.pem"
    generate_key(key)
    with app.app_context():
        flask_migrate.upgrade()
        record(db.session, Actor.system("test"), "test.event")
        create_checkpoint(db.session, load_key(key), actor=Actor.system("test"),
                          export_file=checkpoints)
        db.session.commit()
    db.state(app).engine.dispose()
    assert {_mode(f) for f in (database.parent, documents, checkpoints.parent)} == {0o700}
    assert _mode(database) == 0o600 and _mode(checkpoints) == 0o600 and _mode(key) == 0o600
    for wal in tmp_path.glob("data/caseapp.db-*"):
        assert _mode(wal) == 0o600, wal
