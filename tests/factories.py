"""Test data made through the workflow verbs, so it is audited like real data."""
import itertools
from datetime import date

from sqlalchemy.orm import Session

from models import Role
from workflows.actor import Actor
from workflows.intake import open_application, register_worker
from workflows.users import create_user

PASSWORD = "Rahasia-Uji-2026"
STAFF = {
    "cw1": (Role.CASEWORKER,),
    "cw2": (Role.CASEWORKER,),
    "head": (Role.HEAD,),
    "audit1": (Role.AUDITOR,),
    "admin1": (Role.ADMIN,),
    "cwhead": (Role.CASEWORKER, Role.HEAD),
}
_serial = itertools.count(1)


def make_staff(session: Session) -> None:
    system = Actor.system("test-setup")
    for username, roles in STAFF.items():
        create_user(session, username=username, full_name=f"Pegawai {username}",
                    password=PASSWORD, roles=[r.value for r in roles], actor=system,
                    must_change_password=False)


def make_worker(session: Session, actor: Actor, **overrides):
    n = next(_serial)
    values = dict(nik=f"327501{(n % 28) + 1:02d}0890{n:04d}", kk_number=f"3275010101{n:06d}",
                  full_name=f"Pekerja Uji {n}", birth_place="Bekasi",
                  birth_date=date(1990, 8, (n % 28) + 1), sex="L", address="Jl. Uji No. 1",
                  rt="001", rw="002", kelurahan_code="3275011001", phone="081234567890",
                  category="pedagang", occupation="PKL", monthly_income=2_000_000)
    values.update(overrides)
    return register_worker(session, actor=actor, **values)


def make_application(session: Session, actor: Actor, *, year: int = 2026, **worker_fields):
    worker = make_worker(session, actor, **worker_fields)
    return open_application(session, worker, program_year=year, intake_channel="walk_in",
                            actor=actor)
