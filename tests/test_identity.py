"""NIK and KK checks: each rule catches its own mistake, says what it saw, and a NIK
from outside Kota Bekasi is never a failure (the prefix is where it was first issued)."""
from datetime import date

import pytest

from workflows.identity import (JAWA_BARAT_REGENCIES, PROVINCES, blocking_failures,
                                check_identity, decode_nik)

MALE_NIK, MALE_BORN = "3275011208900001", date(1990, 8, 12)  # Bekasi Timur, 12 Aug 1990
FEMALE_NIK, FEMALE_BORN = "3275095203850012", date(1985, 3, 12)  # Jatiasih, 12 Mar 1985, day+40
KK = "3275010101200003"


def _by_rule(checks):
    rules = [check.rule for check in checks]
    assert len(rules) == len(set(rules)), rules
    return {check.rule: check for check in checks}


def _failed(checks):
    return {check.rule: check for check in checks if not check.passed}


def test_decode_nik_splits_the_parts_and_removes_the_female_40():
    male, female = decode_nik(MALE_NIK), decode_nik(FEMALE_NIK)
    assert (male.province, male.regency, male.kecamatan) == ("32", "3275", "327501")
    assert (male.day, male.month, male.year2, male.is_female, male.serial) == (12, 8, 90, False,
                                                                               "0001")
    assert (female.day, female.month, female.year2, female.is_female) == (12, 3, 85, True)
    assert female.serial == "0012"


@pytest.mark.parametrize("nik", ["327501120890000", "32750112089000011", "32750112089O0001",
                                 "３２７５０１１２０８９００００１", ""])
def test_decode_nik_refuses_anything_but_16_ascii_digits(nik):
    assert decode_nik(nik) is None


@pytest.mark.parametrize("nik,born,sex", [(MALE_NIK, MALE_BORN, "L"),
                                          (FEMALE_NIK, FEMALE_BORN, "P")])
def test_valid_bekasi_niks_pass_every_rule(nik, born, sex):
    checks = _by_rule(check_identity(nik, KK, born, sex))
    assert set(checks) == {"nik.format", "nik.province", "nik.regency", "nik.kecamatan",
                           "nik.birth_date", "nik.sex", "nik.serial", "kk.format", "kk.region"}
    assert all(check.passed for check in checks.values())
    assert checks["nik.birth_date"].value == born.isoformat()
    assert "Kota Bekasi" in str(checks["nik.kecamatan"].message)


def test_spaces_are_stripped_before_checking():
    checks = check_identity("3275 0112 0890 0001", "3275 0101 0120 0003", MALE_BORN, "L")
    assert not _failed(checks)
    assert decode_nik("3275 0112 0890 0001") == decode_nik(MALE_NIK)


@pytest.mark.parametrize("nik", ["327501120890000", "32750112089O0001",
                                 "３２７５０１１２０８９００００１"])
def test_bad_nik_format_blocks_and_skips_the_digit_rules(nik):
    checks = check_identity(nik, KK, MALE_BORN, "L")
    assert [check.rule for check in checks] == ["nik.format", "kk.format", "kk.region"]
    failure = checks[0]
    assert (failure.severity, failure.passed, failure.value) == ("block", False, nik)
    assert nik in str(failure.message)
    assert blocking_failures(checks) == [failure]


@pytest.mark.parametrize("nik,rule,severity,seen", [
    ("9975011208900001", "nik.province", "block", "99"),
    ("3299011208900001", "nik.regency", "warn", "3299"),
    ("3100011208900001", "nik.regency", "warn", "3100"),
    ("3275131208900001", "nik.kecamatan", "warn", "327513"),
    ("3216001208900001", "nik.kecamatan", "warn", "321600"),
    ("3275011208900000", "nik.serial", "block", "0000"),
])
def test_each_rule_reports_its_failure_with_the_seen_value(nik, rule, severity, seen):
    failed = _failed(check_identity(nik, KK, MALE_BORN, "L"))
    assert list(failed) == [rule]
    assert (failed[rule].severity, failed[rule].value) == (severity, seen)
    assert seen in str(failed[rule].message)


@pytest.mark.parametrize("nik", ["3216061208900001",  # Kab. Bekasi
                                 "3171011208900001"])  # Jakarta Pusat
def test_a_nik_issued_outside_kota_bekasi_is_not_a_failure(nik):
    checks = _by_rule(check_identity(nik, KK, MALE_BORN, "L"))
    assert all(check.passed for check in checks.values())
    assert "domicile comes from the address kelurahan" in str(checks["nik.kecamatan"].message)
    assert checks["nik.kecamatan"].severity == "info"


def test_regencies_outside_jawa_barat_are_reported_as_not_verified():
    regency = _by_rule(check_identity("3171011208900001", KK, MALE_BORN, "L"))["nik.regency"]
    assert (regency.severity, regency.passed, regency.value) == ("info", True, "3171")
    assert "not verified" in str(regency.message)
    jabar = _by_rule(check_identity("3216061208900001", KK, MALE_BORN, "L"))["nik.regency"]
    assert (jabar.severity, jabar.passed) == ("warn", True)
    assert "Kab. Bekasi" in str(jabar.message)


@pytest.mark.parametrize("born", [date(1990, 2, 28), None])
def test_31_february_is_refused(born):
    check = _by_rule(check_identity("3275013102900001", KK, born, None))["nik.birth_date"]
    assert (check.severity, check.passed, check.value) == ("block", False, "310290")
    assert "310290" in str(check.message)


@pytest.mark.parametrize("day,sex,valid", [
    ("01", "L", True), ("31", "L", True), ("41", "P", True), ("71", "P", True),
    ("00", "L", False), ("32", "L", False), ("40", "P", False), ("72", "P", False)])
def test_nik_day_is_01_to_31_for_men_and_41_to_71_for_women(day, sex, valid):
    nik = f"327501{day}01900001"  # DD 01 1990, serial 0001
    checks = _by_rule(check_identity(nik, KK, None, sex))
    assert checks["nik.birth_date"].passed is valid
    if valid:
        assert decode_nik(nik).day == int(day) - (40 if sex == "P" else 0)
    assert blocking_failures(checks.values()) == ([] if valid else [checks["nik.birth_date"]])


def test_month_13_is_refused():
    check = _by_rule(check_identity("3275011213900001", KK, None, "L"))["nik.birth_date"]
    assert not check.passed and "121390" in str(check.message)


@pytest.mark.parametrize("born", [date(1990, 8, 13), date(1990, 9, 12), date(1991, 8, 12),
                                  date(2001, 8, 12)])
def test_birth_date_mismatch_shows_both_dates(born):
    check = _by_rule(check_identity(MALE_NIK, KK, born, "L"))["nik.birth_date"]
    assert (check.severity, check.passed) == ("block", False)
    assert check.value == f"{born.year // 100 * 100 + 90}-08-12"
    assert check.value in str(check.message) and born.isoformat() in str(check.message)


def test_female_nik_date_compares_after_removing_40():
    right = _by_rule(check_identity(FEMALE_NIK, KK, date(1985, 3, 52 - 40), "P"))
    assert right["nik.birth_date"].passed
    wrong = _by_rule(check_identity(FEMALE_NIK, KK, date(1985, 3, 22), "P"))["nik.birth_date"]
    assert not wrong.passed and "1985-03-12" in str(wrong.message)


@pytest.mark.parametrize("born,valid", [(date(2000, 2, 29), True), (None, True),
                                        (date(1900, 3, 1), False)])
def test_29_february_00_is_a_date_in_2000_but_not_in_1900(born, valid):
    check = _by_rule(check_identity("3275012902000001", KK, born, "L"))["nik.birth_date"]
    assert check.passed is valid
    if not valid:
        assert "290200" in str(check.message) and "1900" in str(check.message)


@pytest.mark.parametrize("nik,born,sex,day", [(FEMALE_NIK, FEMALE_BORN, "L", "52"),
                                              (MALE_NIK, MALE_BORN, "P", "12")])
def test_sex_must_match_the_plus_40_rule(nik, born, sex, day):
    failed = _failed(check_identity(nik, KK, born, sex))
    assert list(failed) == ["nik.sex"]
    check = failed["nik.sex"]
    assert (check.severity, check.value) == ("block", day)
    assert day in str(check.message) and "+ 40" in str(check.message)


@pytest.mark.parametrize("sex", [None, ""])
def test_sex_is_only_checked_when_given(sex):
    assert "nik.sex" not in _by_rule(check_identity(MALE_NIK, KK, MALE_BORN, sex))


@pytest.mark.parametrize("kk", ["327501010120000", "32750101012000O3", ""])
def test_bad_kk_format_blocks_and_skips_the_region(kk):
    checks = check_identity(MALE_NIK, kk, MALE_BORN, "L")
    assert [check.rule for check in checks][-1] == "kk.format"
    assert [c.rule for c in blocking_failures(checks)] == ["kk.format"]
    assert f'"{kk}"' in str(checks[-1].message)


def test_kk_from_an_unknown_region_is_a_warning_only():
    checks = check_identity(MALE_NIK, "0075010101200003", MALE_BORN, "L")
    failed = _failed(checks)
    assert list(failed) == ["kk.region"]
    assert (failed["kk.region"].severity, failed["kk.region"].value) == ("warn", "00")
    assert "00" in str(failed["kk.region"].message)
    assert blocking_failures(checks) == []


def test_blocking_failures_leave_out_warnings_and_passes():
    checks = check_identity("9900001208900000", "9975010101200003", None, None)
    assert set(_failed(checks)) == {"nik.province", "nik.regency", "nik.kecamatan",
                                    "nik.serial", "kk.region"}
    assert [c.rule for c in blocking_failures(checks)] == ["nik.province", "nik.serial"]


def test_every_message_renders_without_placeholders_outside_a_request():
    for nik in (MALE_NIK, FEMALE_NIK, "9900001231000000", "3171017101000000", "x"):
        for check in check_identity(nik, "x", date(1990, 8, 12), "P"):
            text = str(check.message)
            assert text and "%(" not in text, (check.rule, text)


def test_shipped_code_lists():
    assert len(PROVINCES) == 38 and PROVINCES["32"] == "Jawa Barat"
    assert len(JAWA_BARAT_REGENCIES) == 27
    assert all(code.startswith("32") for code in JAWA_BARAT_REGENCIES)
    assert JAWA_BARAT_REGENCIES["3275"] == "Kota Bekasi"
