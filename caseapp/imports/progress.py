"""How far a running import is, for the upload page's progress bar.

Kept in this process's memory: the import runs inside the upload request, and
the page polls from the same server. Behind several worker processes a poll may
reach another process and see nothing, and the bar then shows only that the
server is working; the final result always comes from the database.
"""
import threading
import time

_lock = threading.Lock()
_runs: dict[str, tuple[int, float]] = {}
_TTL = 3600


def update(token: str, rows: int) -> None:
    with _lock:
        _runs[token] = (rows, time.monotonic())
        expired = [k for k, (_, at) in _runs.items() if time.monotonic() - at > _TTL]
        for key in expired:
            del _runs[key]


def rows_done(token: str) -> int | None:
    with _lock:
        entry = _runs.get(token)
    return None if entry is None else entry[0]
