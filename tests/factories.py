"""Test data made through the workflow verbs, so it is audited like real data."""
import io
import itertools
from datetime import date
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.demo import DEMO_TOTP_SECRET, enrol_known_secret
from models import Application, Role, User
from tests.conftest_config import TEST_CONFIG
from workflows.actor import Actor
from workflows.documents import store_document
from workflows.imports.datasets import import_dtsen
from workflows.intake import open_application, register_worker
from workflows.reference import load_reference_data
from workflows.reference_data import DOCUMENT_TYPES
from workflows.mfa import required as mfa_required
from workflows.users import create_user
from workflows.approval import approve_batch
from workflows.budget import open_budget_year
from workflows.states import apply_transition
from workflows.verification import submit_application, verify_application

DOCUMENT_DIR = Path(TEST_CONFIG["DOCUMENT_DIR"])

PASSWORD = "Rahasia-Uji-2026"
TOTP_SECRET = DEMO_TOTP_SECRET  # every account needing a second factor has it (helpers.login)
STAFF = {
    "cw1": (Role.CASEWORKER,),
    "cw2": (Role.CASEWORKER,),
    "head": (Role.HEAD,),
    "audit1": (Role.AUDITOR,),
    "admin1": (Role.ADMIN,),
    "cwhead": (Role.CASEWORKER, Role.HEAD),
}
_serial = itertools.count(1)


def make_staff(session: Session) -> dict[str, Actor]:
    """The standard test accounts (STAFF), the head's, auditor's and admin's with the
    second factor on (TOTP_SECRET); returns an actor per username."""
    system = Actor.system("test-setup")
    for username, roles in STAFF.items():
        user = create_user(session, username=username, full_name=f"Pegawai {username}",
                           password=PASSWORD, roles=[r.value for r in roles], actor=system,
                           must_change_password=False)
        if mfa_required(user):
            enrol_known_secret(session, user, TOTP_SECRET, actor=system)
    session.flush()
    return staff_actors(session)


def reference_and_staff(session: Session) -> None:
    """The set-up of an app whose transactions really commit (``committed_app``): the
    reference data and the standard accounts."""
    load_reference_data(session, actor=Actor.system("test-setup"))
    make_staff(session)


def staff_actors(session: Session) -> dict[str, Actor]:
    """An actor per user account, for set-ups outside the ``staff`` fixture."""
    return {u.username: Actor.for_user(u) for u in session.execute(select(User)).scalars()}


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


def png_bytes(size=(24, 16)) -> bytes:
    """A small real PNG (documents are checked by content)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_documents(session: Session, application, actor: Actor, *, skip=()) -> None:
    for code, _name, required in DOCUMENT_TYPES:
        if required and code not in skip:
            store_document(session, application, document_type=code, original_name=f"{code}.png",
                           data=png_bytes(), storage_dir=DOCUMENT_DIR, actor=actor)


def dtsen_csv(rows) -> io.BytesIO:
    """A DTSEN extract for (worker, desil) pairs."""
    lines = ["nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kode_kelurahan,desil"]
    lines += [f"{w.nik},{w.kk_number},{w.full_name},{w.birth_date.isoformat()},{w.sex},"
              f"{w.kelurahan_code},{desil}" for w, desil in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def load_dtsen(session: Session, actor: Actor, rows, *, as_of: date | None = None):
    """``rows`` become the whole data aktual, however few (confirmed, as a caseworker
    would confirm a full update that shrinks it)."""
    result = import_dtsen(session, dtsen_csv(rows), file_name="dtsen-uji.csv",
                          as_of=as_of or date(2026, 1, 1), actor=actor, replace_all=True)
    assert result.applied, result.run.error_report
    return result.run


def make_submitted(session: Session, actor: Actor, *, desil: int | None = 3, **worker_fields):
    """A submitted application with its documents; in DTSEN with ``desil`` unless None."""
    application = make_application(session, actor, **worker_fields)
    add_documents(session, application, actor)
    if desil is not None:
        load_dtsen(session, actor, [(application.worker, desil)])
    submit_application(session, application, actor=actor)
    return application


def make_verified(session: Session, taker: Actor, verifier: Actor, **fields):
    application = make_submitted(session, taker, **fields)
    verify_application(session, application, actor=verifier)
    return application


def make_budget(session: Session, actor: Actor, *, year: int = 2026, places: int = 10,
                appropriation: int | None = None, **kwargs):
    """A budget year; by default money for ``places`` people for 12 months at Rp16.800."""
    return open_budget_year(session, fiscal_year=year, dpa_reference=f"DPA-{year}-UJI",
                            appropriation=16_800 * 12 * places if appropriation is None
                            else appropriation, quota=places, actor=actor, **kwargs)


def kpj_of(application_id: int) -> str:
    return f"{26_000_000_000 + application_id}"


def enrol(session: Session, staff: dict, count: int = 1, *,
          coverage_start: date = date(2026, 1, 1), sk_date: date = date(2026, 1, 5),
          **fields) -> list:
    """``count`` verified applications approved under one SK, sent to BPJS and enrolled
    with a KPJ, all through the verbs so they are audited like real cases."""
    verified = [make_verified(session, staff["cw1"], staff["cw2"], **fields)
                for _ in range(count)]
    approve_batch(session, fiscal_year=2026, application_ids=[a.id for a in verified],
                  sk_number=f"SK-UJI-{next(_serial)}-{verified[0].id}", sk_date=sk_date,
                  actor=staff["head"])
    enrolled = []
    for application in verified:
        application = session.get(Application, application.id)
        assert application.state == "approved", "the budget must hold every participant"
        apply_transition(session, application, "submit_to_bpjs", actor=staff["cw1"])
        application.kpj, application.coverage_start = kpj_of(application.id), coverage_start
        apply_transition(session, application, "enrol", actor=staff["cw1"])
        enrolled.append(application)
    return enrolled
