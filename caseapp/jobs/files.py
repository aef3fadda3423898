"""The job file store: an upload waits here for its job, a made file for its reader.

A folder (JOB_FILE_DIR) that every app server and worker shares, like the document
store. Names are random; the user's own file name stays in the job row. Files are
private (0600) and removed when the job has read them or its reader fetched them;
a made file nobody fetched goes after a day (caseapp/jobs/periodic.py).
"""
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from flask import current_app

_CHUNK = 1024 * 1024
OUTPUT_PREFIX = "out-"


def folder() -> Path:
    path = Path(current_app.config["JOB_FILE_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ValueError("not a job file name")
    return folder() / name


def new_file(prefix: str = "") -> tuple[str, Path]:
    """A fresh private file's name and path (created empty, 0600)."""
    name = prefix + uuid.uuid4().hex
    path = folder() / name
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return name, path


def keep_upload(stream) -> str:
    """Copy an uploaded file into the store; its name there."""
    name, path = new_file()
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, _CHUNK)
    return name


def new_output() -> tuple[str, Path]:
    """A file a job makes for its reader (told apart from uploads by its name)."""
    return new_file(OUTPUT_PREFIX)


def exists(name: str) -> bool:
    return path_of(name).is_file()


def remove(name: str | None) -> None:
    if name:
        path_of(name).unlink(missing_ok=True)


def remove_old_outputs(max_age: float) -> int:
    """Remove made files nobody fetched within ``max_age`` seconds; how many. Ages are
    read on the store's own clock (the time of a file made now: on shared storage, its
    server's), as the files' times are. Uploads waiting for a job stay."""
    limit = store_now() - max_age
    removed = 0
    for path in folder().glob(OUTPUT_PREFIX + "*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # fetched meanwhile, or another worker's sweep
            continue
    return removed


def store_now() -> float:
    """The file store's clock: the modification time a new file gets there now."""
    with tempfile.NamedTemporaryFile(dir=folder(), prefix=".now-") as probe:
        return os.fstat(probe.fileno()).st_mtime


def estimated_rows(name: str, file_name: str | None) -> int | None:
    """Lines of a CSV less its header, for the bar's end (a quoted line break makes
    it a little high, and the bar simply stops short of it); None for a workbook."""
    if not (file_name or "").lower().endswith(".csv"):
        return None
    lines = 0
    with path_of(name).open("rb") as source:
        while chunk := source.read(_CHUNK):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)
