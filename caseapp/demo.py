"""Fictitious demo data: staff per role and a few hundred workers in real Bekasi
kelurahan, walked through the workflow verbs so the audit log is genuine."""
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Kelurahan, Role, User
from workflows.actor import Actor
from workflows.intake import open_application, register_worker
from workflows.states import apply_transition
from workflows.users import create_user

DEMO_PASSWORD = "Demo#Bekasi2026"
DEMO_USERS = (
    ("petugas1", "Siti Rahmawati", (Role.CASEWORKER,)),
    ("petugas2", "Budi Santoso", (Role.CASEWORKER,)),
    ("kadis", "Ahmad Hidayat", (Role.HEAD,)),
    ("auditor", "Rina Kusumawati", (Role.AUDITOR,)),
    ("admin", "Admin TI Disnaker", (Role.ADMIN,)),
)
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
SPREAD = (("draft", 20), ("submitted", 35), ("returned", 10), ("verified", 25), ("rejected", 10))
STEPS = {"draft": (), "submitted": ("submit",), "returned": ("submit", "return"),
         "verified": ("submit", "verify"), "rejected": ("submit", "reject")}


def _nik(rng: random.Random, region: str, birth: date, sex: str) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def seed_demo(session: Session, *, workers: int = 300, year: int | None = None,
              progress=lambda: None) -> int:
    """Create the demo accounts and workers; returns the number of applications made."""
    system = Actor.system("demo-seed")
    staff = {}
    for username, name, roles in DEMO_USERS:
        user = create_user(session, username=username, full_name=name, password=DEMO_PASSWORD,
                           roles=[r.value for r in roles], actor=system,
                           must_change_password=False)
        staff[username] = Actor.for_user(user)
    rng = random.Random(90)
    kelurahan = session.execute(select(Kelurahan.code).order_by(Kelurahan.code)).scalars().all()
    year = year or date.today().year
    states = [s for s, share in SPREAD for _ in range(share)]
    seen = set()
    for i in range(workers):
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
        taker, other = ("petugas1", "petugas2") if i % 2 else ("petugas2", "petugas1")
        first = rng.choice(FIRST_P if sex == "P" else FIRST_L)
        worker = register_worker(
            session, actor=staff[taker], nik=nik,
            kk_number=f"{home[:6]}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
                      f"{rng.randint(10, 24):02d}{rng.randint(1, 9999):04d}",
            full_name=f"{first} {rng.choice(LAST)}", birth_place=rng.choice(
                ("Bekasi", "Jakarta", "Karawang", "Bogor", "Brebes", "Cirebon")),
            birth_date=birth, sex=sex, address=f"Jl. {rng.choice(LAST)} No. {rng.randint(1, 120)}",
            rt=f"{rng.randint(1, 15):03d}", rw=f"{rng.randint(1, 12):03d}", kelurahan_code=home,
            phone=f"08{rng.randint(1_000_000_000, 9_999_999_999)}", category=category,
            occupation=rng.choice(OCCUPATIONS[category]),
            monthly_income=rng.randrange(800_000, 5_500_000, 50_000))
        application = open_application(session, worker, program_year=year,
                                       intake_channel=rng.choice(("walk_in", "kelurahan",
                                                                  "partner")),
                                       actor=staff[taker])
        for step in STEPS[rng.choice(states)]:
            actor = staff[other] if step in ("verify", "return", "reject") else staff[taker]
            reason = "Data contoh: dokumen belum lengkap" if step in ("return", "reject") else None
            apply_transition(session, application, step, actor=actor, reason=reason)
        progress()
    return workers


def already_seeded(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.username == DEMO_USERS[0][0])) is not None
