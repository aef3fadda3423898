"""How far a running job has got, kept in the queue's own store (Redis or its SQLite
file), which every app process and worker reaches: a page served by any process
shows the bar of a job a worker on another machine is running."""
import time


def _key(job_id: int) -> str:
    return f"job-progress:{job_id}"


class Progress:
    """The callback a verb calls with the rows (pages, events) it has done, and the
    total when only it knows it; writes at most every ``interval`` seconds (the bar
    needs no more, and a write is a round trip)."""

    def __init__(self, huey, job_id: int, total: int | None = None, interval: float = 0.5):
        self._huey, self._job_id, self.total = huey, job_id, total
        self._interval, self._last = interval, 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self._huey.put(_key(self._job_id), {"done": done, "total": self.total})

    def clear(self) -> None:
        self._huey.get(_key(self._job_id))  # a get without peek removes it


def read(huey, job_id: int) -> dict | None:
    return huey.get(_key(job_id), peek=True)
