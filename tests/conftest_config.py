"""Configuration shared by every test app (kept apart so factories can import it)."""
import os
import tempfile
from datetime import date
from pathlib import Path

from workflows.audit.checkpoints import generate_key

# Never the developer's instance/ key: a throwaway one, so signing works on a fresh machine.
_KEYS = Path(tempfile.mkdtemp(prefix="caseapp-test-keys-"))
generate_key(_KEYS / "audit-signing-key.pem")

# The day the clock reads in every test (tests/conftest.py pins it), so a test's dates
# never depend on the day the suite runs: the fixtures' programme year is 2026 and
# BPJS batches made "today" cover from August (tests/bpjs_factories.py).
FIXTURE_DAY = date(2026, 7, 10)
# Tests marked `calendar` instead follow the day the suite runs, or the one CI pins
# with CASEAPP_TEST_TODAY to walk the boundaries that bite (1 January, 30 November,
# December, 31 December, 29 February).
SESSION_TODAY = (date.fromisoformat(os.environ["CASEAPP_TEST_TODAY"])
                 if os.environ.get("CASEAPP_TEST_TODAY") else None)

# The limiter stays on (as in production) with a limit the suite never reaches; the
# rate-limit test lowers it for itself.
TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "LOGIN_RATE_LIMIT": "10000 per minute",
               "AUDIT_VERIFY_RATE_LIMIT": "10000 per minute", "STATUS_RATE_LIMIT": "10000 per minute",
               "DOCUMENT_DIR": tempfile.mkdtemp(prefix="caseapp-test-documents-"),
               "AUDIT_MASK_KEY": "test-mask-key",
               # Jobs run at once inside the request that starts them; the tests of the
               # queue itself start a real worker (tests/test_jobs_worker.py).
               "JOB_QUEUE": "immediate",
               "JOB_FILE_DIR": tempfile.mkdtemp(prefix="caseapp-test-job-files-"),
               # Tests list the events a step writes; tests/test_audit_checkpoints turns
               # automatic signing on for itself.
               "AUDIT_CHECKPOINT_EVERY_EVENTS": 0,
               "AUDIT_SIGNING_KEY": str(_KEYS / "audit-signing-key.pem")}


def app_config(**settings) -> dict:
    """TEST_CONFIG for one app: each database gets its own checkpoint export file, since
    `flask audit verify` checks that file against the database it runs on."""
    exports = Path(tempfile.mkdtemp(prefix="caseapp-test-checkpoints-"))
    return {**TEST_CONFIG, "AUDIT_CHECKPOINT_FILE": str(exports / "checkpoints.jsonl"),
            **settings}
