"""Identity checks that explain themselves (domain.md §4.1 NIK, §4.3 KK).

A NIK has no check digit, so it can only be checked for shape: length, region
codes, the encoded birth date and sex, and the serial. Each check says what it
saw and what it expected, so a caseworker can tell a typo from a real problem.

The NIK region is where the NIK was first issued, not where the person lives (a
NIK never changes when its holder moves): domicile comes from the address
kelurahan, and a NIK from outside Kota Bekasi is never a failure.
"""
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from workflows.messages import Message

from workflows.messages import lazy_gettext as _l
from workflows.reference_data import KOTA_BEKASI

BLOCK, WARN, INFO = "block", "warn", "info"

# Kemendagri province codes.
PROVINCES = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali",
    "52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah", "63": "Kalimantan Selatan", "64": "Kalimantan Timur",
    "65": "Kalimantan Utara", "71": "Sulawesi Utara", "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo", "76": "Sulawesi Barat",
    "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat",
    "93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

# Kab/kota codes of Jawa Barat; elsewhere regencies are not verified.
JAWA_BARAT_REGENCIES = {
    "3201": "Kab. Bogor", "3202": "Kab. Sukabumi", "3203": "Kab. Cianjur", "3204": "Kab. Bandung",
    "3205": "Kab. Garut", "3206": "Kab. Tasikmalaya", "3207": "Kab. Ciamis",
    "3208": "Kab. Kuningan", "3209": "Kab. Cirebon", "3210": "Kab. Majalengka",
    "3211": "Kab. Sumedang", "3212": "Kab. Indramayu", "3213": "Kab. Subang",
    "3214": "Kab. Purwakarta", "3215": "Kab. Karawang", "3216": "Kab. Bekasi",
    "3217": "Kab. Bandung Barat", "3218": "Kab. Pangandaran", "3271": "Kota Bogor",
    "3272": "Kota Sukabumi", "3273": "Kota Bandung", "3274": "Kota Cirebon", "3275": "Kota Bekasi",
    "3276": "Kota Depok", "3277": "Kota Cimahi", "3278": "Kota Tasikmalaya", "3279": "Kota Banjar",
}


@dataclass(frozen=True)
class IdentityCheck:
    rule: str
    severity: str  # BLOCK, WARN or INFO: what a failure means
    passed: bool
    message: Message
    value: str | None


class NikParts(NamedTuple):
    province: str  # "32"
    regency: str  # "3275"
    kecamatan: str  # "327501"
    day: int  # 1-31 once the +40 for women is removed (out of range if the NIK is wrong)
    month: int
    year2: int  # 0-99, century unknown
    is_female: bool
    serial: str

    @property
    def birth_digits(self) -> str:
        """Digits 7-12 as written in the NIK (DDMMYY, women's day + 40)."""
        return f"{self.day + 40 * self.is_female:02d}{self.month:02d}{self.year2:02d}"


def _clean(value: str) -> str:
    return (value or "").replace(" ", "")


def _is_16_digits(value: str) -> bool:
    return len(value) == 16 and value.isascii() and value.isdigit()


def decode_nik(nik: str) -> NikParts | None:
    """The parts of a 16-digit NIK, or None when it is not 16 ASCII digits."""
    nik = _clean(nik)
    if not _is_16_digits(nik):
        return None
    day = int(nik[6:8])
    return NikParts(province=nik[:2], regency=nik[:4], kecamatan=nik[:6],
                    day=day - 40 if day > 40 else day, month=int(nik[8:10]),
                    year2=int(nik[10:12]), is_female=day > 40, serial=nik[12:])


def _format(rule: str, label, value: str) -> IdentityCheck:
    if _is_16_digits(value):
        return IdentityCheck(rule, BLOCK, True, _l("%(label)s has 16 digits.", label=label), value)
    return IdentityCheck(rule, BLOCK, False, _l(
        '%(label)s must be exactly 16 digits (0-9); seen "%(value)s".', label=label, value=value),
        value)


def _province(parts: NikParts) -> IdentityCheck:
    code = parts.province
    if code in PROVINCES:
        return IdentityCheck("nik.province", BLOCK, True, _l(
            "Province code %(code)s is %(name)s.", code=code, name=PROVINCES[code]), code)
    return IdentityCheck("nik.province", BLOCK, False, _l(
        "Province code %(code)s is not a Kemendagri province code; a NIK starts with the "
        "province where it was first issued.", code=code), code)


def _not_verified(rule: str, code: str, suffix: str) -> IdentityCheck:
    if suffix == "00":
        return IdentityCheck(rule, WARN, False, _l(
            "Region code %(code)s ends in 00, a number no regency or kecamatan has.",
            code=code), code)
    return IdentityCheck(rule, INFO, True, _l(
        "Region code %(code)s was not verified: it is where the NIK was first issued, not "
        "where the person lives; domicile comes from the address kelurahan.", code=code), code)


def _regency(parts: NikParts) -> IdentityCheck:
    code = parts.regency
    if parts.province != "32":
        return _not_verified("nik.regency", code, code[2:])
    if code in JAWA_BARAT_REGENCIES:
        return IdentityCheck("nik.regency", WARN, True, _l(
            "Regency code %(code)s is %(name)s.", code=code, name=JAWA_BARAT_REGENCIES[code]),
            code)
    return IdentityCheck("nik.regency", WARN, False, _l(
        "Regency code %(code)s is not on the Jawa Barat list; check the digits (old NIKs can "
        "keep codes that have since changed).", code=code), code)


def _kecamatan(parts: NikParts) -> IdentityCheck:
    code = parts.kecamatan
    if parts.regency != "3275":
        return _not_verified("nik.kecamatan", code, code[4:])
    if code in KOTA_BEKASI:
        return IdentityCheck("nik.kecamatan", WARN, True, _l(
            "Kecamatan code %(code)s is %(name)s, Kota Bekasi, where the NIK was first issued.",
            code=code, name=KOTA_BEKASI[code][0]), code)
    return IdentityCheck("nik.kecamatan", WARN, False, _l(
        "Kecamatan code %(code)s is not one of the Kota Bekasi kecamatan (327501-327512); "
        "check the digits (old NIKs can keep codes that have since changed).", code=code), code)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth_date(parts: NikParts, birth_date: date | None) -> IdentityCheck:
    raw = parts.birth_digits
    centuries = [birth_date.year // 100 * 100] if birth_date else [1900, 2000]
    dates = [d for c in centuries if (d := _real_date(c + parts.year2, parts.month, parts.day))]
    if not dates:
        return IdentityCheck("nik.birth_date", BLOCK, False, _l(
            "NIK digits 7-12 (DDMMYY) read %(value)s, which is not a date in %(years)s; the day "
            "is 01-31 for men and 41-71 for women (day + 40), the month 01-12.", value=raw,
            years="/".join(str(c + parts.year2) for c in centuries)), raw)
    if birth_date is None:
        return IdentityCheck("nik.birth_date", BLOCK, True, _l(
            "NIK digits 7-12 (DDMMYY) read %(value)s, a real date; the century needs the "
            "date of birth.", value=raw), raw)
    seen = dates[0].isoformat()
    if dates[0] != birth_date:
        return IdentityCheck("nik.birth_date", BLOCK, False, _l(
            "The NIK gives birth date %(value)s but the date of birth entered is %(entered)s.",
            value=seen, entered=birth_date.isoformat()), seen)
    return IdentityCheck("nik.birth_date", BLOCK, True, _l(
        "The NIK gives birth date %(value)s, as entered.", value=seen), seen)


def _sex(parts: NikParts, sex: str) -> IdentityCheck:
    raw, matches = parts.birth_digits[:2], parts.is_female == (sex == "P")
    if matches:
        message = _l("NIK day %(day)s matches sex %(sex)s (women's NIK day is the birth day "
                     "+ 40).", day=raw, sex=sex)
    elif parts.is_female:
        message = _l("NIK day %(day)s is over 40, which marks a woman (birth day + 40), but "
                     "the sex entered is L.", day=raw)
    else:
        message = _l("NIK day %(day)s is 31 or less, which marks a man (a woman's NIK day is "
                     "the birth day + 40), but the sex entered is P.", day=raw)
    return IdentityCheck("nik.sex", BLOCK, matches, message, raw)


def _serial(parts: NikParts) -> IdentityCheck:
    if parts.serial == "0000":
        return IdentityCheck("nik.serial", BLOCK, False, _l(
            "The NIK serial (last 4 digits) is 0000; serials start at 0001."), parts.serial)
    return IdentityCheck("nik.serial", BLOCK, True, _l(
        "The NIK serial is %(value)s.", value=parts.serial), parts.serial)


def _kk_region(kk_number: str) -> IdentityCheck:
    code = kk_number[:2]
    if code in PROVINCES:
        return IdentityCheck("kk.region", WARN, True, _l(
            "The KK number starts with province code %(code)s (%(name)s), where it was issued.",
            code=code, name=PROVINCES[code]), code)
    return IdentityCheck("kk.region", WARN, False, _l(
        "The KK number starts with %(code)s, which is not a Kemendagri province code; a KK "
        "number starts with the region that issued it.", code=code), code)


def check_identity(nik: str, kk_number: str, birth_date: date | None,
                   sex: str | None) -> list[IdentityCheck]:
    """One check per rule evaluated; rules reading NIK or KK digits need a 16-digit number."""
    checks = [_format("nik.format", "NIK", _clean(nik))]
    parts = decode_nik(nik)
    if parts is not None:
        checks += [_province(parts), _regency(parts), _kecamatan(parts),
                   _birth_date(parts, birth_date)]
        if sex in ("L", "P") and 1 <= parts.day <= 31:  # else the NIK day marks neither sex
            checks.append(_sex(parts, sex))
        checks.append(_serial(parts))
    kk_number = _clean(kk_number)
    checks.append(_format("kk.format", _l("KK number"), kk_number))
    if checks[-1].passed:
        checks.append(_kk_region(kk_number))
    return checks


def blocking_failures(checks) -> list[IdentityCheck]:
    return [check for check in checks if not check.passed and check.severity == BLOCK]
