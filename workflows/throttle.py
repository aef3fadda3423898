"""Growing delays after failed guesses on one account (ASVS 5.0 V6.3.1): a few free
tries, then each further try waits twice as long as the last, up to a cap. A delay
slows guessing to a crawl without locking the account for good."""
from datetime import datetime, timedelta

from models import clock

FREE_TRIES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)


def wait_seconds(failures: int, last_failure: datetime | None) -> int:
    """Seconds until the account may try again (0: now)."""
    if failures < FREE_TRIES or last_failure is None:
        return 0
    delay = min(FIRST_DELAY * 2 ** (failures - FREE_TRIES), MAX_DELAY)
    return max(0, int((last_failure + delay - clock.now()).total_seconds()) + 1)
