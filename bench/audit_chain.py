"""How fast the audit chain appends and how fast `flask audit verify` walks it.

Usage: python bench/audit_chain.py [EVENTS] [DATABASE_URL]
Creates a throwaway database (a temp SQLite file by default), appends EVENTS
events in one transaction through workflows.audit.record, then verifies.
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402

from caseapp import create_app  # noqa: E402
from caseapp.extensions import db  # noqa: E402
from workflows.actor import Actor  # noqa: E402
from workflows.audit import record, verify_chain  # noqa: E402


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    url = sys.argv[2] if len(sys.argv) > 2 else (
        "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        flask_migrate.upgrade()
        actor = Actor.system("bench")
        start = time.perf_counter()
        for i in range(events):
            record(db.session, actor, "bench.event", entity_type="bench", entity_id=str(i),
                   diff={"n": [i, i + 1]})
        db.session.commit()
        append = time.perf_counter() - start
        start = time.perf_counter()
        verdict = verify_chain(db.session)
        walk = time.perf_counter() - start
    print(f"database: {url.split(':')[0]}")
    print(f"append: {events} events in {append:.2f} s = {events / append:,.0f} events/s")
    print(f"verify: {verdict.events} events in {walk:.2f} s = {verdict.events / walk:,.0f} events/s"
          f" ({'ok' if verdict.ok else 'BROKEN'})")


if __name__ == "__main__":
    main()
