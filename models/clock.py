"""The one clock of the application: every "now" and "today" is read here.

Verbs, guards, reports, pages and commands never ask the machine for the date
themselves (a test greps for it): the programme runs for years, and rules about
years, months and deadlines must be testable on 1 January, in December and on
29 February. Tests and demos pin the clock to a moment; a pinned clock keeps
ticking from there, so events still happen in order.

"Today" is the calendar day in Kota Bekasi (WIB, UTC+7), whatever the server's
time zone: the date a caseworker reads on the wall.
"""
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
# A pinned day starts at office hours, so the UTC date and the WIB date agree.
PINNED_HOUR = time(9, 0)

_offset = timedelta(0)


def _machine_now() -> datetime:
    return datetime.now(timezone.utc)


def now() -> datetime:
    """The current moment, timezone-aware UTC (what is stored)."""
    return _machine_now() + _offset


def today() -> date:
    """The current calendar day in Kota Bekasi (WIB)."""
    return now().astimezone(JAKARTA).date()


def _moment(when: date | datetime) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=JAKARTA)
    return datetime.combine(when, PINNED_HOUR, JAKARTA)


def pin(when: date | datetime) -> None:
    """From now on the clock reads ``when`` (a day: 09:00 WIB of it) and ticks on."""
    global _offset
    _offset = _moment(when) - _machine_now()


def unpin() -> None:
    global _offset
    _offset = timedelta(0)


@contextmanager
def pinned(when: date | datetime):
    """The clock reads ``when`` inside the block and what it read before afterwards."""
    global _offset
    saved = _offset
    pin(when)
    try:
        yield
    finally:
        _offset = saved
