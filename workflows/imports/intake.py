"""Bulk intake from kelurahan and partner spreadsheets.

Each row goes through the same verbs as the intake form (register the worker,
open a draft application), so identity checks, one-application-per-year and the
audit trail are exactly those of a single intake. All or nothing: any failing
row undoes every row (a savepoint) and the report names each problem.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ImportRun, Role
from workflows.actor import Actor
from workflows.audit import record
from workflows.errors import InvalidInput, NotAllowed, WorkflowError
from workflows.imports import values
from workflows.imports.datasets import lock_kind
from workflows.imports.report import ImportResult, ProblemReport
from workflows.imports.spreadsheet import FileRefused, open_table, spool
from workflows.intake import open_application, register_worker

COLUMNS = ("nik", "no_kk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat",
           "rt", "rw", "kode_kelurahan", "no_hp", "kategori", "pekerjaan", "penghasilan_bulanan")
CHANNELS = ("kelurahan", "partner")


def _text(value, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if not text or len(text) > limit:
        raise values.CellError(_l("Required, at most %(n)d characters.", n=limit))
    return text


def _income(value) -> int:
    try:
        amount = int(str(value).strip().replace(".", "")) if value is not None else -1
    except ValueError:
        amount = -1
    if amount < 0:
        raise values.CellError(_l("Whole rupiah, zero or more (e.g. 1500000)."))
    return amount


_FIELDS = (
    ("nik", "nik", values.parse_nik), ("no_kk", "kk_number", values.parse_kk),
    ("nama", "full_name", values.parse_name),
    ("tempat_lahir", "birth_place", lambda v: _text(v, 100)),
    ("tanggal_lahir", "birth_date", values.parse_birth_date),
    ("jenis_kelamin", "sex", values.parse_sex), ("alamat", "address", lambda v: _text(v, 300)),
    ("rt", "rt", lambda v: _text(v, 3).zfill(3)), ("rw", "rw", lambda v: _text(v, 3).zfill(3)),
    ("kode_kelurahan", "kelurahan_code", values.parse_kelurahan_code),
    ("no_hp", "phone", lambda v: None if v in (None, "") else _text(v, 20)),
    ("kategori", "category", lambda v: _text(v, 20).lower()),
    ("pekerjaan", "occupation", lambda v: _text(v, 100)),
    ("penghasilan_bulanan", "monthly_income", _income),
)


def _apply_rows(session, table, channel, year, actor, problems, progress) -> int:
    rows = 0
    for number, cells in table:
        rows += 1
        data, bad = {}, False
        for column, field, parse in _FIELDS:
            try:
                data[field] = parse(cells.get(column))
            except values.CellError as exc:
                problems.add(number, column, cells.get(column), exc.message)
                bad = True
        if bad:
            continue
        try:
            with session.begin_nested():
                worker = register_worker(session, actor=actor, **data)
                open_application(session, worker, program_year=year, intake_channel=channel,
                                 actor=actor)
        except WorkflowError as exc:
            problems.add(number, None, data["nik"], exc.message)
        if progress is not None:
            progress(rows)
    return rows


def import_intake(session: Session, stream, *, file_name: str, channel: str, program_year: int,
                  actor: Actor, progress=None) -> ImportResult:
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers take applications in."))
    if channel not in CHANNELS:
        raise InvalidInput(_l("Unknown intake channel %(value)s.", value=channel))
    file, sha256 = spool(stream)
    lock_kind(session, "intake")
    existing = session.execute(select(ImportRun).where(
        ImportRun.kind == "intake", ImportRun.sha256 == sha256, ImportRun.status == "applied")
        .limit(1)).scalar_one_or_none()
    if existing is not None:
        return ImportResult(existing, applied=False, duplicate_file=True)
    run = ImportRun(kind="intake", file_name=file_name[:255], sha256=sha256, row_count=0,
                    status="rejected", imported_by_id=actor.user_id)
    session.add(run)
    session.flush()
    problems, rows = ProblemReport(), 0
    savepoint = session.begin_nested()
    try:
        with open_table(file, file_name, COLUMNS) as table:
            rows = _apply_rows(session, table, channel, program_year, actor, problems, progress)
    except FileRefused as exc:
        for problem in exc.problems:
            problems.add(*problem)
    except BaseException:
        savepoint.rollback()
        raise
    if rows == 0 and not problems.count:
        problems.add(None, None, None, _l("The file has a header but no data rows."))
    diff = {"kind": "intake", "file_name": run.file_name, "sha256": sha256, "rows": rows,
            "channel": channel, "program_year": program_year}
    if problems.count:
        savepoint.rollback()
        run.row_count, run.error_count, run.error_report = rows, problems.count, problems.csv()
        record(session, actor, "import.rejected", entity=run,
               diff={**diff, "errors": problems.count})
        return ImportResult(run, applied=False, duplicate_file=False)
    run.status, run.row_count = "applied", rows
    record(session, actor, "import.applied", entity=run, diff=diff)
    savepoint.commit()
    return ImportResult(run, applied=True, duplicate_file=False)
