"""One clock: the calendar comes from models.clock only, and tests can pin it."""
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from models import clock

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("caseapp", "workflows", "reports", "models", "bench", "tests", "scripts", "wsgi.py")
# Reading the machine's calendar anywhere but in the clock makes a rule untestable on
# 1 January or 29 February.
MACHINE_CALENDAR = re.compile(
    r"\b(?:date|datetime)\s*\.\s*(?:today|now|utcnow)\s*\(|\btime\s*\.\s*(?:time|localtime|gmtime)\s*\(")


def _sources():
    for name in PACKAGES:
        path = ROOT / name
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_nothing_but_the_clock_reads_the_machine_calendar():
    own = {ROOT / "models" / "clock.py", Path(__file__).resolve()}
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in _sources() if path not in own
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if MACHINE_CALENDAR.search(line)]
    assert offenders == []


def test_the_pattern_catches_each_way_of_asking():
    for line in ("date.today()", "x = datetime.now(timezone.utc)", "datetime.utcnow()",
                 "datetime . today ()", "time.time()"):
        assert MACHINE_CALENDAR.search(line), line
    for line in ("clock.today()", "clock.now()", "time.monotonic()", "birth_date.today_flag"):
        assert not MACHINE_CALENDAR.search(line), line


def test_today_is_the_day_in_bekasi_not_on_the_server():
    # 17:30 UTC on 31 December is already 1 January in Bekasi (WIB, UTC+7).
    with clock.pinned(datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc)):
        assert clock.today() == date(2027, 1, 1)
        assert clock.now().tzinfo is not None and clock.now().date() == date(2026, 12, 31)


def test_a_pinned_day_starts_at_office_hours_and_keeps_ticking():
    with clock.pinned(date(2028, 2, 29)):
        first = clock.now()
        assert first.astimezone(clock.JAKARTA).hour == 9 and clock.today() == date(2028, 2, 29)
        assert clock.now() >= first
        assert clock.now() - first < timedelta(seconds=5)


def test_pins_nest_and_restore_what_the_clock_read_before():
    before = clock.today()
    with clock.pinned(date(2027, 1, 1)):
        with clock.pinned(date(2026, 11, 30)):
            assert clock.today() == date(2026, 11, 30)
        assert clock.today() == date(2027, 1, 1)
    assert clock.today() == before


@pytest.mark.day(date(2026, 12, 31))
def test_the_day_marker_pins_one_test():
    assert clock.today() == date(2026, 12, 31)


def test_other_tests_read_the_fixture_day():
    from tests.conftest_config import FIXTURE_DAY
    assert clock.today() == FIXTURE_DAY
