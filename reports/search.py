"""Finding applications from what a caseworker has in hand: a NIK or KK number, an
application number or KPJ, or part of a name. Each lookup is one indexed equality
(worker.nik unique, worker.kk_number, application.kpj, the primary key); the name is a
contains-search on lower(full_name), which the trigram index of migration 0025 serves on
PostgreSQL (SQLite scans). The same conditions serve the lists of workers and
applications, through ``workers_with`` / ``applications_of``."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Application, Kelurahan, Worker

RESULT_LIMIT = 50


@dataclass(frozen=True)
class Hit:
    application_id: int
    worker_id: int
    worker_name: str
    kelurahan: str
    program_year: int
    state: str


def by_nik_or_kk(digits: str):
    """16 digits are a NIK or a KK number: both are looked up."""
    return or_(Worker.nik == digits, Worker.kk_number == digits)


def by_number_or_kpj(number: int | None, kpj: str):
    """Shorter digits are an application number (when a key can hold them) or a KPJ."""
    condition = Application.kpj == kpj
    return condition if number is None else or_(Application.id == number, condition)


def by_name(text: str):
    """Part of a name, any case: the expression is the index's, lower(full_name)."""
    return func.lower(Worker.full_name).contains(text.lower(), autoescape=True)


def workers_with(condition):
    """The workers having an application ``condition`` (on Application) matches."""
    return Worker.id.in_(select(Application.worker_id).where(condition))


def applications_of(condition):
    """The applications of the workers ``condition`` (on Worker) matches."""
    return Application.worker_id.in_(select(Worker.id).where(condition))


def find_applications(session: Session, condition, *,
                      limit: int = RESULT_LIMIT) -> tuple[list[Hit], bool]:
    """The applications ``condition`` matches, each worker's newest programme year first,
    at most ``limit``; and whether there were more."""
    rows = session.execute(
        select(Application.id, Worker.id, Worker.full_name, Kelurahan.name,
               Application.program_year, Application.state)
        .join(Worker, Application.worker_id == Worker.id)
        .join(Kelurahan, Worker.kelurahan_code == Kelurahan.code)
        .where(condition)
        .order_by(Worker.full_name, Worker.id, Application.program_year.desc(), Application.id)
        .limit(limit + 1)).all()
    return [Hit(*row) for row in rows[:limit]], len(rows) > limit
