"""Finding applications from what a caseworker has in hand: a NIK or KK number, an
application number or KPJ, or part of a name. Each lookup is one indexed equality
(worker.nik unique, worker.kk_number, application.kpj, the primary key), except the
name: a contains-search no B-tree index serves, kept bounded by ``LIMIT`` (issue 16
adds a pg_trgm index for it)."""
from dataclasses import dataclass

from sqlalchemy import or_, select
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
    return Worker.full_name.icontains(text, autoescape=True)


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
