"""The BPJS Ketenagakerjaan interchange columns, in one place.

The branch office has not handed over its SG-wadah upload template yet (domain.md
§4.5), so the column names, their order and how each value is produced live only
here (design.md, "Interchange files"). When the template arrives, this is the file
to change; the batch builder, the files and the reply reader follow it.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reports.configuration import component_on
from workflows.errors import MissingReference
from workflows.messages import lazy_gettext as _l

EXPORT_COLUMNS = ("no_urut", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
                  "alamat", "kode_kelurahan", "no_hp", "pekerjaan", "penghasilan_dilaporkan",
                  "program", "tanggal_mulai", "kode_wadah")
# Written as numbers; every other column is text, so Excel keeps leading digits.
NUMBER_COLUMNS = frozenset({"no_urut", "penghasilan_dilaporkan"})
# The city pays JKK and JKM for BPU pekerja rentan (domain.md §1.3); JHT is not paid.
PROGRAM = "JKK+JKM"
# Participation type "pekerja rentan Pemerintah" (domain.md §1.8).
KODE_WADAH = "SG"
# The declared income basis is that of the JKK component at its lowest tier.
INCOME_BASIS_PROGRAM = "JKK"

RESPONSE_COLUMNS = ("nik", "kpj", "status", "alasan", "tanggal_mulai")
ACCEPTED, REJECTED = "DITERIMA", "DITOLAK"
# domain.md §4.4: 11 digits are usual but no specification says so; a number outside
# 8-13 digits is certainly not a KPJ, anything inside is taken as BPJS wrote it.
KPJ_MIN_DIGITS, KPJ_MAX_DIGITS, KPJ_USUAL_DIGITS = 8, 13, 11

# Membership status per participant (workflows/membership/status_file.py): AKTIF or
# NONAKTIF, and the month BPJS shows contributions paid through (YYYY-MM).
STATUS_COLUMNS = ("nik", "kpj", "status", "dibayar_sampai")
ACTIVE, INACTIVE = "AKTIF", "NONAKTIF"

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Member:
    """What the batch needs of one approved application and its worker."""

    application_id: int
    nik: str
    full_name: str
    birth_place: str
    birth_date: date
    sex: str
    address: str
    rt: str
    rw: str
    kelurahan_code: str
    phone: str | None
    occupation: str


def coverage_start(batch_day: date, fiscal_year: int) -> date | None:
    """The first day of the month after the batch, but not before the programme year.

    A batch made in December asks for 1 January of the next year: the months of the
    programme year left uncovered are released at enrolment, and the participant
    continues under the next year's decree (renewal). None once even January of the
    next year has begun: the programme year is over for new registrations.
    A decree carries no start date of its own today; when the PKS fixes one, it
    belongs here.
    """
    following = date(batch_day.year + batch_day.month // 12, batch_day.month % 12 + 1, 1)
    start = max(following, date(fiscal_year, 1, 1))
    return start if start <= date(fiscal_year + 1, 1, 1) else None


def start_window(requested: date, fiscal_year: int) -> tuple[date, date]:
    """The days BPJS's tanggal_mulai may fall on for a batch of ``fiscal_year`` that asked
    for ``requested``: that day or later (never before the decree), and no later than the
    next budget year, the last the membership can continue into. Months of the programme
    year before the cover starts are released at enrolment."""
    return requested, date(fiscal_year + 1, 12, 31)


def declared_income(session: Session, on: date) -> int:
    """The income basis of the JKK contribution in force on ``on`` (Rp1.000.000)."""
    component = component_on(session, INCOME_BASIS_PROGRAM, on)
    if component is None:
        raise MissingReference(_l("No JKK contribution is in force on %(day)s; the admin enters "
                                  "it under Reference data → Contributions.", day=on.isoformat()))
    return component.income_basis


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running a value as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def phone_text(phone: str | None) -> str:
    """A phone number in the national form (08…); "+62…" would start like a formula."""
    text = "".join((phone or "").split()).replace("-", "")
    if text.startswith("+62"):
        text = "0" + text[3:]
    return neutralise(text)


def _clean(text: str) -> str:
    return neutralise(" ".join((text or "").split()))


def export_row(no_urut: int, member: Member, *, income: int, start: date) -> tuple:
    """One row of the batch file, in ``EXPORT_COLUMNS`` order."""
    values = {
        "no_urut": no_urut,
        "nik": member.nik,
        "nama": _clean(member.full_name),
        "tempat_lahir": _clean(member.birth_place),
        "tanggal_lahir": member.birth_date.isoformat(),
        "jenis_kelamin": member.sex,
        # The contract has no RT/RW columns; they belong to an Indonesian address.
        "alamat": _clean(f"{member.address} RT {member.rt}/RW {member.rw}"),
        "kode_kelurahan": member.kelurahan_code,
        "no_hp": phone_text(member.phone),
        "pekerjaan": _clean(member.occupation),
        "penghasilan_dilaporkan": income,
        "program": PROGRAM,
        "tanggal_mulai": start.isoformat(),
        "kode_wadah": KODE_WADAH,
    }
    return tuple(values[column] for column in EXPORT_COLUMNS)
