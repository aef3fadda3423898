"""A reporting period given in calendar days of Kota Bekasi (WIB), as UTC bounds."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from models.clock import JAKARTA


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date     # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), JAKARTA).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight WIB after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(),
                                JAKARTA).astimezone(timezone.utc)

    @property
    def years(self) -> range:
        return range(self.first_day.year, self.last_day.year + 1)
