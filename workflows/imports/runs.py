"""The life of one import run, shared by every kind of file.

- All or nothing: the rows are written inside a SAVEPOINT; any problem rolls it
  back, and the rejected run with its per-row report stays (the caller commits) so
  the caseworker can download the report.
- Idempotent: the same bytes of the same kind, once applied, are that run; a
  second upload changes nothing and writes no audit event.
- Audited without personal data: one event per run (file name, SHA-256, rows).
- The whole file is read and checked (the upload limits of ``check_file``, or
  the kind's own ``check`` of every value) before the first query, so a hostile
  or broken file is refused without ever holding the write lock (SQLite has one
  writer for the whole application); callers start the verb with no transaction
  open. Only a file that passed is read again to be written. A kind whose
  ``apply`` checks every row as it writes may skip that first reading where no
  one waits for its lock but the next import of the kind (``check_first``
  False: a PostgreSQL dataset, read once while the server stores the rows).
- Settled by the kind: once the rows are written, ``settle`` may merge them into
  the current dataset or hold them for a confirmation (``held``: staged, not in
  use) and says what to add to the event.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ImportRun
from workflows.actor import Actor
from workflows.audit import record
from workflows.imports.spreadsheet import FileRefused, Problem, check_file, spool
from workflows.messages import lazy_gettext as _l
from workflows.serial import one_at_a_time

REPORT_LIMIT = 1_000  # stored report rows; every problem is still counted
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun
    applied: bool  # this call applied the file
    duplicate_file: bool  # the same file had been applied before; ``run`` is that run

    @property
    def rejected(self) -> bool:
        return self.run.status == "rejected"

    @property
    def held(self) -> bool:
        return self.run.status == "held"


class ProblemReport:
    def __init__(self):
        self.count = 0
        self.kept: list[Problem] = []

    def add(self, row, column, value, message) -> None:
        self.count += 1
        if len(self.kept) < REPORT_LIMIT:
            self.kept.append(Problem(row, column, value, message))

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("baris", "kolom", "nilai", "pesan"))
        for p in self.kept:
            shown = "" if p.value is None else str(p.value)[:60]
            if shown.startswith(_FORMULA_START):  # keep Excel from running it as a formula
                shown = "'" + shown
            writer.writerow(("" if p.row is None else p.row, p.column or "", shown,
                             str(p.message)))
        return out.getvalue()


def lock_kind(session: Session, kind: str) -> None:
    """Serialise imports of one kind so two uploads of one file cannot both apply."""
    one_at_a_time(session, f"import-{kind}")


# apply(file, run_id, problems) -> number of data rows read
Apply = Callable[[object, int, ProblemReport], int]
# check(file, problems) -> number of data rows read; no database
Check = Callable[[object, ProblemReport], int]
# settle(run) -> (status "applied" or "held", what to add to the audit event)
Settle = Callable[[ImportRun], tuple[str, dict]]


def _check_unlocked(file, file_name: str, columns, check: Check | None
                    ) -> tuple[ProblemReport, int]:
    problems, rows = ProblemReport(), 0
    try:
        if check is None:
            check_file(file, file_name, columns)
        else:
            rows = check(file, problems)
    except FileRefused as exc:
        for problem in exc.problems:
            problems.add(*problem)
    file.seek(0)
    return problems, rows


def run_import(session: Session, *, kind: str, stream, file_name: str, actor: Actor,
               apply: Apply, columns, check: Check | None = None, as_of: date | None = None,
               details: dict | None = None, settle: Settle | None = None,
               check_first: bool = True) -> ImportResult:
    file, sha256 = spool(stream)
    try:
        problems, rows = (_check_unlocked(file, file_name, columns, check) if check_first
                          else (ProblemReport(), 0))
        lock_kind(session, kind)
        existing = session.execute(
            select(ImportRun).where(ImportRun.kind == kind, ImportRun.sha256 == sha256,
                                    ImportRun.status == "applied")
            .order_by(ImportRun.id).limit(1)).scalar_one_or_none()
        if existing is not None:
            return ImportResult(existing, applied=False, duplicate_file=True)
        # The run exists before the rows (they may point to it) and outside the savepoint
        # (a rejected run must survive the rollback); its status is settled below.
        run = ImportRun(kind=kind, file_name=file_name[:255], sha256=sha256, as_of=as_of,
                        row_count=0, error_count=0, status="rejected",
                        imported_by_id=actor.user_id)
        session.add(run)
        session.flush()
        savepoint = session.begin_nested()
        try:
            if not problems.count:
                rows = apply(file, run.id, problems)
        except BaseException:
            savepoint.rollback()
            raise
    finally:
        if file is not stream:
            file.close()  # our temporary copy of an unseekable upload
    if rows == 0 and not problems.count:
        problems.add(None, None, None, _l("The file has a header but no data rows."))
    diff = {"kind": kind, "file_name": run.file_name, "sha256": sha256, "rows": rows,
            "as_of": as_of.isoformat() if as_of else None, **(details or {})}
    if problems.count:
        savepoint.rollback()  # also resets attributes changed since it began: set them after
        run.row_count, run.error_count, run.error_report = rows, problems.count, problems.csv()
        record(session, actor, "import.rejected", entity=run,
               diff={**diff, "errors": problems.count})
        return ImportResult(run, applied=False, duplicate_file=False)
    try:
        status, settled = settle(run) if settle else ("applied", {})
    except BaseException:
        savepoint.rollback()
        raise
    run.status, run.row_count = status, rows
    # Recorded before the savepoint is released: a release counts as a commit for
    # the audit guard, and the run row was written without an event so far.
    record(session, actor, f"import.{status}", entity=run, diff={**diff, **settled})
    savepoint.commit()
    return ImportResult(run, applied=status == "applied", duplicate_file=False)
