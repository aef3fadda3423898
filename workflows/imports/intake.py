"""Bulk intake from kelurahan and partner spreadsheets.

Each row goes through the same verbs as the intake form (register the worker,
open a draft application), so identity checks, one-application-per-year and the
audit trail are exactly those of a single intake. All or nothing: any failing
row undoes every row (a savepoint) and the report names each problem.
"""
from sqlalchemy.orm import Session

from models import Role
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotAllowed, WorkflowError
from workflows.imports import values
from workflows.imports.runs import ImportResult, run_import
from workflows.imports.spreadsheet import FileRefused, open_table
from workflows.intake import open_application, register_worker
from workflows.messages import lazy_gettext as _l

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
        if progress is not None:
            progress(rows)
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
    return rows


def _apply_file(session, file, file_name, channel, year, actor, problems, progress) -> int:
    try:
        with open_table(file, file_name, COLUMNS) as table:
            return _apply_rows(session, table, channel, year, actor, problems, progress)
    except FileRefused as exc:
        for problem in exc.problems:
            problems.add(*problem)
        return 0


def import_intake(session: Session, stream, *, file_name: str, channel: str, program_year: int,
                  actor: Actor, progress=None) -> ImportResult:
    if not actor.has_role(Role.CASEWORKER):
        raise NotAllowed(_l("Only caseworkers take applications in."))
    if channel not in CHANNELS:
        raise InvalidInput(_l("Unknown intake channel %(value)s.", value=channel))
    return run_import(
        session, kind="intake", stream=stream, file_name=file_name, actor=actor,
        details={"channel": channel, "program_year": program_year}, columns=COLUMNS,
        apply=lambda file, _run_id, problems: _apply_file(
            session, file, file_name, channel, program_year, actor, problems, progress))
