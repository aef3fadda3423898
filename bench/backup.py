"""How long `flask backup create` and `flask backup restore` take.

Usage: python bench/backup.py [EVENTS] [DOCUMENTS] [--sqlite] [--server URL]
Fills a throwaway database (PostgreSQL on 127.0.0.1:5432 by default, a temp SQLite file
with --sqlite) with EVENTS audit events (default 200,000, the database's bulk) and the
document store with DOCUMENTS files of 100 KB (default 1,000), signs a checkpoint (not
measured), then times a backup and its restore into a second, empty throwaway database
(restore time includes the checks and the `flask audit verify` it ends with).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402

import throwaway  # noqa: E402  (bench/ is on sys.path when run as a script)
from caseapp import create_app  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.audit import record_many  # noqa: E402
from workflows.audit.checkpoints import generate_key  # noqa: E402

SOURCE_DB, TARGET_DB = "caseapp_bench_backup_source", "caseapp_bench_backup_target"


def _app(url: str, folder: Path, name: str):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "AUDIT_MASK_KEY": "bench",
                       "DOCUMENT_DIR": str(folder / name / "documents"),
                       "AUDIT_CHECKPOINT_FILE": str(folder / name / "checkpoints.jsonl"),
                       "AUDIT_SIGNING_KEY": str(folder / "signing-key.pem")})


def _fill(app, events: int, documents: int) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        actor = Actor.system("bench")
        for start in range(0, events, 10_000):
            record_many(db.session, actor, [
                {"action": "bench.event", "entity_type": "bench", "entity_id": str(i),
                 "diff": {"n": [i, i + 1]}} for i in range(start, min(start + 10_000, events))])
        db.session.commit()
    store = Path(app.config["DOCUMENT_DIR"])
    store.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        (store / f"{i:08x}.pdf").write_bytes(os.urandom(100 * 1024))
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0


def _timed(app, *args) -> float:
    start = time.perf_counter()
    result = app.test_cli_runner().invoke(args=list(args))
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("events", nargs="?", type=int, default=200_000)
    parser.add_argument("documents", nargs="?", type=int, default=1_000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--server", default="postgres")
    options = parser.parse_args()
    server = None if options.sqlite else options.server
    folder = Path(tempfile.mkdtemp(prefix="caseapp-bench-backup-"))
    generate_key(folder / "signing-key.pem")
    source_url, admin = throwaway.create(server, SOURCE_DB)
    target_url, _ = throwaway.create(server, TARGET_DB)
    source, target = _app(source_url, folder, "source"), _app(target_url, folder, "target")
    try:
        _fill(source, options.events, options.documents)
        made = _timed(source, "backup", "create", "--to", str(folder / "backups"))
        [backup] = (folder / "backups").iterdir()
        size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file()) / 1e6
        restored = _timed(target, "backup", "restore", str(backup), "--yes")
    finally:
        for app in (source, target):
            db.state(app).engine.dispose()
        throwaway.drop(admin, SOURCE_DB)
        throwaway.drop(admin, TARGET_DB)
        shutil.rmtree(folder)
    print(f"database: {source_url.split(':')[0].split('+')[0]}, {options.events:,} audit "
          f"events, {options.documents:,} documents; backup {size:,.0f} MB")
    print(f"backup create: {made:.1f} s")
    print(f"backup restore (checks, restore, audit verify): {restored:.1f} s")


if __name__ == "__main__":
    main()
