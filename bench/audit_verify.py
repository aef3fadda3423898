"""How fast `flask audit verify` checks the chain: the previous row-by-row walk, the
parallel full walk (one process and every core) and the walk from the latest signed
checkpoint.

Usage: python bench/audit_verify.py [EVENTS] [DATABASE_URL|postgres] [AFTER_CHECKPOINT]
A throwaway database (temp SQLite file by default) gets EVENTS events through
record_many, a signed checkpoint AFTER_CHECKPOINT (default 5,000) events before the end.
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

import throwaway  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.audit import record_many, verify_chain  # noqa: E402
from workflows.audit.checkpoints import create_checkpoint, public_key_hex  # noqa: E402
from workflows.audit.incremental import verify_since_checkpoint  # noqa: E402
from workflows.audit.segments import cores  # noqa: E402
from workflows.audit.verify_reference import verify_chain_reference  # noqa: E402


def _append(actor, first: int, count: int) -> None:
    for start in range(first, first + count, 10_000):
        record_many(db.session, actor, [
            {"action": "bench.event", "entity_type": "bench", "entity_id": i,
             "diff": {"n": [i, i + 1], "status": ["submitted", "verified"]}}
            for i in range(start, min(start + 10_000, first + count))])
        db.session.commit()


def _timed(label: str, run) -> None:
    start = time.perf_counter()
    verdict = run()
    if isinstance(verdict, tuple):
        verdict = verdict[0]
    took = time.perf_counter() - start
    print(f"{label}: {verdict.events:,} events in {took:.2f} s = "
          f"{verdict.events / took:,.0f} events/s ({'ok' if verdict.ok else 'BROKEN'})")


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    argument = sys.argv[2] if len(sys.argv) > 2 else None
    after = int(sys.argv[3]) if len(sys.argv) > 3 else 5_000
    with throwaway.migrated_app(argument, "bench_audit_verify") as url:
        actor, key = Actor.system("bench"), Ed25519PrivateKey.generate()
        _append(actor, 0, events - after)
        create_checkpoint(db.session, key, actor=actor,
                          export_file=Path(tempfile.mkdtemp()) / "checkpoints.jsonl")
        db.session.commit()
        _append(actor, events - after, after - 1)  # the checkpoint's own event counts
        db.session.commit()
        print(f"database: {url.split(':')[0]}, {events:,} events, {cores()} core(s)")
        _timed("previous walk (one process, keyset batches)",
               lambda: verify_chain_reference(db.session))
        _timed("full verify, 1 process", lambda: verify_chain(db.session, workers=1))
        _timed(f"full verify, {cores()} processes", lambda: verify_chain(db.session))
        _timed(f"since checkpoint ({after:,} events back)", lambda: verify_since_checkpoint(
            db.session, trusted_key=public_key_hex(key)))
        db.session.rollback()


if __name__ == "__main__":
    main()
