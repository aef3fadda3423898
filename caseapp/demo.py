"""Fictitious demo data: staff per role and a few hundred workers in real Bekasi
kelurahan, walked through the workflow verbs so the audit log is genuine."""
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

import pyotp
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Kelurahan, Role, User, clock
from workflows import mfa
from workflows.actor import Actor
from workflows.approval import approve_batch
from workflows.budget import open_budget_year
from workflows.documents import store_document
from workflows.duplicates import open_flags, resolve_duplicate
from reports.evaluations import latest_evaluation
from workflows.imports.datasets import import_dtsen
from workflows.intake import open_application, register_worker
from workflows.partners import set_scope
from workflows.ranking import ranking
from workflows.reference_data import DOCUMENT_TYPES
from workflows.states import apply_transition
from workflows.users import create_user
from workflows.verification import submit_application

DEMO_PASSWORD = "Demo#Bekasi2026"
# The demo's head, auditor and admin need a second factor like real ones; they share this
# published secret (add it to an authenticator app by hand). Demo data only.
DEMO_TOTP_SECRET = "SIGAPDEMOBEKASITOTPKEYDUAKOSONG7"
DEMO_USERS = (
    ("petugas1", "Siti Rahmawati", (Role.CASEWORKER,)),
    ("petugas2", "Budi Santoso", (Role.CASEWORKER,)),
    ("kadis", "Ahmad Hidayat", (Role.HEAD,)),
    ("auditor", "Rina Kusumawati", (Role.AUDITOR,)),
    ("admin", "Admin TI Disnaker", (Role.ADMIN,)),
    ("kel_bekasijaya", "Operator Kelurahan Bekasijaya", (Role.PARTNER,)),
)
# The demo partner's scope (workflows/partners.py): kelurahan Bekasijaya, Bekasi Timur.
DEMO_PARTNER_SCOPE = ("kel_bekasijaya", "kelurahan", "3275011001")
FIRST_L = ("Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Joko", "Muhammad", "Rudi",
           "Slamet", "Agus", "Wahyu", "Yusuf", "Irfan", "Dimas")
FIRST_P = ("Siti", "Dewi", "Sri", "Nur", "Rina", "Wati", "Yuni", "Fitri", "Lestari", "Ani",
           "Ratna", "Nurhayati", "Euis", "Imas", "Tuti")
LAST = ("Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Wijaya", "Suryani",
        "Rahmawati", "Hasanah", "Nugroho", "Permana", "Sulastri", "Gunawan", "Maulana")
OCCUPATIONS = {
    "pedagang": ("PKL", "pedagang sayur", "pedagang warung"),
    "pekerja_lepas": ("ojek pangkalan", "ojek online", "buruh harian", "kuli bangunan"),
    "wiraswasta": ("penjahit", "bengkel motor", "usaha katering rumahan"),
    "rentan_lainnya": ("pemulung", "marbot", "asisten rumah tangga"),
}
# (state, share): how the demo applications are spread over the states built so far.
SPREAD = (("draft", 15), ("submitted", 35), ("returned", 10), ("verified", 30), ("rejected", 10))


def _nik(rng: random.Random, region: str, birth: date, sex: str) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def _scan() -> bytes:
    """A small real PNG standing in for a scanned document."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 24), (230, 230, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def _make_worker(rng: random.Random, actor: Actor, session: Session, kelurahan, seen):
    sex = rng.choice("LP")
    birth = date(1962, 1, 1) + timedelta(days=rng.randint(0, 15_000))
    home = rng.choice(kelurahan)
    # Most were first registered in Bekasi; some elsewhere (the NIK does not move).
    region = home[:6] if rng.random() < 0.8 else rng.choice(("321601", "317104", "320101"))
    nik = _nik(rng, region, birth, sex)
    while nik in seen:
        nik = _nik(rng, region, birth, sex)
    seen.add(nik)
    category = rng.choice(tuple(OCCUPATIONS))
    first = rng.choice(FIRST_P if sex == "P" else FIRST_L)
    return register_worker(
        session, actor=actor, nik=nik,
        kk_number=f"{home[:6]}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
                  f"{rng.randint(10, 24):02d}{rng.randint(1, 9999):04d}",
        full_name=f"{first} {rng.choice(LAST)}", birth_place=rng.choice(
            ("Bekasi", "Jakarta", "Karawang", "Bogor", "Brebes", "Cirebon")),
        birth_date=birth, sex=sex, address=f"Jl. {rng.choice(LAST)} No. {rng.randint(1, 120)}",
        rt=f"{rng.randint(1, 15):03d}", rw=f"{rng.randint(1, 12):03d}", kelurahan_code=home,
        phone=f"08{rng.randint(1_000_000_000, 9_999_999_999)}", category=category,
        occupation=rng.choice(OCCUPATIONS[category]),
        monthly_income=rng.randrange(800_000, 5_500_000, 50_000))


def _demo_dtsen(workers, rng: random.Random) -> io.BytesIO:
    """A DTSEN extract holding most demo workers (desil 1-7), as Dinsos would send it."""
    text = io.StringIO()
    out = csv.writer(text)
    out.writerow(["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "kode_kelurahan",
                  "desil"])
    for worker in workers:
        if rng.random() < 0.85:
            out.writerow([worker.nik, worker.kk_number, worker.full_name.upper(),
                          worker.birth_date.isoformat(), worker.sex, worker.kelurahan_code,
                          rng.randint(1, 7)])
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _walk(session: Session, application, target: str, taker: Actor, verifier: Actor) -> None:
    """Take one application through the real verbs towards ``target``."""
    if target == "draft":
        return
    submit_application(session, application, actor=taker)
    if target == "returned":
        apply_transition(session, application, "return", actor=verifier,
                         reason="Data contoh: foto KK tidak terbaca")
    elif target == "rejected":
        apply_transition(session, application, "reject", actor=verifier,
                         reason="Data contoh: sudah menjadi peserta BPU mandiri")
    elif target == "verified":
        for flag in open_flags(session, application):
            resolve_duplicate(session, flag, resolution="not_duplicate", actor=verifier,
                              note="Data contoh: orang berbeda (dicek di KTP)")
        if latest_evaluation(session, application).eligible:
            apply_transition(session, application, "verify", actor=verifier)
        else:
            apply_transition(session, application, "reject", actor=verifier,
                             reason="Data contoh: tidak memenuhi syarat kebijakan")


def seed_demo(session: Session, *, storage_dir: Path, workers: int = 300,
              year: int | None = None, progress=lambda: None) -> int:
    """Create the demo accounts and workers; returns the number of applications made."""
    system = Actor.system("demo-seed")
    staff = {}
    for username, name, roles in DEMO_USERS:
        user = create_user(session, username=username, full_name=name, password=DEMO_PASSWORD,
                           roles=[r.value for r in roles], actor=system,
                           must_change_password=False)
        if mfa.required(user):
            enrol_known_secret(session, user, DEMO_TOTP_SECRET, actor=system)
        staff[username] = Actor.for_user(user)
        if username == DEMO_PARTNER_SCOPE[0]:
            set_scope(session, user, kind=DEMO_PARTNER_SCOPE[1], key=DEMO_PARTNER_SCOPE[2],
                      actor=system)
    rng = random.Random(90)
    kelurahan = session.execute(select(Kelurahan.code).order_by(Kelurahan.code)).scalars().all()
    year = year or clock.today().year
    seen, people = set(), []
    for i in range(workers):
        taker = staff["petugas1" if i % 2 else "petugas2"]
        worker = _make_worker(rng, taker, session, kelurahan, seen)
        channel = rng.choice(("walk_in", "kelurahan", "partner"))
        people.append((worker, open_application(session, worker, program_year=year,
                                                intake_channel=channel, actor=taker), taker))
    import_dtsen(session, _demo_dtsen([w for w, _, _ in people], rng),
                 file_name="dtsen-demo.csv", as_of=clock.today(), actor=staff["petugas1"])
    scan = _scan()
    states = [state for state, share in SPREAD for _ in range(share)]
    for worker, application, taker in people:
        verifier = staff["petugas1"] if taker.name == "petugas2" else staff["petugas2"]
        for code, _name, required in DOCUMENT_TYPES:
            if required:
                store_document(session, application, document_type=code,
                               original_name=f"{code}.png", data=scan, storage_dir=storage_dir,
                               actor=taker)
        _walk(session, application, rng.choice(states), taker, verifier)
        progress()
    _budget_and_first_decree(session, year, staff)
    return workers


def _budget_and_first_decree(session: Session, year: int, staff: dict) -> None:
    """A DPA for 40 people, and a first SK for part of the verified cases, so the
    ranking, the waiting list and the budget page have something to show. From
    October on the next year's APBD is enacted (by 30 November), so its DPA is there
    too: renewal and December decisions go into it."""
    today = clock.today()
    for fiscal_year in (year, year + 1) if today.month >= 10 else (year,):
        open_budget_year(session, fiscal_year=fiscal_year,
                         dpa_reference=f"DPA-SKPD 2.07.0.00.0.00.01 {fiscal_year}",
                         appropriation=16_800 * 12 * 40, quota=40, actor=staff["admin"])
    verified = [c.application_id for c in ranking(session, year, states=("verified",))]
    if verified:
        approve_batch(session, fiscal_year=year, application_ids=verified[: len(verified) // 2],
                      sk_number=f"500.15.1/Kep.001-Disnaker/I/{year} (contoh)",
                      sk_date=min(date(year, 1, 15), today), actor=staff["kadis"])
def enrol_known_secret(session: Session, user: User, secret: str, *, actor: Actor) -> None:
    """Turn the second factor on with a published secret (demo and test accounts). The
    enrolment uses the previous step's code, so a sign-in right after can use the current
    one (a used step is never accepted again)."""
    previous = clock.now().timestamp() - mfa.STEP
    mfa.enrol(session, user, secret=secret, code=pyotp.TOTP(secret).at(previous), actor=actor)


def already_seeded(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.username == DEMO_USERS[0][0])) is not None
